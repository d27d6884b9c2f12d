# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A promote job run the way AWX runs it: ansible-runner on a private data dir AWX would write.

The project holds the one-line playbook of examples/awx/project, the inventory is localhost, env/envvars is what
the example credential type injects (tests/contract/awx_controller.py renders it with AWX's semantics), and
env/extravars are the survey answers of the example job template, blank optional ones included, written the way
the controller writes them (!unsafe). The job must succeed, stream the deployment log as job events before the
deploy task's runner_on_ok, hand the release to the next node as set_stats artifacts, and never show the token.
"""

import json
import os
import shutil
import sys

import pytest
import yaml

from tests.contract import awx_controller as awx
from tests.integration.conftest import REPO_ROOT

ansible_runner = pytest.importorskip('ansible_runner')

pytestmark = pytest.mark.integration

TOKEN = 'awx-job-token-5d1c9e'
DEPLOY_TASK = 'Deploy to Production'


def private_data_dir(tmp_path, sim):
    base = tmp_path / 'job'
    (base / 'project').mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, 'examples', 'awx', 'project', 'promote.yml'), str(base / 'project' / 'promote.yml'))
    (base / 'inventory').mkdir()
    (tmp_path / 'home').mkdir()
    (base / 'inventory' / 'hosts').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    credential_types = dict((item['name'], item) for item in awx.load_example('credential_types.yml', {})['controller_credential_types'])
    env, dummy_vars, dummy_files = awx.inject(credential_types['OutSystems LifeTime'], {'lifetime_url': sim.url, 'lifetime_token': TOKEN},
                                              str(base))
    env.update(ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'], ANSIBLE_NOCOLOR='1', HOME=str(tmp_path / 'home'),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-local'))
    (base / 'env' / 'envvars').write_text(yaml.safe_dump(env))
    templates = dict((item['name'], item) for item in awx.load_example('job_templates.yml', {'lifetime_awx_organization': 'Default'})
                     ['controller_templates'])
    template = templates['OutSystems LifeTime - Promote']
    answers = {'source_environment': 'Development', 'target_environment': 'Production', 'applications': 'EmployeeBackoffice', 'notes': ''}
    extra_vars = awx.survey_extra_vars(template['survey_spec'], answers)
    awx.write_extra_vars_file(extra_vars, template, str(base / 'env' / 'extravars'))
    return base


def test_a_promote_job_runs_as_awx_runs_it(make_simulator, tmp_path, monkeypatch):
    # ansible-runner looks for ansible-playbook in its own PATH, as in an execution environment.
    monkeypatch.setenv('PATH', os.pathsep.join([os.path.dirname(sys.executable), os.environ['PATH']]))
    sim = make_simulator(token=TOKEN, step_seconds=0.5)
    base = private_data_dir(tmp_path, sim)

    runner = ansible_runner.run(private_data_dir=str(base), playbook='promote.yml', quiet=True)

    events = list(runner.events)
    assert runner.status == 'successful' and runner.rc == 0, runner.stdout.read()
    plan = sim.state.latest_deployment('Production')
    assert plan.status == 'finished_successful' and sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'

    # The deployment log reached AWX as job events while the deploy task ran, before its result.
    ok = next(index for index, event in enumerate(events)
              if event['event'] == 'runner_on_ok' and event['event_data'].get('task', '').endswith(DEPLOY_TASK))
    log_events = [index for index, event in enumerate(events) if '| [%s ' % plan.key[:8] in event.get('stdout', '')]
    assert log_events and max(log_events) < ok, [event.get('stdout') for event in events[:ok]]
    assert any('Deploy completed' in events[index]['stdout'] for index in log_events)

    # The next workflow node gets the release (set_stats, per_host false) as the job's artifacts.
    stats = next(event for event in events if event['event'] == 'playbook_on_stats')
    release = stats['event_data']['artifact_data']['lifetime_release']
    assert release['deployment_key'] == plan.key and release['target_environment'] == 'Production'
    assert [(app['name'], app['from_version'], app['to_version']) for app in release['applications']] == [('EmployeeBackoffice', '1.2', '1.3')]

    # The token is in no job event and not in the job's stdout.
    assert TOKEN not in json.dumps(events)
    assert TOKEN not in runner.stdout.read()
    counts = {}
    for event in events:
        counts[event['event']] = counts.get(event['event'], 0) + 1
    print('job events: %d (%s), deployment log events: %d' % (len(events), json.dumps(counts, sort_keys=True), len(log_events)))
