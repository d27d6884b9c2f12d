# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment with a release manifest: exactly its versions, checked against LifeTime before anything is written."""

import copy
import json
import os

import pytest
import yaml

QA = 'Quality Assurance'


def manifest_of(run_module, environment, applications, **options):
    result = run_module('lifetime_manifest', dict(environment=environment, applications=applications, **options))
    assert result.get('failed') is not True, result
    return result['manifest']


def deploy(run_module, manifest, **options):
    args = dict(source_environment=QA, target_environment='Production', manifest=manifest)
    args.update(options)
    return run_module('lifetime_deployment', args)


def test_exactly_the_manifests_versions_reach_the_target_not_what_was_tagged_since(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice', 'Directory Mobile'], notes='Release 12')
    simulator.state.add_version('EmployeeBackoffice', '1.4')
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.4')
    simulator.clear_requests()

    result = deploy(run_module, manifest)

    assert result.get('failed') is not True, result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    plan = simulator.state.deployment_summary(simulator.state.deployment(result['deployment_key']))
    # Directory Mobile already runs the manifest's 0.4 in Production: left out.
    assert [(app['application'], app['version']) for app in plan['applications']] == [('EmployeeBackoffice', '1.3')]
    assert dict((app['name'], app['skipped']) for app in result['applications']) == {'EmployeeBackoffice': False, 'Directory Mobile': True}


def test_the_manifests_labels_name_the_environments_and_a_yaml_file_works(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    for definition in manifest['EnvironmentDefinitions']:
        definition['EnvironmentLabel'] = {'Development': 'DEV', QA: 'QA', 'Production': 'PRD'}[definition['EnvironmentName']]
    path = tmp_path / 'release.yml'
    path.write_text(yaml.safe_dump(manifest))
    result = deploy(run_module, str(path), source_environment='QA', target_environment='PRD')
    assert result.get('failed') is not True and result['target_environment'] == 'Production', result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_test_applications_are_left_out_unless_asked(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'], test_applications=['EmployeeBackoffice'])
    refused = deploy(run_module, manifest)
    assert refused['failed'] is True and 'include_test_applications' in refused['msg'] and simulator.writes() == []
    result = deploy(run_module, manifest, include_test_applications=True)
    assert result.get('failed') is not True and simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_manifest_older_than_what_the_target_runs_is_refused_before_any_write(run_module, simulator):
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')
    simulator.clear_requests()
    result = deploy(run_module, manifest)
    assert result['failed'] is True and 'EmployeeBackoffice 1.2 is older than the 1.3 Production runs' in result['msg'], result
    assert simulator.writes() == []


def test_a_version_or_application_that_does_not_exist_is_refused_naming_its_place(run_module, simulator):
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice', 'Directory Mobile'])
    for field, value, words in (('VersionKey', '5b5d1b47-0000-0000-0000-000000000000', 'ApplicationVersions[1].VersionKey'),
                                ('ApplicationKey', '5b5d1b47-0000-0000-0000-000000000001', 'ApplicationVersions[1].ApplicationKey')):
        broken = copy.deepcopy(manifest)
        broken['ApplicationVersions'][1][field] = value
        simulator.clear_requests()
        result = deploy(run_module, broken)
        assert result['failed'] is True and words in result['msg'], result
        assert 'Traceback' not in result['msg'] and simulator.writes() == []


def test_configuration_items_are_reported_and_not_applied(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    production = simulator.state.environment('Production')
    manifest['ConfigurationItems'] = [{
        'ModuleKey': 'm', 'ModuleName': 'EmployeeBackoffice_CS', 'ConfigurationItemKey': 'c', 'ConfigurationItemName': 'MaxUpload',
        'ConfigurationItemType': 'SiteProperty', 'Values': [{'EnvironmentKey': production.key, 'EnvironmentName': 'Production', 'TargetValue': '50'}]}]
    result = deploy(run_module, json.dumps(manifest))
    assert result.get('failed') is not True, result
    assert [(item['configuration_item_name'], item['target_value']) for item in result['configuration_items']] == [('MaxUpload', '50')]
    assert any('not applied' in warning for warning in result['warnings'])
    assert [entry['method'] for entry in simulator.writes()] == ['POST', 'POST']


# -- a manifest never redirects a deployment --------------------------------------------------------------------------

def relabel(manifest, labels):
    for definition in manifest['EnvironmentDefinitions']:
        definition['EnvironmentLabel'] = labels[definition['EnvironmentName']]
    return manifest


def test_a_target_that_is_one_environments_name_and_anothers_label_is_refused_as_ambiguous_naming_both(run_module, simulator):
    # The manifest calls Quality Assurance "Production": taking the label would deploy to Quality Assurance, taking the
    # name to Production. Neither is guessed.
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = relabel(manifest_of(run_module, QA, ['EmployeeBackoffice']),
                       {'Development': 'DEV', QA: 'Production', 'Production': 'PRD'})
    before = keys_of(simulator)
    simulator.clear_requests()

    result = deploy(run_module, manifest, source_environment='Development', target_environment='Production')

    assert result['failed'] is True, result
    assert "target_environment 'Production' is ambiguous" in result['msg']
    assert 'Production (%s)' % simulator.state.environment('Production').key in result['msg']
    assert 'Quality Assurance (%s)' % simulator.state.environment(QA).key in result['msg']
    assert result['parameter'] == 'target_environment'
    assert simulator.writes() == [] and keys_of(simulator) == before


def test_a_source_that_is_one_environments_name_and_anothers_label_is_refused_as_ambiguous(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = relabel(manifest_of(run_module, QA, ['EmployeeBackoffice']),
                       {'Development': QA, QA: 'QA', 'Production': 'PRD'})
    simulator.clear_requests()

    result = deploy(run_module, manifest, source_environment=QA, target_environment='PRD')

    assert result['failed'] is True and "source_environment 'Quality Assurance' is ambiguous" in result['msg'], result
    assert 'Development' in result['msg']
    assert simulator.writes() == []


def test_a_definition_whose_key_and_name_are_two_environments_is_refused(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    for definition in manifest['EnvironmentDefinitions']:
        if definition['EnvironmentName'] == 'Production':
            definition['EnvironmentLabel'] = 'Live'
            definition['EnvironmentKey'] = simulator.state.environment('Development').key
    simulator.clear_requests()

    result = deploy(run_module, manifest, target_environment='Live')

    assert result['failed'] is True and 'contradicts itself' in result['msg'], result
    assert simulator.writes() == []


def test_a_label_and_a_name_that_mean_the_same_environment_deploy_there(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = relabel(manifest_of(run_module, QA, ['EmployeeBackoffice']),
                       {'Development': 'Development', QA: QA, 'Production': 'Production'})
    result = deploy(run_module, manifest)
    assert result.get('failed') is not True, result
    plan = simulator.state.deployment_summary(simulator.state.deployment(result['deployment_key']))
    assert (plan['source'], plan['target']) == (QA, 'Production')


def keys_of(sim):
    return set(plan.key for plan in sim.state.deployments())


# -- manifest_dest: the release manifest after the deployment ---------------------------------------------------------

def read_json(path):
    with open(path, encoding='utf-8') as handle:
        return json.load(handle)


def entries(manifest):
    return dict((entry['ApplicationName'], (entry['VersionNumber'], entry['IsTestApplication'])) for entry in manifest['ApplicationVersions'])


def test_manifest_dest_holds_what_the_target_runs_and_keeps_the_test_applications_marked(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice', 'Customer Portal'], test_applications=['Customer Portal'],
                           notes='Release 12')
    source = tmp_path / 'release.json'
    source.write_text(json.dumps(manifest))
    dest = tmp_path / 'production.json'

    result = deploy(run_module, str(source), manifest_dest=str(dest))

    assert result.get('failed') is not True, result
    written = read_json(dest)
    # Customer Portal, a test application, was not deployed (Production still runs 2.0): it is carried as the release gives it.
    assert simulator.state.running_version('Production', 'Customer Portal') == '2.0'
    assert entries(written) == {'EmployeeBackoffice': ('1.3', False), 'Customer Portal': ('2.1', True)}
    assert written['DeploymentNotes'] == 'Release 12'
    assert written == result['manifest'] and result['manifest_dest'] == str(dest)
    running = simulator.state.running_version_key('Production', 'EmployeeBackoffice')
    assert [entry['VersionKey'] for entry in written['ApplicationVersions'] if entry['ApplicationName'] == 'EmployeeBackoffice'] == [running]


def test_manifest_dest_of_an_included_test_application_is_what_the_target_runs_still_marked(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'], test_applications=['EmployeeBackoffice'])
    dest = tmp_path / 'production.json'
    result = deploy(run_module, manifest, include_test_applications=True, manifest_dest=str(dest))
    assert result.get('failed') is not True, result
    assert entries(read_json(dest)) == {'EmployeeBackoffice': ('1.3', True)}


def test_a_manifest_dest_written_again_with_the_same_release_is_left_as_it_was(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    dest = tmp_path / 'production.json'
    first = deploy(run_module, manifest, manifest_dest=str(dest))
    assert first['changed'] is True
    stamp = dest.stat().st_mtime_ns
    simulator.clear_requests()
    second = deploy(run_module, manifest, manifest_dest=str(dest))
    assert second['changed'] is False, second
    assert dest.stat().st_mtime_ns == stamp and simulator.writes() == []


@pytest.mark.parametrize('where', ['missing directory', 'a directory', 'unwritable directory'])
def test_a_manifest_dest_that_cannot_be_written_fails_before_the_plan_is_created_in_check_mode_too(run_module, simulator, tmp_path, where):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    if where == 'missing directory':
        dest = tmp_path / 'nowhere' / 'production.json'
    elif where == 'a directory':
        dest = tmp_path
    else:
        locked = tmp_path / 'locked'
        locked.mkdir()
        locked.chmod(0o500)
        dest = locked / 'production.json'
        if os.access(str(locked), os.W_OK):
            # root writes anywhere it has permission bits for; /proc refuses the file even to root.
            dest = '/proc/production.json'
    for check_mode in (True, False):
        simulator.clear_requests()
        result = run_module('lifetime_deployment', dict(source_environment=QA, target_environment='Production', manifest=manifest,
                                                        manifest_dest=str(dest)), check_mode=check_mode)
        assert result['failed'] is True and result['parameter'] == 'manifest_dest', result
        assert 'manifest_dest' in result['msg'] or 'directory of manifest_dest' in result['msg']
        # Nothing at all was asked of LifeTime: the path is checked first.
        assert simulator.requests == []
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_manifest_dest_that_is_the_manifest_file_itself_is_refused_before_any_request(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    source = tmp_path / 'release.json'
    source.write_text(json.dumps(manifest_of(run_module, QA, ['EmployeeBackoffice'])))
    original = source.read_bytes()
    link = tmp_path / 'same.json'
    link.symlink_to(source)
    for dest in (source, link, tmp_path / '.' / 'release.json'):
        simulator.clear_requests()
        result = deploy(run_module, str(source), manifest_dest=str(dest))
        assert result['failed'] is True and 'is the manifest file itself' in result['msg'], result
        assert simulator.requests == []
    assert source.read_bytes() == original


def test_check_mode_says_where_the_manifest_would_go_and_writes_nothing(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    dest = tmp_path / 'production.json'
    simulator.clear_requests()
    result = run_module('lifetime_deployment', dict(source_environment=QA, target_environment='Production', manifest=manifest,
                                                    manifest_dest=str(dest)), check_mode=True)
    assert result.get('failed') is not True, result
    assert 'manifest: would write the manifest of what Production then runs to %s' % dest in result['summary']
    assert not dest.exists() and simulator.writes() == []


def test_a_failed_deployment_writes_no_manifest_and_its_failure_carries_the_plan(run_module, simulator, tmp_path):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    simulator.state.add_outcome_rule('finished_with_errors', target='Production', message='Database upgrade failed')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    dest = tmp_path / 'production.json'
    result = deploy(run_module, manifest, manifest_dest=str(dest))
    assert result['failed'] is True and not dest.exists()
    # What the target ran before, for the workflow's rollback node.
    assert [(app['name'], app['from_version'], app['to_version']) for app in result['applications']] == [('EmployeeBackoffice', '1.2', '1.3')]
    assert result['applications'][0]['from_version_key'] == simulator.state.running_version_key('Production', 'EmployeeBackoffice')
    assert result['target_environment'] == 'Production'


def test_manifest_dest_without_a_manifest_names_the_applications_promoted(run_module, simulator, tmp_path):
    dest = tmp_path / 'production.json'
    result = run_module('lifetime_deployment', dict(source_environment='Development', target_environment='Production',
                                                    applications=[{'name': 'EmployeeBackoffice'}, {'name': 'Orders API'}],
                                                    manifest_dest=str(dest)))
    assert result.get('failed') is not True, result
    assert entries(read_json(dest)) == {'EmployeeBackoffice': ('1.3', False), 'Orders API': ('1.0', False)}
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_the_manifests_deployment_notes_are_the_plans_notes_unless_the_task_gives_its_own(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'], notes='Release 12 (CHG-88)')
    saved = deploy(run_module, manifest, state='present')
    assert simulator.state.deployment(saved['deployment_key']).notes.startswith('Release 12 (CHG-88)\n[outsystems.lifetime run ')
    run_module('lifetime_deployment', dict(source_environment=QA, target_environment='Production', manifest=manifest, state='absent'))
    own = deploy(run_module, manifest, state='present', notes='Hotfix window')
    assert simulator.state.deployment(own['deployment_key']).notes.startswith('Hotfix window\n')


@pytest.mark.parametrize('target', ['production', 'PRODUCTION', ' Production ', 'Production'])
def test_a_reference_is_ambiguous_whatever_its_case_or_spaces(run_module, simulator, target):
    # The manifest's label of Quality Assurance differs from the name of Production only in case and spaces.
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = relabel(manifest_of(run_module, QA, ['EmployeeBackoffice']),
                       {'Development': 'DEV', QA: 'production ', 'Production': 'PRD'})
    simulator.clear_requests()

    result = deploy(run_module, manifest, source_environment='Development', target_environment=target)

    assert result['failed'] is True and 'is ambiguous' in result['msg'], result
    assert 'Production (%s)' % simulator.state.environment('Production').key in result['msg']
    assert 'Quality Assurance (%s)' % simulator.state.environment(QA).key in result['msg']
    assert simulator.writes() == []


def test_a_label_in_another_case_means_its_environment_when_nothing_else_is_meant(run_module, simulator):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = relabel(manifest_of(run_module, QA, ['EmployeeBackoffice']), {'Development': 'DEV', QA: 'QA', 'Production': 'PRD'})
    result = deploy(run_module, manifest, source_environment='qa', target_environment=' prd')
    assert result.get('failed') is not True, result
    plan = simulator.state.deployment_summary(simulator.state.deployment(result['deployment_key']))
    assert (plan['source'], plan['target']) == (QA, 'Production')


@pytest.mark.parametrize('kind', ['fifo', 'device', 'dangling link', 'blank'])
def test_a_manifest_dest_that_is_not_a_regular_file_is_refused_before_any_request(run_module, simulator, tmp_path, kind):
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    manifest = manifest_of(run_module, QA, ['EmployeeBackoffice'])
    dest = tmp_path / 'production.json'
    if kind == 'fifo':
        os.mkfifo(str(dest))
    elif kind == 'device':
        dest = '/dev/null'
    elif kind == 'dangling link':
        dest.symlink_to(tmp_path / 'nowhere.json')
    else:
        dest = '  '
    simulator.clear_requests()
    for check_mode in (True, False):
        result = run_module('lifetime_deployment', dict(source_environment=QA, target_environment='Production', manifest=manifest,
                                                        manifest_dest=str(dest)), check_mode=check_mode)
        assert result['failed'] is True and result['parameter'] == 'manifest_dest', result
    assert simulator.requests == []
    assert os.path.exists('/dev/null') and not os.path.isfile('/dev/null')
