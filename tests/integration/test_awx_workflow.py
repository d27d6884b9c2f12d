# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release workflow of examples/awx/workflow.yml, node by node, with what the controller gives each job.

Each node runs its job template's project playbook with the controller's extra vars file: the job template's own
variables, the artifacts of the nodes before it (what their roles published with set_stats, read here from
ansible-playbook's custom stats), then the workflow's survey answers (see tests/contract/awx_controller.py).
"""

import json

import pytest

from tests.contract import awx_controller as awx
from tests.integration.test_playbooks import new_plans, plan_keys, summary

pytestmark = pytest.mark.integration

TOKEN = 'workflow-token-3f90'
TEMPLATES = dict((item['name'], item) for item in
                 awx.load_example('job_templates.yml', {'lifetime_awx_organization': 'Default'})['controller_templates'])
WORKFLOW = awx.load_example('workflow.yml', {'lifetime_awx_organization': 'Default'})['controller_workflows'][0]
NODES = dict((node['identifier'], TEMPLATES.get(node['unified_job_template']['name'])) for node in WORKFLOW['workflow_nodes'])
APPLICATIONS = ['EmployeeBackoffice', 'Customer Portal']


def run_node(identifier, ansible_playbook, sim, artifacts, answers, tmp_path):
    """The node's job, and the artifacts it leaves (its set_stats data, as the controller stores them)."""
    template = NODES[identifier]
    extra_vars = awx.workflow_node_extra_vars(template, artifacts, answers)
    path = awx.write_extra_vars_file(extra_vars, template, str(tmp_path / ('%s.yml' % identifier)))
    run = ansible_playbook('examples/awx/project/' + template['playbook'], sim=sim, args=('-e', '@' + path),
                           env={'ANSIBLE_SHOW_CUSTOM_STATS': '1'})
    stats = [line.split('RUN: ', 1)[1] for line in run.stdout.splitlines() if line.startswith('\tRUN: ')]
    return run, (json.loads(stats[-1]) if stats else {})


def running(sim, environment):
    return dict((name, sim.state.running_version(environment, name)) for name in APPLICATIONS)


def test_production_gets_exactly_the_versions_quality_assurance_got_and_the_rollback_undoes_them(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': ', '.join(APPLICATIONS), 'tag_modified': 'true',
                                                              'notes': 'CHG-2041'})
    production_before = running(sim, 'Production')
    assert production_before == {'EmployeeBackoffice': '1.2', 'Customer Portal': '2.0'}

    # 1. Development -> Quality Assurance; Customer Portal, modified in Development, is tagged first.
    first, artifacts = run_node('promote-quality-assurance', ansible_playbook, sim, {}, answers, tmp_path)
    assert first.rc == 0, first
    assert running(sim, 'Quality Assurance') == {'EmployeeBackoffice': '1.3', 'Customer Portal': '2.1.1'}
    release = artifacts['lifetime_release']
    assert release['target_environment'] == 'Quality Assurance'
    assert sorted((app['name'], app['from_version'], app['to_version']) for app in release['applications']) == [
        ('Customer Portal', '2.1', '2.1.1'), ('EmployeeBackoffice', '1.2', '1.3')]

    # 2. While the approval waits, Development moves on.
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version('Development', 'EmployeeBackoffice', '1.4')
    sim.state.mark_modified('Development', 'Customer Portal')

    # 3. Production gets the release: the versions Quality Assurance got, from Quality Assurance.
    existing = plan_keys(sim)
    third, production_artifacts = run_node('promote-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert third.rc == 0, third
    assert running(sim, 'Production') == {'EmployeeBackoffice': '1.3', 'Customer Portal': '2.1.1'}
    [production_plan] = new_plans(sim, existing)
    plan = sim.state.deployment_summary(production_plan)
    assert plan['source'] == 'Quality Assurance'
    deployed = sorted((app['application'], app['version']) for app in plan['applications'])
    assert deployed == [('Customer Portal', '2.1.1'), ('EmployeeBackoffice', '1.3')]
    assert production_plan.notes.startswith('CHG-2041')
    # Nothing was tagged again in Development.
    assert [v.number for v in sim.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']
    assert 'Promote Quality Assurance -> Production' in summary(third)
    assert production_artifacts['lifetime_release']['target_environment'] == 'Production'

    # 4. The rollback node with the artifacts up to the Production step (had it failed after deploying): each
    #    application back to what ran before.
    artifacts.update(production_artifacts)
    fourth, dummy = run_node('rollback-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert fourth.rc == 0, fourth
    assert running(sim, 'Production') == production_before
    # The versions to go back to are given, so the rollback can be run again without going further back.
    sim.clear_requests()
    again, dummy = run_node('rollback-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert again.rc == 0 and again.recap['changed'] == 0, again
    assert sim.writes() == []


def test_when_the_production_step_fails_its_record_says_what_ran_before_and_the_rollback_node_restores_it(
        ansible_playbook, make_simulator, tmp_path):
    """A failed deployment still publishes Production's record: what it ran before, for the failure path's rollback node."""
    sim = make_simulator(token=TOKEN)
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': 'EmployeeBackoffice'})
    first, artifacts = run_node('promote-quality-assurance', ansible_playbook, sim, {}, answers, tmp_path)
    assert first.rc == 0, first
    sim.state.add_outcome_rule('finished_with_errors', target='Production', message='Database upgrade failed')
    production_before = sim.state.running_version_key('Production', 'EmployeeBackoffice')

    third, production_artifacts = run_node('promote-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert third.rc != 0, third
    release = production_artifacts['lifetime_release']
    assert release['target_environment'] == 'Production' and release['failed'] is True
    assert release['deployment_status'] == 'finished_with_errors'
    assert [(app['name'], app['from_version_key']) for app in release['applications']] == [('EmployeeBackoffice', production_before)]
    assert 'Database upgrade failed' in summary(third)[-1], summary(third)

    # LifeTime left Production as it was: the rollback node finds nothing to undo, and changes nothing.
    artifacts.update(production_artifacts)
    sim.clear_requests()
    fourth, dummy = run_node('rollback-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert fourth.rc == 0 and fourth.recap['changed'] == 0, fourth
    assert sim.writes() == []
    assert sim.state.running_version_key('Production', 'EmployeeBackoffice') == production_before


@pytest.mark.parametrize('record, message', [
    ('EmployeeBackoffice', 'release must be a release record'),
    ({'target_environment': 'Quality Assurance', 'applications': []}, 'release must be a release record'),
    ({'target_environment': 'Quality Assurance', 'applications': [{'name': 'EmployeeBackoffice'}]}, 'release must be a release record'),
])
def test_promote_refuses_a_release_that_is_not_a_record_before_any_request(record, message, ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)

    run = ansible_playbook('playbooks/promote.yml', sim=sim, extra_vars={'target_environment': 'Production', 'release': record})

    assert run.rc != 0, run
    assert message in run.output, run
    assert sim.requests == []
