# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release workflow of examples/awx/workflow.yml run the way AWX runs it: each node a job of ansible-runner.

Each node is a private data dir as AWX writes one: the project's playbook, a localhost inventory, env/envvars from the
example credential type (tests/contract/awx_controller.py renders it with AWX's semantics) and env/extravars written the
way the controller writes them (!unsafe): the job template's extra vars, then the artifacts of the nodes before it (the
``artifact_data`` of their ``playbook_on_stats`` event, which AWX stores as the job's artifacts, failed jobs included),
then the workflow's survey answers. The Production node fails after LifeTime deployed part of the release; the failure
path's rollback node must restore exactly what Production ran before.
"""

import copy
import json
import os
import shutil
import sys

import pytest
import yaml

from tests.contract import awx_controller as awx
from tests.integration.conftest import REPO_ROOT

ansible_runner = pytest.importorskip('ansible_runner')

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = 'workflow-runner-token-77c2'
TEMPLATES = dict((item['name'], item) for item in
                 awx.load_example('job_templates.yml', {'lifetime_awx_organization': 'Default'})['controller_templates'])
WORKFLOW = awx.load_example('workflow.yml', {'lifetime_awx_organization': 'Default'})['controller_workflows'][0]
NODES = dict((node['identifier'], node) for node in WORKFLOW['workflow_nodes'])
APPLICATIONS = ['EmployeeBackoffice', 'Customer Portal']


def template_of(identifier):
    return copy.deepcopy(TEMPLATES[NODES[identifier]['unified_job_template']['name']])


def run_job(identifier, template, sim, artifacts, answers, tmp_path):
    """One workflow node as an AWX job: (the runner, its events, the artifacts it leaves)."""
    base = tmp_path / identifier
    (base / 'project').mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, 'examples', 'awx', 'project', template['playbook']), str(base / 'project' / template['playbook']))
    (base / 'inventory').mkdir()
    (base / 'inventory' / 'hosts').write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    home = tmp_path / ('home-' + identifier)
    home.mkdir()
    credential_types = dict((item['name'], item) for item in awx.load_example('credential_types.yml', {})['controller_credential_types'])
    env, dummy_vars, dummy_files = awx.inject(credential_types['OutSystems LifeTime'], {'lifetime_url': sim.url, 'lifetime_token': TOKEN},
                                              str(base))
    env.update(ANSIBLE_COLLECTIONS_PATH=os.environ['ANSIBLE_COLLECTIONS_PATH'], ANSIBLE_NOCOLOR='1', HOME=str(home),
               ANSIBLE_LOCAL_TEMP=str(tmp_path / 'ansible-local'))
    (base / 'env' / 'envvars').write_text(yaml.safe_dump(env))
    extra_vars = awx.workflow_node_extra_vars(template, artifacts, answers)
    awx.write_extra_vars_file(extra_vars, template, str(base / 'env' / 'extravars'))

    runner = ansible_runner.run(private_data_dir=str(base), playbook=template['playbook'], quiet=True)

    events = list(runner.events)
    stats = [event for event in events if event['event'] == 'playbook_on_stats']
    left = (stats[-1]['event_data'].get('artifact_data') or {}) if stats else {}
    return runner, events, left


def production(sim):
    return dict((name, sim.state.running_version_key('Production', name)) for name in APPLICATIONS)


def test_a_failed_production_step_is_rolled_back_to_exactly_what_production_ran_before(make_simulator, tmp_path, monkeypatch):
    # ansible-runner looks for ansible-playbook in its own PATH, as in an execution environment.
    monkeypatch.setenv('PATH', os.pathsep.join([os.path.dirname(sys.executable), os.environ['PATH']]))
    sim = make_simulator(token=TOKEN)
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': ', '.join(APPLICATIONS), 'tag_modified': 'true',
                                                              'notes': 'CHG-3001'})
    before = production(sim)

    first, dummy, artifacts = run_job('promote-quality-assurance', template_of('promote-quality-assurance'), sim, {}, answers, tmp_path)
    assert first.status == 'successful', first.stdout.read()
    assert artifacts['lifetime_release']['target_environment'] == 'Quality Assurance'

    # Production: the team's template goes on with the other applications when one fails (ContinueWithErrors), and
    # Customer Portal's upgrade fails there. LifeTime deploys EmployeeBackoffice and ends finished_with_errors.
    sim.state.add_outcome_rule('finished_with_errors', target='Production', application='Customer Portal', message='Timer migration failed')
    template = template_of('promote-production')
    template['extra_vars']['promote_continue_with_errors'] = True
    third, events, production_artifacts = run_job('promote-production', template, sim, artifacts, answers, tmp_path)

    assert third.status == 'failed', third.stdout.read()
    plan = sim.state.latest_deployment('Production')
    assert plan.status == 'finished_with_errors'
    half = production(sim)
    assert half['EmployeeBackoffice'] != before['EmployeeBackoffice'] and half['Customer Portal'] == before['Customer Portal']
    record = production_artifacts['lifetime_release']
    assert record['target_environment'] == 'Production' and record['failed'] is True and record['deployment_key'] == plan.key
    assert dict((app['name'], app['from_version_key']) for app in record['applications']) == before

    # The failure path: the rollback node gets every artifact so far, Production's record last, and restores it.
    artifacts.update(production_artifacts)
    fourth, rollback_events, dummy = run_job('rollback-production', template_of('rollback-production'), sim, artifacts, answers, tmp_path)

    assert fourth.status == 'successful', fourth.stdout.read()
    assert production(sim) == before
    rollback = sim.state.latest_deployment('Production')
    assert rollback.key != plan.key and rollback.status == 'finished_successful'
    deployed = [(app['application'], app['version']) for app in sim.state.deployment_summary(rollback)['applications']]
    assert deployed == [('EmployeeBackoffice', sim.state.running_version('Production', 'EmployeeBackoffice'))]
    # The token is in no job event.
    assert TOKEN not in json.dumps(events) and TOKEN not in json.dumps(rollback_events)
