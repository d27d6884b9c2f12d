# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A saved plan a run found, but did not create, is deleted before that run starts it.

This is what two or three runs at once meet (tests/integration/test_concurrency.py reproduced it one round in
twenty): run C finds the saved plan run B created; B then sees that run A's equivalent plan won, and deletes its
own. C must follow A's plan, not fail on a 404 for B's. Here the moment is made exact: the plan details read that
comes right before the start is held back by the simulator while another client deletes the plan (and, in the first
case, saves the plan that won), as the concurrent run would.
"""

import threading
import time

import pytest
import requests

from tests.component.modules.test_lifetime_binary_publish import entry, uploads, write_package

PROMOTE = dict(source_environment='Development', target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}])
API = '/lifetimeapi/rest/v2'


def call(sim, method, path, **kwargs):
    reply = requests.request(method, sim.url + API + path, headers={'Authorization': 'Bearer ' + sim.token}, timeout=10, **kwargs)
    assert reply.status_code < 300, reply.text
    return reply


@pytest.fixture
def package(tmp_path):
    """An .oap with EmployeeBackoffice 1.3, as another infrastructure would hand it over."""
    return write_package(tmp_path / 'Release.oap', [entry('EmployeeBackoffice', '1.3', key='c9a7a82e-0eee-4a3d-8e22-2a19c69c766f')])


def module_writes(sim):
    """The writes the module sent (the test's own client, the "other run", identifies as python-requests)."""
    return [entry for entry in sim.writes() if not entry['user_agent'].startswith('python-requests')]


def save_equivalent_plan(sim, notes):
    state = sim.state
    body = {'ApplicationOperations': [{'ApplicationVersionKey': state.version('EmployeeBackoffice', '1.3').key, 'DeploymentZoneKey': ''}],
            'Notes': notes, 'SourceEnvironmentKey': state.environment('Development').key,
            'TargetEnvironmentKey': state.environment('Production').key}
    return call(sim, 'POST', '/deployments/', json=body).text.strip().strip('"')


def meanwhile(sim, plan_key, then=None, hold=('GET', '/deployments/%s/'), after='/deployments/%s/status'):
    """While the run's ``hold`` request on plan_key is held back 1.5 s, delete plan_key as its creator would, then ``then()``.

    The deletion is sent once the run's GET of a path ending in ``after`` (``%s``: plan_key) is answered: the read that
    comes right before the held one. By default: the plan's status is read, then its details are held (right before the start).
    The plan that "won" (``then``) is saved before the deletion, as the run that deletes its own plan saw the winner first.
    """
    after = after % plan_key if '%s' in after else after
    sim.inject_fault(hold[0], hold[1] % plan_key, latency=1.5, count=1)
    done = {}

    def act():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(entry['method'] == 'GET' and entry['path'].rstrip('/').endswith(after) for entry in sim.requests):
                done['then'] = then() if then else None
                call(sim, 'DELETE', '/deployments/%s/' % plan_key)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread, done


def test_the_run_follows_the_plan_that_won_when_the_one_it_found_is_deleted(run_module, simulator):
    found = save_equivalent_plan(simulator, 'saved by the run that lost')
    simulator.clear_requests()
    thread, done = meanwhile(simulator, found, lambda: save_equivalent_plan(simulator, 'saved by the run that won'))
    result = run_module('lifetime_deployment', PROMOTE)
    thread.join(5)
    won = done['then']
    assert not result.get('failed'), result
    assert result['deployment_key'] == won and result['deployment_status'] == 'finished_successful'
    assert simulator.state.deployment(won).status == 'finished_successful'
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    # The run created nothing of its own and started only the plan that won.
    ours = module_writes(simulator)
    assert [(entry['method'], entry['path'].rstrip('/').rsplit('/', 1)[-1]) for entry in ours] == [('POST', 'start')], ours
    assert won in ours[0]['path']


@pytest.mark.parametrize('held', ['/deployments/%s/', '/deployments/%s/status/'], ids=['before-the-start', 'between-list-and-status'])
def test_the_run_creates_the_plan_when_the_one_it_found_is_deleted_and_none_is_left(run_module, simulator, held):
    found = save_equivalent_plan(simulator, 'saved, then deleted by a person')
    before = set(plan.key for plan in simulator.state.deployments())
    simulator.clear_requests()
    # Deleted while the run reads its details (just before starting it), or between the list and the plan's status.
    thread, dummy = meanwhile(simulator, found, hold=('GET', held), after='/deployments/%s/status' if held.endswith('/%s/') else '/deployments')
    result = run_module('lifetime_deployment', PROMOTE)
    thread.join(5)
    assert not result.get('failed'), result
    created = [plan for plan in simulator.state.deployments() if plan.key not in before]
    assert [plan.key for plan in created] == [result['deployment_key']]
    assert created[0].status == 'finished_successful' and '[outsystems.lifetime run ' in created[0].notes
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_plan_given_by_key_that_is_deleted_fails_and_nothing_is_created(run_module, simulator):
    found = save_equivalent_plan(simulator, 'named by the task')
    before = set(plan.key for plan in simulator.state.deployments()) - {found}
    simulator.clear_requests()
    # Given by key, the plan is read (details, status) and then started: the start is held back.
    thread, dummy = meanwhile(simulator, found, hold=('POST', '/deployments/%s/start/'), after='/status')
    result = run_module('lifetime_deployment', dict(deployment_key=found))
    thread.join(5)
    assert result.get('failed') and found in result['msg'] and 'could not find' in result['msg'], result
    # Only the held-back start was sent (LifeTime answered 404): no plan was created in its place.
    assert [(entry['method'], entry['status']) for entry in module_writes(simulator)] == [('POST', 404)]
    assert set(plan.key for plan in simulator.state.deployments()) == before


def test_a_publication_whose_saved_plan_is_deleted_uploads_again(run_module, simulator, package):
    saved = run_module('lifetime_binary_publish', dict(src=package, target_environment='Production', state='present'))
    assert saved['changed'] and saved['deployment_status'] == 'saved', saved
    simulator.clear_requests()
    thread, dummy = meanwhile(simulator, saved['deployment_key'])
    result = run_module('lifetime_binary_publish', dict(src=package, target_environment='Production'))
    thread.join(5)
    assert not result.get('failed'), result
    assert result['deployment_key'] != saved['deployment_key'] and result['deployment_status'] == 'finished_successful'
    assert simulator.state.deployment(result['deployment_key']).status == 'finished_successful'
    assert len(uploads(simulator)) == 1
