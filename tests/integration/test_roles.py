# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The promote, rollback and publish roles: argument validation, use from a play of one's own, two-step deployments."""

import json

import pytest

pytestmark = pytest.mark.integration

TOKEN = 'roles-secret-token-41c7'


def new_plans(sim, existing, target='Production'):
    return [plan for plan in sim.state.deployments(target) if plan.key not in existing]


@pytest.mark.parametrize('role, variable', [('promote', 'promote_target_environment'), ('rollback', 'rollback_target_environment'),
                                            ('publish', 'publish_target')])
def test_a_role_without_its_target_is_refused_by_its_argument_spec_before_any_request(ansible_playbook, make_simulator, role, variable):
    sim = make_simulator(token=TOKEN)

    run = ansible_playbook('role_missing_target.yml', sim=sim, extra_vars=dict(role_under_test=role), verbosity=3)

    assert run.rc != 0, run
    assert "Validating arguments against arg spec 'main'" in run.stdout, run
    assert 'missing required arguments: %s' % variable in run.output, run
    assert sim.requests == []
    assert TOKEN not in run.output


def test_the_promote_role_in_a_play_of_ones_own_takes_versions_and_deployment_zones(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    existing = set(plan.key for plan in sim.state.deployments())

    run = ansible_playbook('role_promote.yml', sim=sim)

    assert run.rc == 0, run
    plans = new_plans(sim, existing)
    assert len(plans) == 1, plans
    plan = sim.state.deployment_summary(plans[0])
    assert plan['source'] == 'Development' and plan['notes'].startswith('Role test')
    # Directory Mobile already runs 0.4 in Production: left out of the plan.
    internal = next(zone.key for zone in sim.state.environment('Production').zones if zone.name == 'Internal')
    assert [(app['application'], app['version'], app['deployment_zone_key']) for app in plan['applications']] == [
        ('EmployeeBackoffice', '1.3', internal)]
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    assert 'Directory Mobile skipped: already runs 0.4' in run.stdout


def test_a_two_step_promote_stops_when_prepared_and_a_later_run_finishes_it(ansible_playbook, make_simulator):
    sim = make_simulator(token=TOKEN)
    sim.state.add_intervention_rule('deploy_prepared', target='Production')
    existing = set(plan.key for plan in sim.state.deployments())
    extra = dict(source_environment='Development', target_environment='Production', applications=['EmployeeBackoffice'])

    first = ansible_playbook('playbooks/promote.yml', sim=sim, extra_vars=dict(extra, on_user_intervention='stop'))

    assert first.rc == 0, first
    plans = new_plans(sim, existing)
    assert [plan.status for plan in plans] == ['needs_user_intervention']
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    assert 'EmployeeBackoffice 1.2 -> 1.3 (waiting for the user)' in first.stdout
    assert 'plan %s: needs_user_intervention (deploy_prepared)' % plans[0].key in first.stdout
    assert 'continue_deployment=true' in first.stdout
    assert 'verified:' not in first.stdout

    second = ansible_playbook('playbooks/promote.yml', sim=sim, extra_vars=dict(extra, continue_deployment=True))

    assert second.rc == 0, second
    assert new_plans(sim, existing) == plans and plans[0].status == 'finished_successful'
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    methods = [(w['method'], w['path'].rstrip('/').rsplit('/', 1)[-1]) for w in sim.writes()]
    assert methods == [('POST', 'deployments'), ('POST', 'start'), ('POST', 'continue')]


def test_the_promote_role_deploys_a_release_manifest_and_writes_the_targets(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN)
    sim.state.set_running_version('Quality Assurance', 'EmployeeBackoffice', '1.3')
    labels = {'Development': 'DEV', 'Quality Assurance': 'QA', 'Production': 'PRD'}
    version = sim.state.version('EmployeeBackoffice', '1.3')
    manifest = {
        'ApplicationVersions': [{'ApplicationKey': sim.state.application('EmployeeBackoffice').key, 'ApplicationName': 'EmployeeBackoffice',
                                 'VersionKey': version.key, 'VersionNumber': '1.3', 'CreatedOn': '2026-11-30T10:00:00.000Z', 'ChangeLog': '',
                                 'IsTestApplication': False, 'DeploymentZoneKey': '', 'DeploymentZoneName': None}],
        'EnvironmentDefinitions': [{'EnvironmentKey': env.key, 'EnvironmentName': env.name, 'EnvironmentLabel': labels[env.name]}
                                   for env in sim.state.environments()],
        'DeploymentNotes': 'Release 12'}
    source = tmp_path / 'qa-manifest.json'
    source.write_text(json.dumps(manifest))
    dest = tmp_path / 'prd-manifest.json'
    # What is tagged after the manifest was made must not reach Production.
    sim.state.add_version('EmployeeBackoffice', '1.4')
    sim.state.set_running_version('Quality Assurance', 'EmployeeBackoffice', '1.4')

    run = ansible_playbook('role_promote_manifest.yml', sim=sim, extra_vars=dict(manifest=str(source), manifest_dest=str(dest)))

    assert run.rc == 0, run.output[-3000:]
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    written = json.loads(dest.read_text())
    assert [(app['ApplicationName'], app['VersionKey']) for app in written['ApplicationVersions']] == [('EmployeeBackoffice', version.key)]
    # The labels of the manifest it came from are carried, so the next stage can use them again.
    assert sorted(item['EnvironmentLabel'] for item in written['EnvironmentDefinitions']) == ['DEV', 'PRD', 'QA']
    again = ansible_playbook('role_promote_manifest.yml', sim=sim, extra_vars=dict(manifest=str(source), manifest_dest=str(dest)))
    assert again.rc == 0 and again.recap['changed'] == 0, again
