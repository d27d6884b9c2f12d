# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""One behaviour wherever a task runs: on the controller (action plugin), as a module, with async, with become.

The deploying modules run in-process on the controller when they can, and as modules otherwise. Each path must
read the connection from the task's `environment:` (including requests' own REQUESTS_CA_BUNDLE), change the
simulator the same way, and return the same result and the same failure text. Only the controller path streams
progress, on stderr, so a stdout callback that prints one JSON document still prints valid JSON.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.integration.conftest import REPO_ROOT

TOKEN = 'execution-paths-token'
PATHS = ['controller', 'module', 'async', 'become']
UUID = re.compile(r'[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}', re.IGNORECASE)
INSTANT = re.compile(r'\d{4}-\d\d-\d\dT[\d:.]+Z?')
SHA256 = re.compile(r'\b[0-9a-f]{64}\b|(?<=sha256 )[0-9a-f]{12}\b')
SECONDS = re.compile(r'\bin \d+\.\d s\b')
# A built solution's size varies by a byte or two between simulators: LifeTime's dates drop trailing zeros of milliseconds.
BYTES = re.compile(r'\(\d+ bytes\b')
RESULTS_DIR = re.compile(r'/[^ ]*/(%s)/' % '|'.join(['controller', 'module', 'async', 'become']))
# Fields that only say how the task was run, or how long it took.
RUN_FIELDS = ('duration', 'invocation', 'ansible_job_id', 'finished', 'results_file', 'started', 'stdout', 'stdout_lines', 'stderr',
              'stderr_lines', '_ansible_no_log', 'warnings', 'deprecations', 'changed_when_result', 'failed_when_result')
ANSIBLE_PACKAGE = 'ansible==12.3.0'


def normalise(value):
    """A result with keys, timestamps and run details taken out, so results of different runs compare."""
    if isinstance(value, dict):
        return dict((name, '<size>' if name == 'size' and isinstance(item, int) and item > 0 else normalise(item))
                    for name, item in value.items() if name not in RUN_FIELDS)
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, str):
        # Each path has its own simulator (other keys, other package bytes) and its own results directory.
        for pattern, replacement in ((UUID, '<key>'), (INSTANT, '<instant>'), (SHA256, '<sha256>'), (RESULTS_DIR, '<dir>/'),
                                     (SECONDS, 'in <s>'), (BYTES, '(<n> bytes')):
            value = pattern.sub(replacement, value)
        return value
    return value


def run_paths(ansible_playbook, make_simulator, tmp_path, path, tls=False, env=None):
    sim = make_simulator(token=TOKEN, tls=tls)
    results_dir = tmp_path / path
    results_dir.mkdir(parents=True)
    connection = {'LIFETIME_URL': sim.url, 'LIFETIME_TOKEN': TOKEN}
    if tls:
        # requests' own variable, read on every path only through the task's environment.
        connection['REQUESTS_CA_BUNDLE'] = sim.ca_cert_path
    run = ansible_playbook('execution_paths.yml', extra_vars=dict(path=path, results_dir=str(results_dir), connection_environment=connection),
                           env=env)
    results = json.loads((results_dir / 'results.json').read_text()) if (results_dir / 'results.json').exists() else None
    return sim, run, results


def check_simulator(sim):
    """What every path must have done: one promote, one solution, one publication, nothing more."""
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert [solution.status for solution in sim.state.solutions()] == ['Completed']
    assert len(sim.state.uploaded_packages) == 1
    plan = sim.state.deployment(sim.state.uploaded_packages[0].deployment_key)
    assert plan.status == 'finished_successful'
    posts = [(entry['method'], entry['path'].rstrip('/').rsplit('/', 1)[-1]) for entry in sim.writes() if entry['method'] == 'POST']
    assert posts == [('POST', 'deployments'), ('POST', 'start'), ('POST', 'solution'), ('POST', 'deployment'), ('POST', 'start')], posts


@pytest.mark.integration
@pytest.mark.slow
def test_every_path_gives_the_same_result_and_changes_the_same_things(ansible_playbook, make_simulator, tmp_path, monkeypatch):
    for name in ('LIFETIME_URL', 'LIFETIME_TOKEN', 'LIFETIME_CA_PATH', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    outcomes = {}
    for path in PATHS:
        sim, run, results = run_paths(ansible_playbook, make_simulator, tmp_path, path, tls=True)
        assert run.rc == 0 and results is not None, run
        check_simulator(sim)
        for task in ('deployment', 'solution', 'publication'):
            assert results[task]['changed'] is True and not results[task].get('failed'), (path, task, results[task])
        assert results['missing']['failed'] is True
        # Progress is streamed on stderr from the controller path only; stdout never carries it.
        streamed = [line for line in run.stderr.splitlines() if line.startswith('localhost | [')]
        assert bool(streamed) == (path == 'controller'), (path, run.stderr)
        assert 'localhost | [' not in run.stdout
        outcomes[path] = normalise(results)
    reference = outcomes['controller']
    assert "No environment 'Staging'" in reference['missing']['msg']
    for path in PATHS[1:]:
        for task in reference:
            assert outcomes[path][task] == reference[task], (path, task, outcomes[path][task], reference[task])


@pytest.mark.integration
def test_a_json_stdout_callback_still_prints_one_json_document(ansible_playbook, make_simulator, tmp_path, monkeypatch):
    for name in ('LIFETIME_URL', 'LIFETIME_TOKEN'):
        monkeypatch.delenv(name, raising=False)
    collections = ansible_posix(tmp_path)
    env = {'ANSIBLE_STDOUT_CALLBACK': 'ansible.posix.json',
           'ANSIBLE_COLLECTIONS_PATH': os.pathsep.join([os.environ['ANSIBLE_COLLECTIONS_PATH'], collections])}
    sim, run, dummy = run_paths(ansible_playbook, make_simulator, tmp_path, 'controller', env=env)
    assert run.rc == 0, run
    document = json.loads(run.stdout)
    tasks = dict((task['task']['name'], task['hosts']['localhost']) for play in document['plays'] for task in play['tasks'])
    assert tasks['Promote EmployeeBackoffice from Development to Production']['deployment_status'] == 'finished_successful'
    assert tasks['Publish the solution to Quality Assurance']['deployment_status'] == 'finished_successful'
    check_simulator(sim)
    # The log still streamed, on stderr.
    assert 'Deploy completed' in run.stderr


def ansible_posix(tmp_path):
    """A collections path holding ansible.posix from the `ansible` package on PyPI, installed once under .tmp (tests only)."""
    root = os.path.join(REPO_ROOT, '.tmp', 'ansible-posix')
    if not os.path.isdir(os.path.join(root, 'ansible_collections', 'ansible', 'posix')):
        staging = tmp_path / 'ansible-package'
        subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps', '--target', str(staging), ANSIBLE_PACKAGE],
                       check=True, timeout=600)
        target = os.path.join(root, 'ansible_collections', 'ansible')
        os.makedirs(target, exist_ok=True)
        os.replace(str(staging / 'ansible_collections' / 'ansible' / 'posix'), os.path.join(target, 'posix'))
    return root
