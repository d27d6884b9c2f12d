# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_deployment with a release manifest: exactly its versions, checked against LifeTime before anything is written."""

import copy
import json

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
