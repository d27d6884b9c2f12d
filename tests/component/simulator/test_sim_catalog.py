# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Environments, applications, versions (tagging and deletion) and modules."""

from __future__ import annotations

import time

from tests.simulator import Simulator
from tests.simulator.client import Client, key_of


def test_environments_match_the_default_world(api, simulator):
    envs = api.get('/environments/').json()
    assert [(e['Name'], e['Order'], e['EnvironmentType']) for e in envs] == [
        ('Development', 0, 'Development'), ('Quality Assurance', 1, ''), ('Production', 2, 'Production')]
    assert envs[0]['Key'] == 'f3582e43-43c7-4bb4-8cbb-d9f6cbcbd35e'
    assert envs[2]['Key'] == '849515f2-b4ff-4aca-a9d6-9407bea655f4'
    one = api.get('/environments/%s/' % envs[1]['Key'])
    assert one.json() == envs[1]
    reply = api.get('/environments/not-an-env/')
    assert reply.status == 404 and 'not-an-env' in reply.json()['Errors'][0]


def test_deployment_zones_have_one_default(api, simulator):
    zones = api.get('/environments/%s/deploymentzones/' % simulator.state.environment('Production').key).json()
    assert [z['Name'] for z in zones] == ['Global', 'Internal']
    assert [z['IsDefault'] for z in zones] == [True, False]
    assert set(zones[0]['DeploymentTechnology']) == {'Key', 'Name'}


def test_application_status_per_environment(api, simulator):
    state = simulator.state
    app = state.application('Customer Portal')
    data = api.get('/applications/%s/' % app.key, query={'IncludeEnvStatus': 'true', 'IncludeModules': 'true'}).json()
    by_env = {s['EnvironmentKey']: s for s in data['AppStatusInEnvs']}
    dev = by_env[state.environment('Development').key]
    assert dev['IsModified'] is True and dev['IsModifiedReason'] == 'Module_Modified'
    assert dev['IsModifiedMessage'] == 'At least one module was modified since the version 2.1'
    assert dev['BaseApplicationVersionKey'] == state.version(app, '2.1').key
    assert len(dev['ModuleStatusInEnvs']) == 3
    assert by_env[state.environment('Production').key]['IsModified'] is False
    plain = api.get('/applications/%s/' % app.key).json()
    assert plain['AppStatusInEnvs'] == []
    assert api.get('/applications/unknown-app/').status == 404


def test_only_customer_portal_is_modified_in_development(simulator):
    state = simulator.state
    modified = [a.name for a in state.running_apps('Development') if state.is_modified('Development', a)]
    assert modified == ['Customer Portal']
    assert state.running_version('Development', 'EmployeeBackoffice') == '1.3'
    assert state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    assert state.running_version('Quality Assurance', 'EmployeeBackoffice') == '1.2'
    assert state.running_version('Production', 'Google Maps Web') is None
    assert [v.number for v in state.versions('Directory Mobile')] == ['0.3', '0.4']
    assert state.application('ServiceCenter').is_system


def test_running_application_in_an_environment(api, simulator):
    state = simulator.state
    prd = state.environment('Production')
    apps = api.get('/environments/%s/applications/' % prd.key, query={'IncludeEnvStatus': 'true'}).json()
    assert {a['Name'] for a in apps} == {'EmployeeBackoffice', 'Directory Mobile', 'Customer Portal', 'Orders API', 'ServiceCenter'}
    assert all([s['EnvironmentKey'] for s in a['AppStatusInEnvs']] == [prd.key] for a in apps)
    one = api.get('/environments/%s/applications/%s/' % (prd.key, state.application('EmployeeBackoffice').key),
                  query={'IncludeEnvStatus': 'True', 'IncludeModules': 'True'}).json()
    assert one['AppStatusInEnvs'][0]['BaseApplicationVersionKey'] == state.version('EmployeeBackoffice', '1.2').key
    missing = api.get('/environments/%s/applications/%s/' % (prd.key, state.application('Google Maps Web').key))
    assert missing.status == 404 and 'not running' in missing.json()['Errors'][0]
    reply = api.get('/environments/%s/applications/%s/' % (prd.key, state.application('EmployeeBackoffice').key),
                    query={'IncludeModules': 'true'})
    assert reply.status == 400


def test_mobile_status_lists_native_builds(api, simulator):
    state = simulator.state
    data = api.get('/applications/%s/' % state.application('Directory Mobile').key, query={'IncludeEnvStatus': 'true'}).json()
    mobile = data['AppStatusInEnvs'][0]['MobileAppsStatus']
    assert [(m['NativePlatform'], m['VersionNumber']) for m in mobile] == [('Android', '0.4')]


def test_versions_are_listed_newest_first_and_filtered(api, simulator):
    app = simulator.state.application('EmployeeBackoffice').key
    versions = api.get('/applications/%s/versions/' % app).json()
    assert [v['Version'] for v in versions] == ['1.3', '1.2', '1.1', '1.0']
    assert versions[-1]['Key'] == 'b3d2ef6b-e5c5-4c7e-851e-0547f7bd634c'
    assert [v['Version'] for v in api.get('/applications/%s/versions/' % app,
                                          query={'MaximumVersionsToReturn': 2}).json()] == ['1.3', '1.2']
    assert [v['Version'] for v in api.get('/applications/%s/versions/' % app,
                                          query={'ChangeLogFilter': 'vacation'}).json()] == ['1.2']
    assert api.get('/applications/%s/versions/' % app, query={'ChangeLogFilter': 'nothing like it'}).status == 204
    reply = api.get('/applications/%s/versions/' % app, query={'MaximumVersionsToReturn': -1})
    assert reply.status == 400 and 'less than 0' in reply.json()['Errors'][0]


def test_default_maximum_versions_is_five(make_simulator):
    sim = make_simulator(scenario={'environments': [{'name': 'Dev'}], 'applications': [
        {'name': 'Many', 'versions': ['1.%d' % i for i in range(8)], 'running': {'Dev': '1.7'}}]})
    api = Client(sim)
    app = sim.state.application('Many').key
    assert len(api.get('/applications/%s/versions/' % app).json()) == 5
    assert len(api.get('/applications/%s/versions/' % app, query={'MaximumVersionsToReturn': 10}).json()) == 8


def test_version_details_and_modules(api, simulator):
    state = simulator.state
    app = state.application('Directory Mobile')
    old = state.version(app, '0.3')
    data = api.get('/applications/%s/versions/%s/' % (app.key, old.key), query={'IncludeModules': 'true'}).json()
    assert data['Version'] == '0.3' and data['InUse'] is False and data['NativeHash'] == 'ab73331b-1891-2cd1-ac84-c5cf94f1a5b5'
    assert [m['Key'] for m in data['ModuleVersions']] == ['75b5d7a2-4336-4a1d-99ab-53ba73cc8172',
                                                          '619b072c-cc34-49a2-8304-05d184d47021',
                                                          '78a4f4de-49a4-4b0b-9ca1-7cffc24de6f3']
    other = state.application('EmployeeBackoffice').key
    assert api.get('/applications/%s/versions/%s/' % (other, old.key)).status == 404
    module_key = data['ModuleVersions'][0]['ModuleKey']
    module = api.get('/modules/%s/' % module_key, query={'IncludeEnvStatus': 'true'}).json()
    assert module['Name'] == 'DirectoryMobile' and len(module['ModuleStatusInEnv']) == 3
    module_versions = api.get('/modules/%s/versions/' % module_key).json()
    assert module_versions[-1]['Key'] == '75b5d7a2-4336-4a1d-99ab-53ba73cc8172'
    assert api.get('/modules/%s/versions/%s/' % (module_key, module_versions[0]['Key'])).json() == module_versions[0]
    assert api.get('/modules/%s/versions/%s/' % (module_key, 'nope')).status == 404
    assert api.get('/modules/%s/versions/' % module_key, query={'MaximumVersionsToReturn': '-2'}).status == 400
    assert any(m['Name'] == 'ServiceCenter' for m in api.get('/modules/').json())


def test_tagging_creates_a_version_from_what_runs(api, simulator):
    state = simulator.state
    dev, app = state.environment('Development'), state.application('Customer Portal')
    running_modules = set(state.app_status(dev, app).module_versions.values())
    reply = api.post('/environments/%s/applications/%s/versions/' % (dev.key, app.key),
                     {'Version': '2.2', 'ChangeLog': 'Loyalty points', 'MobileVersions': []})
    assert reply.status == 201
    key = key_of(reply)
    assert state.running_version('Development', 'Customer Portal') == '2.2'
    assert state.running_version_key('Development', 'Customer Portal') == key
    assert not state.is_modified('Development', 'Customer Portal')
    version = api.get('/applications/%s/versions/%s/' % (app.key, key), query={'IncludeModules': 'true'}).json()
    assert version['ChangeLog'] == 'Loyalty points' and version['InUse'] is True
    assert {m['Key'] for m in version['ModuleVersions']} == running_modules


def test_tagging_refuses_duplicates_and_missing_numbers(api, simulator):
    state = simulator.state
    path = '/environments/%s/applications/%s/versions/' % (state.environment('Development').key,
                                                           state.application('EmployeeBackoffice').key)
    reply = api.post(path, {'Version': '1.3'})
    assert reply.status == 400 and "'1.3' already exists" in reply.json()['Errors'][0]
    assert api.post(path, {'ChangeLog': 'no number'}).status == 400
    not_running = '/environments/%s/applications/%s/versions/' % (state.environment('Production').key,
                                                                  state.application('Google Maps Web').key)
    assert api.post(not_running, {'Version': '9.9'}).status == 404


def test_mark_modified_then_tag(simulator, api):
    state = simulator.state
    state.mark_modified('Production', 'Orders API')
    assert state.is_modified('Production', 'Orders API')
    path = '/environments/%s/applications/%s/versions/' % (state.environment('Production').key,
                                                           state.application('Orders API').key)
    assert api.post(path, {'Version': '1.0.1-hotfix'}).status == 201
    assert state.running_version('Production', 'Orders API') == '1.0.1-hotfix'
    assert not state.is_modified('Production', 'Orders API')


def test_deleting_a_version_in_use_is_refused(api, simulator):
    state = simulator.state
    app = state.application('EmployeeBackoffice')
    running = state.version(app, '1.2')
    reply = api.delete('/applications/%s/versions/%s/' % (app.key, running.key))
    assert reply.status == 400
    assert 'in use' in reply.json()['Errors'][0] and 'Production' in reply.json()['Errors'][0]
    unused = state.version(app, '1.0')
    assert api.delete('/applications/%s/versions/%s/' % (app.key, unused.key)).status == 204
    assert api.delete('/applications/%s/versions/%s/' % (app.key, unused.key)).status == 404
    assert [v.number for v in state.versions(app)] == ['1.1', '1.2', '1.3']


def test_state_mutators_change_what_runs(simulator):
    state = simulator.state
    state.add_version('Orders API', '1.1', change_log='Bulk import')
    state.set_running_version('Production', 'Orders API', '1.1')
    assert state.running_version('Production', 'Orders API') == '1.1'
    state.remove_running('Production', 'Orders API')
    assert state.running_version('Production', 'Orders API') is None
    assert state.find_application('orders api').name == 'Orders API'
    assert state.find_environment('nowhere') is None


def test_generated_applications_stay_fast():
    started = time.monotonic()
    with Simulator('t', generate_apps=1000) as sim:
        api = Client(sim)
        reply = api.get('/applications/', query={'IncludeEnvStatus': 'true'})
        assert reply.status == 200 and len(reply.json()) == 1006
        assert sim.state.running_version('Development', 'App0001') == '1.2'
        assert sim.state.running_version('Production', 'App1000') == '1.0'
        prd = sim.state.environment('Production').key
        assert len(api.get('/environments/%s/applications/' % prd).json()) == 1005
    assert time.monotonic() - started < 10
