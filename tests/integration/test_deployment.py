# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment through ansible-playbook: what users see and what LifeTime (the simulator) ends up with."""

import os
import signal
import subprocess
import time

import pytest

from tests.integration.conftest import BIN, REPO_ROOT, TARGETS, playbook_env

pytestmark = pytest.mark.integration
TOKEN = 'integration-secret-token-5f1c'


def created_plans(sim, existing):
    """Plans created since ``existing`` (a set of plan keys) was taken."""
    return [plan for plan in sim.state.deployments('Production') if plan.key not in existing]


def test_check_mode_then_real_run_then_idempotent_rerun(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN, step_seconds=0.2)
    run = ansible_playbook('deployment.yml', sim=sim)
    assert run.rc == 0, run
    assert run.recap['failed'] == 0
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    writes = [(entry['method'], entry['path'].rsplit('/', 2)[-2], entry['status']) for entry in sim.writes()]
    # One plan created and started; the check-mode task and the rerun wrote nothing.
    assert writes == [('POST', 'deployments', 201), ('POST', 'start', 202)]
    plan = sim.state.latest_deployment('Production')
    assert plan.status == 'finished_successful' and plan.notes.startswith('Integration test promote')


def test_the_deployment_log_is_printed_while_the_deployment_runs(make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN, step_seconds=1.5)
    command = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'deployment_promote.yml')]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=playbook_env(tmp_path, sim), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    seen = []
    for line in process.stdout:
        seen.append((time.monotonic(), line.rstrip('\n')))
    assert process.wait(timeout=120) == 0, '\n'.join(line for dummy, line in seen)
    progress = [(when, line) for when, line in seen if line.startswith('localhost | [')]
    finished = next(when for when, line in seen if line.startswith('changed: [localhost]'))
    assert any('Deploy completed' in line for dummy, line in progress)
    # The first lines arrived well before the task ended: streamed, not printed at the end.
    assert finished - progress[0][0] >= 2.5, progress


def test_the_token_never_appears_in_vvvv_output(ansible_playbook, make_simulator, tmp_path):
    log_file = tmp_path / 'requests.jsonl'
    sim = make_simulator(token=TOKEN, request_log=str(log_file))
    run = ansible_playbook('deployment_promote.yml', sim=sim, verbosity=4)
    assert run.rc == 0, run
    assert 'finished_successful' in run.stdout
    assert TOKEN not in run.output
    assert TOKEN not in log_file.read_text()
    failed = ansible_playbook('deployment_promote.yml', sim=sim, verbosity=4, env={'LIFETIME_TOKEN': TOKEN + '-wrong'})
    assert failed.rc != 0 and 'rejected the token' in failed.output
    assert TOKEN not in failed.output


@pytest.mark.parametrize('connection', ['local', 'outsystems_test_notlocal'], ids=['controller', 'module'])
@pytest.mark.parametrize('userinfo, secret', [('release:Pa55-w0rd%21', 'Pa55'), ('TokOnly-Qwe9', 'TokOnly')], ids=['password', 'user-alone'])
def test_credentials_written_into_lifetime_url_never_appear_at_vvvv(ansible_playbook, make_simulator, connection, userinfo, secret):
    """A password, or a token pasted as the user name alone (http://TOKEN@host), is masked wherever the arguments are shown."""
    sim = make_simulator(token=TOKEN)
    url = sim.url.replace('://', '://%s@' % userinfo)
    env = dict(LIFETIME_URL=url, ANSIBLE_CONNECTION_PLUGINS=os.path.join(TARGETS, 'connection_plugins'))
    run = ansible_playbook('deployment_promote.yml', sim=sim, verbosity=4, env=env, extra_vars={'ansible_connection': connection})
    assert run.rc != 0 and 'credentials in lifetime_token, not in the URL' in run.output, run
    # Both paths show the task's arguments (invocation) at -vvvv: the URL is there, its credentials masked.
    assert '********@' in run.output, run
    assert secret not in run.output
    assert sim.requests == []


@pytest.mark.slow
@pytest.mark.parametrize('how', [signal.SIGKILL, signal.SIGINT], ids=['killed', 'ctrl-c'])
def test_an_interrupted_run_is_finished_by_the_next_one_without_a_second_plan(ansible_playbook, make_simulator, tmp_path, how):
    sim = make_simulator(token=TOKEN, step_seconds=2)
    existing = set(plan.key for plan in sim.state.deployments())
    command = [os.path.join(BIN, 'ansible-playbook'), os.path.join(TARGETS, 'deployment_promote.yml')]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=playbook_env(tmp_path, sim), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(plan.status == 'running' for plan in created_plans(sim, existing)):
        assert time.monotonic() < deadline and process.poll() is None, 'the plan never started'
        time.sleep(0.1)
    os.killpg(process.pid, how)
    process.wait(timeout=30)
    interrupted = created_plans(sim, existing)
    assert len(interrupted) == 1 and interrupted[0].status == 'running'

    run = ansible_playbook('deployment_promote.yml', sim=sim)
    assert run.rc == 0, run
    # Progress goes to stderr (stdout stays the stdout callback's own).
    assert 'Reusing deployment plan %s' % interrupted[0].key in run.stderr
    # The rerun shows the log from the start (context for whoever reruns it), each line once.
    progress = [line for line in run.stderr.splitlines() if line.startswith('localhost | [%s' % interrupted[0].key[:8])]
    assert progress[0].endswith('Uploading modules from Development to Production')
    assert len(progress) == len(set(progress)) and progress[-1].endswith('Deploy completed')
    plans = created_plans(sim, existing)
    assert [plan.key for plan in plans] == [interrupted[0].key]
    assert plans[0].status == 'finished_successful'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
