# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_manifest against the simulator: the file it writes, compared with what the simulator runs, and the requests it sent."""

import json
import os
import stat

import pytest

MODULE = 'lifetime_manifest'
QA = 'Quality Assurance'
APPS = ['EmployeeBackoffice', 'Directory Mobile']


def expected_entry(sim, env, app, test=False):
    """The entry the simulator's own state says the manifest must hold."""
    version = sim.state.version(app, sim.state.running_version(env, app))
    application = sim.state.application(app)
    return {
        'ApplicationKey': application.key,
        'ApplicationName': application.name,
        'VersionKey': version.key,
        'VersionNumber': version.number,
        'ChangeLog': version.change_log,
        'IsTestApplication': test,
        'DeploymentZoneKey': '',
        'DeploymentZoneName': None,
    }


def without_dates(entries):
    return [dict((field, value) for field, value in entry.items() if field != 'CreatedOn') for entry in entries]


def read(path):
    with open(path) as handle:
        return json.load(handle)


def test_the_file_names_exactly_the_versions_the_environment_runs(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'

    result = run_module(MODULE, dict(environment=QA, applications=APPS, notes='Release 7', dest=str(dest)))

    assert result['changed'] is True, result
    data = read(dest)
    assert data == result['manifest']
    # Sorted by name, whatever order the task gave.
    assert without_dates(data['ApplicationVersions']) == [expected_entry(simulator, QA, 'Directory Mobile'),
                                                          expected_entry(simulator, QA, 'EmployeeBackoffice')]
    assert data['ApplicationVersions'][1]['VersionNumber'] == '1.2'
    assert data['DeploymentNotes'] == 'Release 7'
    assert data['EnvironmentDefinitions'] == [
        {'EnvironmentKey': env.key, 'EnvironmentName': env.name, 'EnvironmentLabel': env.name} for env in simulator.state.environments()]
    assert 'ConfigurationItems' not in data
    assert result['dest'] == str(dest)
    assert simulator.writes() == []


def test_created_on_is_lifetimes_own_text(run_module, simulator):
    from tests.simulator.client import Client
    app = simulator.state.application('EmployeeBackoffice')
    key = simulator.state.running_version_key(QA, app)
    served = Client(simulator).get('/applications/%s/versions/%s/?IncludeModules=false' % (app.key, key)).json()

    result = run_module(MODULE, dict(environment=QA, applications=['EmployeeBackoffice']))

    assert result['manifest']['ApplicationVersions'][0]['CreatedOn'] == served['CreatedOn']
    assert served['CreatedOn'].endswith('Z')


def test_a_second_run_changes_nothing_and_leaves_the_file_alone(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    first = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))
    before = os.stat(dest)

    second = run_module(MODULE, dict(environment=QA, applications=list(reversed(APPS)), dest=str(dest)))

    assert first['changed'] is True and second['changed'] is False, second
    assert 'nothing written' in second['msg']
    after = os.stat(dest)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_same_data_formatted_otherwise_is_unchanged(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))
    dest.write_text(json.dumps(result['manifest']))
    compact = dest.read_bytes()

    again = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))

    assert again['changed'] is False, again
    assert dest.read_bytes() == compact


def test_a_new_version_running_changes_the_file(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')

    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)), diff=True)

    assert result['changed'] is True, result
    entry = next(e for e in read(dest)['ApplicationVersions'] if e['ApplicationName'] == 'EmployeeBackoffice')
    assert entry['VersionNumber'] == '1.3'
    assert entry['VersionKey'] == simulator.state.running_version_key(QA, 'EmployeeBackoffice')
    assert '"1.2"' in result['diff']['before'] and '"1.3"' in result['diff']['after']


def test_check_mode_writes_nothing_and_says_what_it_would_write(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'

    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)), check_mode=True, diff=True)

    assert result['changed'] is True, result
    assert result['msg'].startswith('Would write')
    assert not dest.exists()
    assert os.listdir(tmp_path) == []
    assert result['diff']['before'] == ''
    assert json.loads(result['diff']['after']) == result['manifest']


def test_the_file_content_is_deterministic(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))
    text = dest.read_text()

    assert text == json.dumps(json.loads(text), indent=4, sort_keys=True) + '\n'
    assert text.isascii()


def test_an_existing_file_keeps_its_mode(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    dest.write_text('{}')
    os.chmod(dest, 0o640)

    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(dest)))

    assert result['changed'] is True
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o640
    assert read(dest)['ApplicationVersions']
    assert sorted(os.listdir(tmp_path)) == ['release.json']


def test_without_applications_every_non_system_application_running_there(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA))

    names = [entry['ApplicationName'] for entry in result['manifest']['ApplicationVersions']]
    expected = sorted((app.name for app in simulator.state.running_apps(QA) if not app.is_system), key=str.lower)
    assert names == expected
    assert 'ServiceCenter' not in names and 'Google Maps Web' not in names
    assert result['changed'] is False


def test_without_dest_the_manifest_is_only_returned(run_module, simulator, tmp_path):
    result = run_module(MODULE, dict(environment=QA, applications=APPS))

    assert result['changed'] is False
    assert 'dest' not in result
    assert len(result['manifest']['ApplicationVersions']) == 2


def test_test_applications_are_marked(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA, applications=APPS, test_applications=['directory mobile']))

    flags = dict((e['ApplicationName'], e['IsTestApplication']) for e in result['manifest']['ApplicationVersions'])
    assert flags == {'Directory Mobile': True, 'EmployeeBackoffice': False}


def test_a_test_application_outside_the_manifest_fails(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA, applications=['EmployeeBackoffice'], test_applications=['Directory Mobile']))

    assert result['failed'] is True
    assert 'test_applications[0] is Directory Mobile, which is not one of the applications' in result['msg']


def test_an_application_modified_there_fails_and_writes_nothing(run_module, simulator, tmp_path):
    dest = tmp_path / 'release.json'
    assert simulator.state.is_modified('Development', 'Customer Portal')

    result = run_module(MODULE, dict(environment='Development', applications=['Customer Portal'], dest=str(dest)))

    assert result['failed'] is True
    assert 'Customer Portal is modified in Development' in result['msg']
    assert 'lifetime_app_version' in result['msg']
    assert not dest.exists()


def test_an_application_that_does_not_run_there_fails(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA, applications=['EmployeeBackoffice', 'Google Maps Web']))

    assert result['failed'] is True
    assert result['msg'].startswith('Google Maps Web does not run in Quality Assurance (applications[1])')


def test_an_unknown_application_lists_those_that_exist(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA, applications=['Nope']))

    assert result['failed'] is True
    assert "No application 'Nope'" in result['msg'] and 'EmployeeBackoffice' in result['msg']


def test_a_dest_that_cannot_be_written_fails_before_asking_lifetime(run_module, simulator, tmp_path):
    simulator.clear_requests()

    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest=str(tmp_path / 'missing' / 'release.json')))

    assert result['failed'] is True
    assert 'The directory of dest does not exist' in result['msg']
    assert simulator.requests == []


# -- source_manifest --------------------------------------------------------------------------------------------------

def source_manifest(sim, **extra):
    envs = sim.state.environments()
    data = {
        'ApplicationVersions': [
            dict(expected_entry(sim, QA, 'EmployeeBackoffice', test=False), CreatedOn='2024-01-01T00:00:00Z'),
            dict(expected_entry(sim, QA, 'Directory Mobile', test=True), CreatedOn='2024-01-01T00:00:00Z'),
        ],
        'EnvironmentDefinitions': [
            {'EnvironmentKey': env.key, 'EnvironmentName': env.name, 'EnvironmentLabel': label}
            for env, label in zip(envs, ['DEV', 'QA', 'PRD'])],
        'DeploymentNotes': 'Sprint 9',
        'ConfigurationItems': [{
            'ModuleKey': 'm-1', 'ModuleName': 'EmployeeBackoffice', 'ConfigurationItemKey': 'c-1',
            'ConfigurationItemName': 'ApiUrl', 'ConfigurationItemType': 'SiteProperty',
            'Values': [{'EnvironmentKey': envs[2].key, 'EnvironmentName': envs[2].name, 'TargetValue': 'https://api'}]}],
    }
    data.update(extra)
    return data


def test_source_manifest_carries_labels_flags_notes_and_configuration_items(run_module, simulator, tmp_path):
    source = source_manifest(simulator)
    path = tmp_path / 'trigger.json'
    path.write_text(json.dumps(source))
    simulator.state.set_running_version('Production', 'EmployeeBackoffice', '1.3')

    result = run_module(MODULE, dict(environment='PRD', source_manifest=str(path)))

    assert not result.get('failed'), result
    data = result['manifest']
    assert [e['EnvironmentLabel'] for e in data['EnvironmentDefinitions']] == ['DEV', 'QA', 'PRD']
    assert data['DeploymentNotes'] == 'Sprint 9'
    assert data['ConfigurationItems'] == source['ConfigurationItems']
    # The applications of the source manifest, at the versions Production runs.
    versions = dict((e['ApplicationName'], (e['VersionNumber'], e['IsTestApplication'])) for e in data['ApplicationVersions'])
    assert versions == {'EmployeeBackoffice': ('1.3', False), 'Directory Mobile': ('0.4', True)}
    assert 'carries 1 configuration item (1 with a value for Production: EmployeeBackoffice.ApiUrl)' in result['msg']
    assert 'not applied' in result['msg']


def test_inline_source_manifest_and_explicit_notes(run_module, simulator):
    result = run_module(MODULE, dict(environment=QA, source_manifest=source_manifest(simulator), notes='Hotfix',
                                     applications=['EmployeeBackoffice']))

    data = result['manifest']
    assert data['DeploymentNotes'] == 'Hotfix'
    assert [e['ApplicationName'] for e in data['ApplicationVersions']] == ['EmployeeBackoffice']


@pytest.mark.parametrize('change, message', [
    (lambda d: d['ApplicationVersions'][1].pop('VersionKey'), 'source_manifest.ApplicationVersions[1].VersionKey is missing.'),
    (lambda d: d['ApplicationVersions'][0].update(VersionNumber=1.1),
     'source_manifest.ApplicationVersions[0].VersionNumber is the number 1.1, not text'),
    (lambda d: d.update(ApplicationVersions=[]), 'source_manifest.ApplicationVersions is empty'),
])
def test_a_malformed_source_manifest_fails_before_asking_lifetime(run_module, simulator, change, message):
    source = source_manifest(simulator)
    change(source)
    simulator.clear_requests()

    result = run_module(MODULE, dict(environment=QA, source_manifest=source))

    assert result['failed'] is True
    assert message in result['msg'], result['msg']
    assert simulator.requests == []


def test_a_dest_where_nothing_can_be_written_fails_before_asking_lifetime(run_module, simulator):
    simulator.clear_requests()

    result = run_module(MODULE, dict(environment=QA, applications=APPS, dest='/proc/release.json'))

    assert result['failed'] is True
    assert result['msg'].startswith('Nothing can be written in the directory of dest, /proc') or 'not writable' in result['msg'], result
    assert simulator.requests == []


def test_without_requests_the_module_says_which_library_to_install(run_module, simulator, monkeypatch):
    from ansible_collections.outsystems.lifetime.plugins.module_utils import _module
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')

    result = run_module(MODULE, dict(environment=QA))

    assert result['failed'] is True
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert simulator.requests == []


def test_manifest_of_reads_lifetime_again_when_asked_for_a_fresh_view(simulator):
    from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
    from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import manifest_of
    from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver
    client = LifeTimeClient(simulator.url, simulator.token)
    try:
        resolver = Resolver(client)
        application = resolver.application('EmployeeBackoffice')
        assert manifest_of(resolver, QA, [application])['ApplicationVersions'][0]['VersionNumber'] == '1.2'
        # A deployment happens: the resolver's cached statuses are those of before.
        simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')

        stale = manifest_of(resolver, QA, [application])
        fresh = manifest_of(resolver, QA, [application], fresh=True)
    finally:
        client.close()

    assert stale['ApplicationVersions'][0]['VersionNumber'] == '1.2'
    assert fresh['ApplicationVersions'][0]['VersionNumber'] == '1.3'
    assert fresh['ApplicationVersions'][0]['VersionKey'] == simulator.state.running_version_key(QA, 'EmployeeBackoffice')
