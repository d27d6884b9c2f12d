# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release workflow of examples/awx/workflow.yml, node by node, with the extra vars the controller gives each job.

Each node runs its job template's project playbook with the controller's extra vars file: the job template's own
variables, the artifacts of the nodes before it, the workflow's survey answers (examples: see awx_controller.py).
The release record a promote publishes (artifact lifetime_release) is written here in the shape the roles publish
it; that the roles publish it is checked where set_stats is tested.
"""

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


def run_node(identifier, ansible_playbook, sim, artifacts, answers, tmp_path, check=False):
    template = NODES[identifier]
    extra_vars = awx.workflow_node_extra_vars(template, artifacts, answers)
    path = awx.write_extra_vars_file(extra_vars, template, str(tmp_path / ('%s.yml' % identifier)))
    return ansible_playbook('examples/awx/project/' + template['playbook'], sim=sim, check=check, args=('-e', '@' + path))


def release_record(sim, environment, before, plan):
    """The lifetime_release record of a promote to ``environment``: what ran there ``before``, what runs now.

    With from_version_key too: the controller tags the artifact's strings !unsafe, and ansible-core 2.19 reads
    !unsafe "1.2" as the number 1.2, which the modules refuse as a version; a key is read as it is.
    """
    applications = []
    for name in APPLICATIONS:
        applications.append({'name': name, 'key': sim.state.application(name).key, 'from_version': before[name],
                             'from_version_key': sim.state.version(name, before[name]).key,
                             'to_version': sim.state.running_version(environment, name),
                             'version_key': sim.state.running_version_key(environment, name)})
    return {'target_environment': environment, 'deployment_key': plan.key, 'deployment_status': plan.status,
            'applications': applications}


def running(sim, environment):
    return dict((name, sim.state.running_version(environment, name)) for name in APPLICATIONS)


def test_production_gets_exactly_the_versions_quality_assurance_got_and_the_rollback_undoes_them(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': ', '.join(APPLICATIONS), 'tag_modified': 'true',
                                                              'notes': 'CHG-2041'})
    production_before = running(sim, 'Production')
    assert production_before == {'EmployeeBackoffice': '1.2', 'Customer Portal': '2.0'}

    # 1. Development -> Quality Assurance; Customer Portal, modified in Development, is tagged first.
    qa_before = running(sim, 'Quality Assurance')
    existing = plan_keys(sim)
    first = run_node('promote-quality-assurance', ansible_playbook, sim, {}, answers, tmp_path)
    assert first.rc == 0, first
    assert running(sim, 'Quality Assurance') == {'EmployeeBackoffice': '1.3', 'Customer Portal': '2.1.1'}
    [qa_plan] = new_plans(sim, existing, target='Quality Assurance')
    qa_release = release_record(sim, 'Quality Assurance', qa_before, qa_plan)

    # 2. While the approval waits, Development moves on.
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version('Development', 'EmployeeBackoffice', '1.4')
    sim.state.mark_modified('Development', 'Customer Portal')

    # 3. Production gets the release: the versions Quality Assurance got, from Quality Assurance.
    existing = plan_keys(sim)
    third = run_node('promote-production', ansible_playbook, sim, {'lifetime_release': qa_release}, answers, tmp_path)
    assert third.rc == 0, third
    assert running(sim, 'Production') == {'EmployeeBackoffice': '1.3', 'Customer Portal': '2.1.1'}
    [production_plan] = new_plans(sim, existing)
    plan = sim.state.deployment_summary(production_plan)
    assert plan['source'] == 'Quality Assurance'
    assert sorted((app['application'], app['version']) for app in plan['applications']) == [('Customer Portal', '2.1.1'),
                                                                                              ('EmployeeBackoffice', '1.3')]
    assert production_plan.notes.startswith('CHG-2041')
    # Nothing was tagged again in Development.
    assert [v.number for v in sim.state.versions('Customer Portal')] == ['2.0', '2.1', '2.1.1']
    assert 'Promote Quality Assurance -> Production' in summary(third)

    # 4. Had that failed, the rollback node gets the Production record: each application back to what ran before.
    production_release = release_record(sim, 'Production', production_before, production_plan)
    artifacts = {'lifetime_release': production_release}
    fourth = run_node('rollback-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert fourth.rc == 0, fourth
    assert running(sim, 'Production') == production_before
    # The versions to go back to are given, so the rollback can be run again without going further back.
    sim.clear_requests()
    again = run_node('rollback-production', ansible_playbook, sim, artifacts, answers, tmp_path)
    assert again.rc == 0 and again.recap['changed'] == 0, again
    assert sim.writes() == []


def test_the_rollback_node_without_a_production_record_changes_nothing(ansible_playbook, make_simulator, tmp_path):
    """The Production step failed before it published a record: the nodes before it only left Quality Assurance's."""
    sim = make_simulator(token=TOKEN)
    qa_release = {'target_environment': 'Quality Assurance', 'deployment_key': 'k', 'deployment_status': 'finished_successful',
                  'applications': [{'name': 'EmployeeBackoffice', 'key': 'a', 'from_version': '1.2', 'to_version': '1.3',
                                    'version_key': 'v'}]}
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': 'EmployeeBackoffice'})

    run = run_node('rollback-production', ansible_playbook, sim, {'lifetime_release': qa_release}, answers, tmp_path)

    assert run.rc != 0, run
    assert 'The release record is one of Quality Assurance, not of Production' in run.output, run
    assert sim.requests == []


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
