# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Two or three runs at once (AWX jobs, CI pipelines) promoting the same versions to the same target: one plan, every run succeeds.

Real concurrent ansible-playbook processes against one simulator whose plans take a few steps (so they overlap),
for many rounds: without a plan, and with a matching saved plan already there. Different applications to the
same target still queue one behind the other. Every round checks the simulator: one plan carried the versions,
it was started once, no second plan deployed them again, and each run reported the plan's success.
"""

import json
import os
import subprocess
import time

import pytest

from tests.integration.conftest import BIN, REPO_ROOT, TARGETS, playbook_env

TOKEN = 'concurrency-token'
# make test runs a few rounds; make soak runs LIFETIME_CONCURRENCY_ROUNDS=20 (what the hardening issue asks) or more.
ROUNDS = int(os.environ.get('LIFETIME_CONCURRENCY_ROUNDS', '3'))
PLAYBOOK = os.path.join(TARGETS, 'concurrent_promote.yml')

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def start_runs(sim, tmp_path, applications, count):
    """Start ``count`` ansible-playbook processes at once; return them with the file each writes its result to."""
    runs = []
    for index in range(count):
        out = tmp_path / ('result-%d.json' % index)
        env = playbook_env(tmp_path / ('run-%d' % index), sim)
        command = [os.path.join(BIN, 'ansible-playbook'), PLAYBOOK, '-e', json.dumps(dict(applications=applications, result_file=str(out)))]
        runs.append((subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out))
    return runs


def finish(runs):
    outcomes = []
    for process, out in runs:
        output, dummy = process.communicate(timeout=240)
        assert process.returncode == 0, output
        outcomes.append(json.loads(out.read_text()))
    return outcomes


def posts(sim, suffix):
    return [entry for entry in sim.writes() if entry['method'] == 'POST' and entry['path'].rstrip('/').endswith(suffix)]


def check_one_plan(sim, before, outcomes, version='1.3'):
    plans = [plan for plan in sim.state.deployments() if plan.key not in before]
    assert len(plans) == 1, [(plan.key, plan.status) for plan in plans]
    plan = plans[0]
    assert plan.status == 'finished_successful'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == version
    # Started once. A run that sent start at the same moment as another was refused (400, "only a saved plan can be
    # started") and followed the plan instead of failing; a second accepted start would have deployed the versions again.
    assert [entry['status'] for entry in posts(sim, '/start')].count(202) == 1
    assert all(outcome['deployment_key'] == plan.key and outcome['deployment_status'] == 'finished_successful' for outcome in outcomes), outcomes
    return plan


def test_runs_at_the_same_moment_without_a_plan_end_in_one_plan_and_all_succeed(make_simulator, tmp_path):
    for round_number in range(ROUNDS):
        sim = make_simulator(token=TOKEN, step_seconds=0.3)
        before = set(plan.key for plan in sim.state.deployments())
        runs = start_runs(sim, tmp_path / ('round-%d' % round_number), [{'name': 'EmployeeBackoffice'}], 3)
        outcomes = finish(runs)
        check_one_plan(sim, before, outcomes)
        created = [entry for entry in posts(sim, '/deployments') if entry['status'] == 201]
        deleted = [entry for entry in sim.writes() if entry['method'] == 'DELETE']
        # Every plan a losing run created was deleted while still saved: none is left, none was deployed.
        assert len(created) - len(deleted) == 1, (created, deleted)
        sim.stop()


def test_runs_at_the_same_moment_with_a_saved_plan_reuse_it_and_all_succeed(make_simulator, tmp_path):
    for round_number in range(ROUNDS):
        sim = make_simulator(token=TOKEN, step_seconds=0.3)
        saved = _saved_plan(sim)
        before = set(plan.key for plan in sim.state.deployments() if plan.key != saved)
        # Two runs reach the start of the same saved plan at once: the one LifeTime refuses follows the plan.
        runs = start_runs(sim, tmp_path / ('round-%d' % round_number), [{'name': 'EmployeeBackoffice'}], 2)
        outcomes = finish(runs)
        plan = check_one_plan(sim, before, outcomes)
        assert plan.key == saved
        assert posts(sim, '/deployments') == []
        sim.stop()


def test_different_applications_to_the_same_target_queue_one_behind_the_other(make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN, step_seconds=0.3)
    before = set(plan.key for plan in sim.state.deployments())
    runs = start_runs(sim, tmp_path / 'first', [{'name': 'EmployeeBackoffice'}], 1)
    time.sleep(0.5)
    runs += start_runs(sim, tmp_path / 'second', [{'name': 'Customer Portal', 'version': '2.1'}], 1)
    outcomes = finish(runs)
    plans = [plan for plan in sim.state.deployments() if plan.key not in before]
    assert sorted(plan.status for plan in plans) == ['finished_successful', 'finished_successful']
    assert sorted(outcome['deployment_key'] for outcome in outcomes) == sorted(plan.key for plan in plans)
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert sim.state.running_version('Production', 'Customer Portal') == '2.1'


def _saved_plan(sim):
    """A saved plan Development -> Production carrying EmployeeBackoffice 1.3, created through the API as a person would."""
    import requests  # only the test process needs it here
    state = sim.state
    body = {'ApplicationOperations': [{'ApplicationVersionKey': state.version('EmployeeBackoffice', '1.3').key, 'DeploymentZoneKey': ''}],
            'Notes': 'saved by a release manager', 'SourceEnvironmentKey': state.environment('Development').key,
            'TargetEnvironmentKey': state.environment('Production').key}
    reply = requests.post(sim.url + '/lifetimeapi/rest/v2/deployments/', json=body, headers={'Authorization': 'Bearer ' + TOKEN}, timeout=10)
    assert reply.status_code == 201, reply.text
    sim.clear_requests()
    return reply.text.strip().strip('"')
