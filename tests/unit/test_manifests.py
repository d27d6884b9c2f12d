# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release manifest format: reading (file, text, inline), the sentences for what is wrong, labels, writing."""

import copy
import json
import os
import stat

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils import _manifests as manifests
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver

DEV, QA, PRD = ('f3582e43-43c7-4bb4-8cbb-d9f6cbcbd35e', 'f5d16abb-612d-4fa5-a34e-4695e49678b2', '849515f2-b4ff-4aca-a9d6-9407bea655f4')


def entry(name, key, version, version_key, test=False):
    return {'ApplicationKey': key, 'ApplicationName': name, 'VersionKey': version_key, 'VersionNumber': version,
            'CreatedOn': '2024-05-02T10:31:07.26Z', 'ChangeLog': 'Sprint', 'IsTestApplication': test,
            'DeploymentZoneKey': '', 'DeploymentZoneName': None}


SAMPLE = {
    'ApplicationVersions': [
        entry('EmployeeBackoffice', 'app-1', '1.3', 'ver-13'),
        entry('Directory Mobile', 'app-2', '0.4', 'ver-04'),
        entry('EmployeeBackoffice Tests', 'app-3', '1.0', 'ver-10', test=True),
    ],
    'EnvironmentDefinitions': [
        {'EnvironmentKey': DEV, 'EnvironmentName': 'Development', 'EnvironmentLabel': 'DEV'},
        {'EnvironmentKey': QA, 'EnvironmentName': 'Quality Assurance', 'EnvironmentLabel': 'QA'},
        {'EnvironmentKey': PRD, 'EnvironmentName': 'Production', 'EnvironmentLabel': 'PRD'},
    ],
    'DeploymentNotes': 'Release 7',
    'ConfigurationItems': [{
        'ModuleKey': 'mod-1', 'ModuleName': 'EmployeeBackoffice', 'ConfigurationItemKey': 'cfg-1', 'ConfigurationItemName': 'ApiUrl',
        'ConfigurationItemType': 'SiteProperty', 'Extra': 'kept',
        'Values': [{'EnvironmentKey': PRD, 'EnvironmentName': 'Production', 'TargetValue': 'https://api.example.com'},
                   {'EnvironmentKey': QA, 'EnvironmentName': 'Quality Assurance', 'TargetValue': 'https://qa.example.com'}]}],
}


def sample(**changes):
    data = copy.deepcopy(SAMPLE)
    data.update(changes)
    return data


def failure(value, parameter='manifest'):
    with pytest.raises(LifeTimeUsageError) as info:
        manifests.load_manifest(value, parameter)
    return str(info.value)


# -- reading ----------------------------------------------------------------------------------------------------------

def test_inline_data_is_read_into_snake_case_entries():
    manifest = manifests.load_manifest(sample())

    assert manifest.applications[0] == {
        'index': 0, 'application_key': 'app-1', 'application_name': 'EmployeeBackoffice', 'version_key': 'ver-13',
        'version_number': '1.3', 'created_on': '2024-05-02T10:31:07.26Z', 'change_log': 'Sprint', 'is_test_application': False,
        'deployment_zone_key': '', 'deployment_zone_name': None}
    assert manifest.environments[1] == {'environment_key': QA, 'environment_name': 'Quality Assurance', 'environment_label': 'QA'}
    assert manifest.notes == 'Release 7'
    assert manifest.configuration_items == SAMPLE['ConfigurationItems']
    assert manifest.origin == 'the manifest given inline'


def test_a_json_file_a_yaml_file_and_json_text_read_the_same(tmp_path):
    json_file = tmp_path / 'trigger.json'
    json_file.write_text(json.dumps(SAMPLE, indent=4))
    yaml_file = tmp_path / 'trigger.yml'
    yaml_file.write_text(_yaml(SAMPLE))

    from_json = manifests.load_manifest(str(json_file))
    from_yaml = manifests.load_manifest(str(yaml_file))
    from_text = manifests.load_manifest(json.dumps(SAMPLE))

    assert from_json.data == from_yaml.data == from_text.data == manifests.load_manifest(SAMPLE).data
    assert from_json.origin == 'manifest %s' % json_file


def _yaml(data):
    import yaml
    return yaml.safe_dump(data, default_flow_style=False)


def test_an_unquoted_created_on_read_by_yaml_stays_the_text_written(tmp_path):
    path = tmp_path / 'trigger.yml'
    path.write_text(_yaml(SAMPLE).replace("'2024-05-02T10:31:07.26Z'", '2024-05-02T10:31:07.26Z'))

    manifest = manifests.load_manifest(str(path))

    assert manifest.applications[0]['created_on'] == '2024-05-02T10:31:07.26Z'


def test_missing_fields_are_named_with_their_place():
    data = sample()
    del data['ApplicationVersions'][2]['VersionKey']
    assert failure(data) == 'manifest.ApplicationVersions[2].VersionKey is missing.'
    data = sample()
    data['ApplicationVersions'][0]['ApplicationName'] = ' '
    assert failure(data, 'source_manifest') == 'source_manifest.ApplicationVersions[0].ApplicationName is empty.'
    data = sample()
    del data['EnvironmentDefinitions'][1]['EnvironmentLabel']
    assert failure(data) == 'manifest.EnvironmentDefinitions[1].EnvironmentLabel is missing.'
    data = sample()
    del data['ConfigurationItems'][0]['Values'][1]['TargetValue']
    assert failure(data) == 'manifest.ConfigurationItems[0].Values[1].TargetValue is missing.'


def test_an_unquoted_version_number_asks_to_quote_it(tmp_path):
    path = tmp_path / 'trigger.yml'
    path.write_text(_yaml(SAMPLE).replace("VersionNumber: '1.3'", 'VersionNumber: 1.30'))

    message = failure(str(path))

    assert message.startswith('manifest.ApplicationVersions[0].VersionNumber is the number 1.3, not text')
    assert 'VersionNumber: "1.10"' in message


@pytest.mark.parametrize('change, message', [
    (dict(ApplicationVersions=None), 'manifest.ApplicationVersions is missing: a manifest lists the application versions to deploy.'),
    (dict(ApplicationVersions=[]), 'manifest.ApplicationVersions is empty: the manifest names no application version to deploy.'),
    (dict(ApplicationVersions={'a': 1}), 'manifest.ApplicationVersions must be a list, not a mapping.'),
    (dict(ApplicationVersions=['EmployeeBackoffice']),
     "manifest.ApplicationVersions[0] must be a mapping (with ApplicationKey, ApplicationName, VersionKey and VersionNumber), "
     "not 'EmployeeBackoffice'."),
    (dict(DeploymentNotes=7), 'manifest.DeploymentNotes must be text, not the number 7.'),
    (dict(EnvironmentDefinitions='QA'), "manifest.EnvironmentDefinitions must be a list, not 'QA'."),
])
def test_wrong_shapes_are_one_sentence(change, message):
    assert failure(sample(**change)) == message


def test_a_test_flag_must_be_a_boolean():
    data = sample()
    data['ApplicationVersions'][1]['IsTestApplication'] = 'yes'
    assert failure(data) == "manifest.ApplicationVersions[1].IsTestApplication must be true or false, not 'yes'."


def test_an_application_listed_twice_is_refused():
    data = sample()
    data['ApplicationVersions'].append(entry('EmployeeBackoffice', 'APP-1', '1.2', 'ver-12'))
    assert failure(data) == ('manifest.ApplicationVersions lists application EmployeeBackoffice twice (entries 0 and 3): a manifest '
                             'names one version per application.')


def test_a_label_used_twice_is_refused():
    data = sample()
    data['EnvironmentDefinitions'][2]['EnvironmentLabel'] = 'QA'
    assert failure(data) == "manifest.EnvironmentDefinitions has the label 'QA' twice: a label must name one environment."


def test_labels_that_differ_only_in_case_or_spaces_are_refused():
    data = sample()
    data['EnvironmentDefinitions'][2]['EnvironmentLabel'] = ' qa'
    assert failure(data) == ("manifest.EnvironmentDefinitions has the labels 'QA' and ' qa', which differ only in case or spaces: a label "
                             "must name one environment.")


def test_a_deployment_manifest_is_recognised_and_refused():
    assert failure([{'ApplicationName': 'EmployeeBackoffice', 'Version': '1.3'}]).startswith(
        'manifest is a list, not a mapping: it looks like a deployment manifest')


def test_files_that_cannot_be_read_say_why(tmp_path):
    assert failure(str(tmp_path / 'nope.json')).startswith('manifest %s does not exist on the host that runs the task' % (tmp_path / 'nope.json'))
    assert failure(str(tmp_path)).endswith('is not a file: give the path of a manifest file (JSON or YAML).')
    broken = tmp_path / 'broken.json'
    broken.write_text('{"ApplicationVersions": [\n  {"a": 1,,}\n')
    assert failure(str(broken)).startswith('manifest %s is neither JSON nor YAML (line 2)' % broken)
    assert failure('') == 'manifest is empty: give the path of a manifest file (JSON or YAML) or the manifest itself.'
    assert failure(42) == ('manifest must be the path of a manifest file (JSON or YAML) or the manifest itself (a mapping with '
                           'ApplicationVersions), not the number 42.')


def test_environment_definitions_are_optional_for_reading():
    manifest = manifests.load_manifest(sample(EnvironmentDefinitions=None, DeploymentNotes=None, ConfigurationItems=None))
    assert manifest.environments == [] and manifest.notes is None and manifest.configuration_items == []
    assert manifest.environment('QA') is None


# -- using what was read ----------------------------------------------------------------------------------------------

def test_environments_are_found_by_label_then_name_then_key():
    manifest = manifests.load_manifest(sample())
    assert manifest.environment('QA')['environment_key'] == QA
    assert manifest.environment('Production')['environment_label'] == 'PRD'
    assert manifest.environment(DEV.upper())['environment_name'] == 'Development'
    assert manifest.environment('prd')['environment_key'] == PRD
    assert manifest.environment('Staging') is None


def test_a_label_wins_over_another_environments_name():
    data = sample()
    data['EnvironmentDefinitions'][1]['EnvironmentLabel'] = 'Production'
    data['EnvironmentDefinitions'][2]['EnvironmentLabel'] = 'Live'
    assert manifests.load_manifest(data).environment('Production')['environment_key'] == QA


def test_test_applications_are_left_out_unless_asked():
    manifest = manifests.load_manifest(sample())
    assert [e['application_name'] for e in manifest.to_deploy()] == ['EmployeeBackoffice', 'Directory Mobile']
    assert [e['index'] for e in manifest.to_deploy(include_test_applications=True)] == [0, 1, 2]


def test_configuration_items_are_reported_for_the_target_and_never_dropped():
    manifest = manifests.load_manifest(sample())

    assert manifest.configuration_items_for(PRD) == [{
        'module_key': 'mod-1', 'module_name': 'EmployeeBackoffice', 'configuration_item_key': 'cfg-1', 'configuration_item_name': 'ApiUrl',
        'configuration_item_type': 'SiteProperty', 'target_value': 'https://api.example.com', 'environment_name': 'Production'}]
    assert manifest.configuration_items_for(DEV) == []
    assert manifest.data['ConfigurationItems'][0]['Extra'] == 'kept'
    note = manifest.configuration_note({'Key': PRD, 'Name': 'Production'})
    assert note.startswith('The manifest given inline carries 1 configuration item (1 with a value for Production: EmployeeBackoffice.ApiUrl)')
    assert 'not applied' in note
    assert manifests.load_manifest(sample(ConfigurationItems=[])).configuration_note() == ''


# -- against LifeTime (a fake client: what the Resolver asks for) -----------------------------------------------------

class FakeClient:
    def __init__(self):
        self.environments = [dict(Key=DEV, Name='Development', Order=0), dict(Key=QA, Name='Quality Assurance', Order=1),
                             dict(Key=PRD, Name='Production', Order=2)]
        self.apps = [dict(Key='app-1', Name='EmployeeBackoffice', AppStatusInEnvs=[]),
                     dict(Key='app-2', Name='Directory Mobile', AppStatusInEnvs=[])]
        self.versions = {'app-1': [dict(Key='ver-13', Version='1.3'), dict(Key='ver-12', Version='1.2')],
                         'app-2': [dict(Key='ver-04', Version='0.4')]}

    def list_environments(self):
        return self.environments

    def list_applications(self, include_env_status=True, include_modules=False):
        return self.apps

    def list_application_versions(self, key, maximum=None):
        return self.versions[key]

    def get_application_version(self, app_key, version_key):
        from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeNotFoundError
        raise LifeTimeNotFoundError('GET', '/applications/%s/versions/%s/' % (app_key, version_key), status=404)


def test_environments_resolve_by_label_or_by_lifetimes_names():
    resolver = Resolver(FakeClient())
    manifest = manifests.load_manifest(sample())
    assert manifests.resolve_environment(resolver, manifest, 'PRD', 'target_environment')['Name'] == 'Production'
    assert manifests.resolve_environment(resolver, manifest, 'Quality Assurance', 'source_environment')['Key'] == QA
    assert manifests.resolve_environment(resolver, None, 'Development', 'source_environment')['Key'] == DEV
    with pytest.raises(LifeTimeLookupError) as info:
        manifests.resolve_environment(resolver, manifest, 'Staging', 'target_environment')
    assert "No environment 'Staging' (target_environment)" in str(info.value)


def test_a_label_of_an_environment_lifetime_does_not_have_is_named():
    data = sample()
    data['EnvironmentDefinitions'].append({'EnvironmentKey': 'env-x', 'EnvironmentName': 'Staging', 'EnvironmentLabel': 'STG'})
    with pytest.raises(LifeTimeLookupError) as info:
        manifests.resolve_environment(Resolver(FakeClient()), manifests.load_manifest(data), 'STG', 'target_environment')
    assert str(info.value).startswith("target_environment 'STG' is the label of environment Staging (env-x) in the manifest given inline")


def test_every_version_to_deploy_is_found_by_key():
    resolver = Resolver(FakeClient())
    found = manifests.resolve_versions(resolver, manifests.load_manifest(sample(ApplicationVersions=SAMPLE['ApplicationVersions'][:2])))
    assert [(app['Name'], version['Version']) for app, version, dummy in found] == [('EmployeeBackoffice', '1.3'), ('Directory Mobile', '0.4')]


def test_a_missing_application_or_version_or_a_number_that_disagrees_fails():
    resolver = Resolver(FakeClient())
    with pytest.raises(LifeTimeLookupError) as info:
        manifests.resolve_versions(resolver, manifests.load_manifest(sample()), include_test_applications=True)
    assert str(info.value).startswith('manifest.ApplicationVersions[2].ApplicationKey: LifeTime has no application EmployeeBackoffice Tests')
    data = sample()
    data['ApplicationVersions'][1]['VersionKey'] = 'ver-gone'
    with pytest.raises(LifeTimeLookupError) as info:
        manifests.resolve_versions(resolver, manifests.load_manifest(data))
    assert str(info.value).startswith('manifest.ApplicationVersions[1].VersionKey: LifeTime has no version 0.4 (key ver-gone) of Directory Mobile')
    data = sample()
    data['ApplicationVersions'][0]['VersionNumber'] = '1.2'
    with pytest.raises(LifeTimeUsageError) as info:
        manifests.resolve_versions(resolver, manifests.load_manifest(data))
    assert str(info.value).startswith('manifest.ApplicationVersions[0].VersionNumber is 1.2, but version key ver-13 of EmployeeBackoffice '
                                      'is version 1.3')


# -- writing ----------------------------------------------------------------------------------------------------------

def test_the_text_is_sorted_indented_ascii_with_a_final_newline():
    data = sample()
    data['DeploymentNotes'] = 'Versão 7'
    text = manifests.manifest_text(data)
    assert text.endswith('}\n') and text.isascii()
    assert '    "ApplicationVersions": [' in text
    assert text.index('"ApplicationVersions"') < text.index('"ConfigurationItems"') < text.index('"DeploymentNotes"')
    assert json.loads(text) == data
    assert manifests.manifest_text(json.loads(text)) == text


def test_write_is_idempotent_by_content(tmp_path):
    dest = tmp_path / 'release.json'
    first = manifests.write_manifest(str(dest), SAMPLE)
    assert first['changed'] is True and first['before'] == '' and first['dest'] == str(dest)
    dest.write_text(json.dumps(SAMPLE))
    second = manifests.write_manifest(str(dest), SAMPLE)
    assert second['changed'] is False
    assert dest.read_text() == json.dumps(SAMPLE)


def test_check_mode_writes_nothing(tmp_path):
    dest = tmp_path / 'release.json'
    outcome = manifests.write_manifest(str(dest), SAMPLE, check_mode=True)
    assert outcome['changed'] is True and not dest.exists()
    assert os.listdir(tmp_path) == []


def test_a_file_that_is_not_a_manifest_is_replaced_only_with_force_keeping_its_mode(tmp_path):
    dest = tmp_path / 'release.json'
    dest.write_text('not json')
    os.chmod(dest, 0o600)
    with pytest.raises(LifeTimeUsageError, match='force: true'):
        manifests.write_manifest(str(dest), SAMPLE)
    assert dest.read_text() == 'not json'
    outcome = manifests.write_manifest(str(dest), SAMPLE, force=True)
    assert outcome['changed'] is True and outcome['before'] == ''
    assert 'not a release manifest' in outcome['before_header']
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    assert json.loads(dest.read_text()) == SAMPLE
    assert os.listdir(tmp_path) == ['release.json']


def test_a_directory_as_dest_is_refused(tmp_path):
    with pytest.raises(LifeTimeUsageError) as info:
        manifests.write_manifest(str(tmp_path), SAMPLE)
    assert 'is a directory' in str(info.value)


def test_the_pipelines_deployment_manifest_file_is_refused_for_what_it_is(tmp_path):
    path = tmp_path / 'deployment_manifest.cache'
    path.write_text(json.dumps([{'ApplicationName': 'EmployeeBackoffice', 'ApplicationKey': 'app-1', 'Version': '1.3'}]))
    assert 'it looks like a deployment manifest' in failure(str(path))
