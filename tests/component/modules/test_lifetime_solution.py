# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_solution against the simulator: the solutions LifeTime built, the requests it got, and the file on disk."""

import json
import os
import socket
import threading
import time
import zipfile

import pytest

from tests import answers
from tests import hostile_server as hs
from tests.support import sha256_file

MODULE = 'lifetime_solution'
APPS = ['EmployeeBackoffice', 'Google Maps Web']
STATUSES = ['Created', 'Ready', 'Gathering Dependencies', 'Getting Binaries', 'Generating Meta Model', 'Generating Solution',
            'Completed', 'Aborted']


def manifest(path):
    with zipfile.ZipFile(path) as package:
        return json.loads(package.read('manifest.json'))


def leftovers(directory):
    """Temporary files a download may have left next to dest."""
    return sorted(name for name in os.listdir(directory) if name.endswith('.part') or name.startswith('.'))


def api_requests(sim, method, fragment):
    return [r for r in sim.requests if r['method'] == method and fragment in r['path']]


def link_requests(sim):
    """GET /environments/{env}/solution/{key}/: the download link of a solution."""
    return api_requests(sim, 'GET', '/solution/')


def downloads(sim, expected=None):
    """The download requests; the simulator logs a streamed answer once it is sent, so wait a moment for ``expected`` of them."""
    deadline = time.monotonic() + 5
    found = api_requests(sim, 'GET', '/downloads/')
    while expected is not None and len(found) < expected and time.monotonic() < deadline:
        time.sleep(0.02)
        found = api_requests(sim, 'GET', '/downloads/')
    return found


def in_order(history):
    """True when the statuses appear in LifeTime's order, each once."""
    positions = [STATUSES.index(status) for status in history]
    return positions == sorted(set(positions))


class CuttingProxy:
    """A TCP proxy in front of a simulator that cuts the first ``times`` download answers after ``cut_after`` bytes.

    The simulator's own ``drop`` fault closes a connection before it answers; this one closes it in the middle
    of the package, which is what a flaky network does to a long download.
    """

    def __init__(self, sim, cut_after, times):
        self.upstream = ('127.0.0.1', int(sim.url.rsplit(':', 1)[1]))
        self.cut_after = cut_after
        self.remaining = times
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(('127.0.0.1', 0))
        self.url = 'http://127.0.0.1:%d' % self._listener.getsockname()[1]
        # Download links must point at the proxy too.
        sim.state.base_url = self.url
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self._listener.close()

    def _accept(self):
        while True:
            try:
                client = self._listener.accept()[0]
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = socket.create_connection(self.upstream)
        state = {'cut': False, 'sent': 0}

        def forward_requests():
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    if data[:4] == b'GET ' and b'/downloads/' in data.split(b'\r\n', 1)[0]:
                        with self._lock:
                            state['cut'], state['sent'] = self.remaining > 0, 0
                            self.remaining -= 1 if self.remaining > 0 else 0
                    upstream.sendall(data)
            except OSError:
                pass
            finally:
                _close(upstream)

        threading.Thread(target=forward_requests, daemon=True).start()
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                if state['cut']:
                    room = self.cut_after - state['sent']
                    if len(data) >= room:
                        client.sendall(data[:room])
                        with self._lock:
                            self.cuts += 1
                        break
                    state['sent'] += len(data)
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


# -- building and downloading -----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_solution_is_created_followed_through_its_statuses_and_downloaded(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=0.3)
    dest = tmp_path / 'Release.osp'

    result = run_module(MODULE, dict(environment='Development', applications=APPS, name='Release', dest=str(dest)), sim=sim)

    assert result['changed'] is True, result
    solution = sim.state.find_solution(result['solution_key'])
    assert solution.status == 'Completed'
    assert solution.name == 'Release' and solution.include_references is False
    assert sorted(solution.app_keys) == sorted(sim.state.application(name).key for name in APPS)
    history = result['status_history']
    assert history[0] == 'Created' and history[-1] == 'Completed' and len(history) >= 3, history
    assert in_order(history), history
    # The file is the package LifeTime built: what Development runs.
    assert result['checksum'] == sha256_file(dest) and result['size'] == dest.stat().st_size
    packaged = {app['ApplicationName']: app['Version'] for app in manifest(dest)['Applications']}
    assert packaged == {'EmployeeBackoffice': sim.state.running_version('Development', 'EmployeeBackoffice'),
                        'Google Maps Web': sim.state.running_version('Development', 'Google Maps Web')}
    assert [app['version'] for app in result['applications']] == [packaged[name] for name in APPS]
    # One write: the solution itself.
    assert [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1]) for w in sim.writes()] == [('POST', 'solution')]
    assert leftovers(tmp_path) == []


def test_the_name_defaults_to_the_file_name_and_include_references_is_sent(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment='Quality Assurance', applications=['employeebackoffice'], include_references=True,
                                     dest=str(tmp_path / 'qa-backoffice.osp')))

    assert result['changed'] is True, result
    solution = simulator.state.find_solution(result['solution_key'])
    assert solution.name == 'qa-backoffice' == result['solution_name']
    assert solution.include_references is True
    assert manifest(tmp_path / 'qa-backoffice.osp')['Applications'][0]['Version'] == simulator.state.running_version(
        'Quality Assurance', 'EmployeeBackoffice')


def test_an_aborted_solution_fails_with_its_status_reason_and_writes_no_file(run_module, simulator, tmp_path):
    simulator.state.add_solution_rule(name='Broken', reason='Module EmployeeBackoffice_CS is protected by IPP.')
    dest = tmp_path / 'broken.osp'

    result = run_module(MODULE, dict(environment='Development', applications=APPS, name='Broken', dest=str(dest)))

    assert result.get('failed') is True, result
    assert 'aborted' in result['msg'] and 'Module EmployeeBackoffice_CS is protected by IPP' in result['msg'], result['msg']
    assert result['status_history'][-1] == 'Aborted'
    assert result['status_reason'] == 'Module EmployeeBackoffice_CS is protected by IPP.'
    assert simulator.state.find_solution(result['solution_key']).status == 'Aborted'
    assert link_requests(simulator) == [] and downloads(simulator) == []
    assert not dest.exists() and leftovers(tmp_path) == []


def test_a_solution_that_takes_longer_than_wait_timeout_fails_with_the_last_status(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=30)

    result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(tmp_path / 'slow.osp'), wait_timeout=1),
                        sim=sim)

    assert result.get('failed') is True, result
    assert 'Timed out' in result['msg'] and 'Created' in result['msg'], result['msg']
    assert result['solution_key'] and result['status_history'] == ['Created']
    assert not (tmp_path / 'slow.osp').exists()
    # LifeTime goes on generating it: the task neither aborted it nor asked for its link.
    assert [solution.key for solution in sim.state.solutions()] == [result['solution_key']]
    assert not [entry for entry in sim.requests if entry['method'] == 'GET' and '/solution/' in entry['path']]


def test_a_solution_queued_before_it_is_created_is_waited_for_and_downloaded(run_module, make_simulator, tmp_path):
    # Queued for 0.5 s (the first poll follows the POST at once), Completed after 2.25 s.
    sim = make_simulator(step_seconds=0.25)
    sim.state.configure(packaging_queued_steps=2)
    dest = tmp_path / 'queued.osp'

    result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(dest)), sim=sim)

    assert result.get('failed') is not True and result['changed'] is True, result
    history = result['status_history']
    assert history[0] == 'Queued' and history[-1] == 'Completed' and 'Queued' not in history[1:] and in_order(history[1:]), history
    assert sim.state.find_solution(result['solution_key']).status == 'Completed'
    assert len(link_requests(sim)) == 1 and len(downloads(sim, 1)) == 1
    assert result['checksum'] == sha256_file(dest)


def test_a_solution_still_queued_at_the_timeout_fails_naming_queued(run_module, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=30)
    sim.state.configure(packaging_queued_steps=1)

    result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(tmp_path / 'q.osp'), wait_timeout=1), sim=sim)

    assert result.get('failed') is True, result
    assert 'Timed out' in result['msg'] and 'last seen: Queued.' in result['msg'], result['msg']
    assert result['status_history'] == ['Queued']
    assert sim.state.find_solution(result['solution_key']).status == 'Queued'
    assert link_requests(sim) == [] and not (tmp_path / 'q.osp').exists()


def test_final_statuses_are_recognised_whatever_their_case(run_module, simulator, tmp_path):
    # A server in front of the simulator writes the statuses in lower case; the download link it hands on points back at
    # that server, the origin the token goes to.
    development = '/lifetimeapi/rest/v2/environments/%s/' % simulator.state.environment('Development').key
    simulator.state.add_solution_rule(name='Broken', reason='No space left.')
    with hs.HostileServer(upstream=simulator.url) as proxy:
        proxy.route(development + 'solutionstatus/', answers.changed(simulator, lambda status: dict(status, Status=status['Status'].lower())),
                    method='GET')
        proxy.route(development + 'solution/', answers.changed(simulator, lambda link: dict(link, url=link['url'].replace(simulator.url, proxy.url))),
                    method='GET')
        through_proxy = dict(environment='Development', applications=APPS, wait_timeout=3, lifetime_url=proxy.url)
        done = run_module(MODULE, dict(through_proxy, dest=str(tmp_path / 'a.osp')))
        broken = run_module(MODULE, dict(through_proxy, name='Broken', dest=str(tmp_path / 'b.osp')))

    assert done.get('failed') is not True and done['status_history'] == ['completed'], done
    assert (tmp_path / 'a.osp').exists() and len(link_requests(simulator)) == 1 and len(downloads(simulator, 1)) == 1
    assert broken['failed'] is True and 'was aborted' in broken['msg'] and 'No space left' in broken['msg'], broken
    assert [solution.status for solution in simulator.state.solutions()] == ['Completed', 'Aborted']
    assert not (tmp_path / 'b.osp').exists()


# -- idempotency ------------------------------------------------------------------------------------------------------

def test_a_second_identical_run_is_unchanged_and_leaves_dest_alone(run_module, simulator, tmp_path):
    dest = tmp_path / 'Release.osp'
    args = dict(environment='Development', applications=APPS, name='Release', dest=str(dest))

    first = run_module(MODULE, args)
    inode = dest.stat().st_ino
    second = run_module(MODULE, args)

    assert first['changed'] is True and second['changed'] is False, (first, second)
    assert second['checksum'] == first['checksum'] == sha256_file(dest)
    assert dest.stat().st_ino == inode, 'dest was replaced although it held the same bytes'
    assert 'already holds' in second['msg']
    assert leftovers(tmp_path) == []


def test_a_second_run_after_a_new_version_runs_replaces_dest(run_module, simulator, tmp_path):
    dest = tmp_path / 'Release.osp'
    args = dict(environment='Production', applications=['EmployeeBackoffice'], name='Release', dest=str(dest))
    first = run_module(MODULE, args)
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')

    second = run_module(MODULE, args, diff=True)

    assert first['changed'] is True and second['changed'] is True
    assert second['checksum'] != first['checksum'] and second['checksum'] == sha256_file(dest)
    assert manifest(dest)['Applications'][0]['Version'] == '1.3'
    assert second['diff']['before']['checksum'] == first['checksum']
    assert second['diff']['after']['checksum'] == second['checksum']


# -- check mode and bad input -----------------------------------------------------------------------------------------

def test_check_mode_reports_what_it_would_package_and_sends_no_post(run_module, simulator, tmp_path):
    dest = tmp_path / 'Release.osp'

    result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(dest)), check_mode=True)

    assert result['changed'] is True and result['solution_key'] is None, result
    assert 'would create solution Release' in result['msg']
    assert [(app['name'], app['version']) for app in result['applications']] == [
        ('EmployeeBackoffice', simulator.state.running_version('Development', 'EmployeeBackoffice')),
        ('Google Maps Web', simulator.state.running_version('Development', 'Google Maps Web'))]
    assert simulator.writes() == []
    assert simulator.state.solutions() == []
    assert not dest.exists()


@pytest.mark.parametrize('args, parameter, words', [
    (dict(environment='Staging'), 'environment', 'No environment'),
    (dict(applications=['EmployeeBackoffice', 'Nope']), 'applications[1]', 'No application'),
    (dict(applications=['EmployeeBackoffice', 'employeebackoffice']), 'applications', 'twice'),
    (dict(environment='Production', applications=['Google Maps Web']), 'applications[0]', 'does not run in Production'),
    (dict(dest='/nonexistent-directory/x.osp'), 'dest', 'does not exist'),
])
def test_bad_input_fails_naming_the_parameter_before_any_write(run_module, simulator, tmp_path, args, parameter, words):
    task = dict(environment='Development', applications=APPS, dest=str(tmp_path / 'x.osp'))
    task.update(args)

    result = run_module(MODULE, task)

    assert result.get('failed') is True, result
    assert parameter in result['msg'] and words in result['msg'], result['msg']
    assert simulator.writes() == []


# -- links and broken downloads ---------------------------------------------------------------------------------------

def test_an_expired_download_link_is_asked_for_again(run_module, simulator, tmp_path):
    # The first download waits 1 s before LifeTime looks at it; by then its half-second link has expired.
    simulator.state.configure(link_ttl_seconds=0.5)
    simulator.inject_fault('GET', '/downloads/*', latency=1.0, count=1)
    dest = tmp_path / 'Release.osp'

    result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(dest)))

    assert result['changed'] is True, result
    assert [r['status'] for r in downloads(simulator, expected=2)] == [410, 200]
    assert len(link_requests(simulator)) == 2
    assert sha256_file(dest) == result['checksum']


def test_a_download_cut_mid_stream_is_retried_and_dest_is_complete(run_module, make_simulator, tmp_path):
    sim = make_simulator(binary_size_mb=8)
    proxy = CuttingProxy(sim, cut_after=3 << 20, times=1)
    dest = tmp_path / 'Release.osp'
    try:
        result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(dest), lifetime_url=proxy.url), sim=sim)
    finally:
        proxy.close()

    assert result['changed'] is True, result
    assert proxy.cuts == 1
    # Two download requests: the one cut short (the simulator may log it 200, its bytes already in socket buffers) and the retry.
    assert len(downloads(sim, expected=2)) == 2 and downloads(sim)[-1]['status'] == 200
    assert result['size'] == 8 << 20 == dest.stat().st_size
    assert sha256_file(dest) == result['checksum']
    assert manifest(dest)['Kind'] == 'osp'
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_a_download_that_keeps_breaking_fails_and_leaves_dest_as_it_was(run_module, make_simulator, tmp_path):
    sim = make_simulator(binary_size_mb=4)
    proxy = CuttingProxy(sim, cut_after=1 << 20, times=1000)
    dest = tmp_path / 'Release.osp'
    dest.write_bytes(b'PK\x03\x04 the previous package')
    try:
        result = run_module(MODULE, dict(environment='Development', applications=APPS, dest=str(dest), lifetime_url=proxy.url), sim=sim)
    finally:
        proxy.close()

    assert result.get('failed') is True, result
    assert proxy.cuts >= 2
    assert dest.read_bytes() == b'PK\x03\x04 the previous package'
    assert leftovers(tmp_path) == []
