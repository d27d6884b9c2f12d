# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the simulator serves from the Swagger definition: application configurations (deployment blocking),
missing database mappings and their configuration, source code packages, an older LifeTime."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.simulator.client import Client, key_of
from tests.simulator.scenario import DATABASE_MAPPINGS_SCENARIO as SCENARIO
from tests.simulator.scenario import load as load_scenario


@pytest.fixture
def billing(make_simulator):
    """A simulator of the database-mappings world (Billing's extension has the logical database BillingDB)."""
    return make_simulator(scenario=SCENARIO)


def _plan(api, state, app, version, source, target):
    body = {'ApplicationOperations': [{'ApplicationVersionKey': state.version(app, version).key, 'DeploymentZoneKey': ''}],
            'Notes': '', 'SourceEnvironmentKey': state.environment(source).key, 'TargetEnvironmentKey': state.environment(target).key}
    return api.post('/deployments/', body)


def _mapping(state, database='BillingProduction', logical='BillingDB'):
    extension = next(m for m in state.module_index.values() if m.name == 'BillingDatabase')
    return [{'ExtensionKey': extension.key, 'DBMapping': [{'LogicalDatabaseName': logical, 'DatabaseName': database}]}]


# -- application configurations ------------------------------------------------------------------------

def test_a_blocked_application_cannot_be_planned_for_that_environment_only(api, simulator):
    state = simulator.state
    app = state.application('EmployeeBackoffice').key
    body = {'configurations': [{'environmentKey': state.environment('Production').key, 'isBlocked': True,
                                'isBlockedChangeReason': 'release freeze'}]}
    assert api.put('/applications/%s/configurations/' % app, body).status == 204
    before = len(state.deployments())
    refused = _plan(api, state, 'EmployeeBackoffice', '1.3', 'Development', 'Production')
    assert refused.status == 400 and 'blocked' in refused.json()['Errors'][0] and 'release freeze' in refused.json()['Errors'][0]
    assert len(state.deployments()) == before
    assert _plan(api, state, 'EmployeeBackoffice', '1.3', 'Development', 'Quality Assurance').status == 201
    configurations = api.get('/applications/%s/configurations/' % app).json()['configurations']
    assert [(c['environmentKey'], c['isBlocked'], c['isBlockedChangeReason']) for c in configurations] == [
        (state.environment('Development').key, False, ''), (state.environment('Quality Assurance').key, False, ''),
        (state.environment('Production').key, True, 'release freeze')]
    body['configurations'][0].update(isBlocked=False, isBlockedChangeReason='freeze over')
    assert api.put('/applications/%s/configurations/' % app, body).status == 204
    assert state.application_configuration('EmployeeBackoffice', 'Production') == {'is_blocked': False, 'reason': 'freeze over'}
    assert _plan(api, state, 'EmployeeBackoffice', '1.3', 'Development', 'Production').status == 201


def test_blocking_set_after_a_plan_was_saved_stops_its_start(api, simulator):
    key = key_of(_plan(api, simulator.state, 'EmployeeBackoffice', '1.3', 'Development', 'Production'))
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason='audit')
    refused = api.post('/deployments/%s/start/' % key)
    assert refused.status == 400 and "can't be executed" in refused.json()['Errors'][0]
    assert simulator.state.deployment(key).status == 'saved'


def test_a_configuration_update_is_all_or_nothing(api, simulator):
    state = simulator.state
    app = state.application('EmployeeBackoffice').key
    production = {'environmentKey': state.environment('Production').key, 'isBlocked': True}
    assert api.put('/applications/%s/configurations/' % app, {'configurations': [
        production, {'environmentKey': 'no-such-environment', 'isBlocked': True}]}).status == 404
    for bad in ({'configurations': []}, {'configurations': [dict(production, isBlocked='yes')]}, {}):
        assert api.put('/applications/%s/configurations/' % app, bad).status == 400
    assert api.put('/applications/no-such-app/configurations/', {'configurations': [production]}).status == 404
    assert state.application_configuration('EmployeeBackoffice', 'Production')['is_blocked'] is False


# -- database mappings ---------------------------------------------------------------------------------

def test_a_plan_waits_for_its_database_mappings_until_they_are_configured(billing):
    api, state = Client(billing), billing.state
    key = key_of(_plan(api, state, 'Billing', '1.1', 'Quality Assurance', 'Production'))
    missing = api.get('/deployments/%s/getmissingdbmappings/' % key).json()
    assert missing == [{'ExtensionKey': _mapping(state)[0]['ExtensionKey'], 'ExtensionName': 'BillingDatabase', 'LogicalDatabase': 'BillingDB'}]
    assert api.post('/deployments/%s/configuration/' % key, _mapping(state)).status == 400  # saved, not waiting
    assert api.post('/deployments/%s/start/' % key).status == 202
    status = api.get('/deployments/%s/status/' % key).json()
    assert (status['DeploymentStatus'], status['Info']) == ('needs_user_intervention', 'needs_configuration_or_confirmation')
    assert api.post('/deployments/%s/continue/' % key).status == 400
    for wrong, words in ((_mapping(state, database='NoSuchConnection'), 'database NoSuchConnection does not exist'),
                         (_mapping(state, logical='OtherDB'), 'logical database OtherDB does not exist'),
                         ([{'ExtensionKey': state.application('Billing').key, 'DBMapping': []}], 'not part of this deployment'),
                         ([dict(_mapping(state)[0], DBMapping=[])], 'DB mappings were not provided'), ([], 'were not provided')):
        reply = api.post('/deployments/%s/configuration/' % key, wrong)
        assert reply.status == 400 and words in reply.json()['Errors'][0], (wrong, reply)
    assert state.database_mappings('Production') == []
    assert api.post('/deployments/%s/configuration/' % key, _mapping(state)).status == 200
    assert api.get('/deployments/%s/getmissingdbmappings/' % key).json() == []
    assert api.post('/deployments/%s/continue/' % key).status == 202
    assert state.deployment(key).status == 'finished_successful'
    assert state.running_version('Production', 'Billing') == '1.1'
    assert state.database_mappings('Production') == [{'extension': 'BillingDatabase', 'logical_database': 'BillingDB',
                                                      'connection': 'BillingProduction'}]
    assert state.deployment_summary(state.deployment(key))['database_mappings'] == [
        {'ExtensionKey': _mapping(state)[0]['ExtensionKey'], 'LogicalDatabaseName': 'BillingDB', 'DatabaseName': 'BillingProduction'}]
    # Production remembers: the next plan of Billing goes through.
    again = key_of(_plan(api, state, 'Billing', '1.0', 'Quality Assurance', 'Production'))
    assert api.post('/deployments/%s/start/' % again).status == 202
    assert state.deployment(again).status == 'finished_successful'


def test_a_plan_whose_mappings_exist_never_stops(billing):
    api, state = Client(billing), billing.state
    key = key_of(_plan(api, state, 'Billing', '1.0', 'Development', 'Quality Assurance'))
    assert api.get('/deployments/%s/getmissingdbmappings/' % key).json() == []
    assert api.post('/deployments/%s/start/' % key).status == 202
    assert state.deployment(key).status == 'finished_successful'
    assert api.get('/deployments/no-such-plan/getmissingdbmappings/').status == 400  # as the definition documents
    assert api.post('/deployments/no-such-plan/configuration/', _mapping(state)).status == 404


def test_the_interface_path_maps_missing_databases_to_same_named_connections(billing):
    api, state = Client(billing), billing.state
    key = key_of(_plan(api, state, 'Billing', '1.1', 'Quality Assurance', 'Production'))
    api.post('/deployments/%s/start/' % key)
    assert state.missing_database_mappings(key)[0]['LogicalDatabase'] == 'BillingDB'
    state.provide_database_mappings(key)
    assert state.missing_database_mappings(key) == []
    assert state.database_mappings('Production')[0]['connection'] == 'BillingDB'
    assert api.post('/deployments/%s/continue/' % key).status == 202
    assert state.deployment(key).status == 'finished_successful'


def test_a_package_with_an_extension_needs_its_mappings_in_the_target(billing):
    api, state = Client(billing), billing.state
    link = api.get('/environments/%s/applications/%s/content/' % (state.environment('Development').key,
                                                                  state.application('Billing').key)).json()
    reply = api.post('/environments/%s/deployment/' % state.environment('Production').key, body=api.get(link['url']).body,
                     headers={'Content-Type': 'application/octet-stream'})
    key = key_of(reply)
    assert [m['LogicalDatabase'] for m in api.get('/deployments/%s/getmissingdbmappings/' % key).json()] == ['BillingDB']
    api.post('/deployments/%s/start/' % key)
    assert state.deployment(key).info == 'needs_configuration_or_confirmation'


def test_an_extension_added_at_run_time_needs_mappings_where_it_does_not_run(api, simulator):
    state = simulator.state
    state.remove_running('Production', 'Orders API')
    state.add_extension('Orders API', 'OrdersDatabase', logical_databases=['Orders'])
    state.add_database_connection('Production', 'OrdersLive')
    assert [m['logical_database'] for m in state.database_mappings('Development')] == ['Orders']
    key = key_of(_plan(api, state, 'Orders API', '1.0', 'Quality Assurance', 'Production'))
    api.post('/deployments/%s/start/' % key)
    assert state.deployment(key).info == 'needs_configuration_or_confirmation'
    extension = next(m for m in state.module_index.values() if m.name == 'OrdersDatabase')
    body = [{'ExtensionKey': extension.key, 'DBMapping': [{'LogicalDatabaseName': 'Orders', 'DatabaseName': 'OrdersLive'}]}]
    assert api.post('/deployments/%s/configuration/' % key, body).status == 200
    assert api.post('/deployments/%s/continue/' % key).status == 202
    assert state.deployment(key).status == 'finished_successful'


@pytest.mark.parametrize('settings', [{'configuration_continues': True}, None])
def test_under_configuration_continues_the_configuration_resumes_the_plan_and_continue_is_refused(make_simulator, settings):
    # Through the scenario's settings, or configure() at run time (settings None).
    scenario = load_scenario(SCENARIO)
    scenario['settings'].update(settings or {})
    sim = make_simulator(scenario=scenario, step_seconds=10)
    api, state = Client(sim), sim.state
    if settings is None:
        state.configure(configuration_continues=True)
    key = key_of(_plan(api, state, 'Billing', '1.1', 'Quality Assurance', 'Production'))
    assert api.post('/deployments/%s/start/' % key).status == 202
    state.advance_time(10)
    assert state.deployment(key).info == 'needs_configuration_or_confirmation'
    assert api.post('/deployments/%s/configuration/' % key, _mapping(state)).status == 200
    status = api.get('/deployments/%s/status/' % key).json()
    assert (status['DeploymentStatus'], status['Info']) == ('running', '')
    refused = api.post('/deployments/%s/continue/' % key)
    assert refused.status == 400 and 'only a plan in needs_user_intervention can be continued' in refused.json()['Errors'][0]
    state.advance_time(30)
    assert state.deployment(key).status == 'finished_successful'
    assert state.running_version('Production', 'Billing') == '1.1'


def test_by_default_the_configuration_leaves_the_plan_waiting_for_continue(billing):
    api, state = Client(billing), billing.state
    assert billing.state.configuration_continues is False
    key = key_of(_plan(api, state, 'Billing', '1.1', 'Quality Assurance', 'Production'))
    api.post('/deployments/%s/start/' % key)
    assert api.post('/deployments/%s/configuration/' % key, _mapping(state)).status == 200
    assert (state.deployment(key).status, state.deployment(key).info) == ('needs_user_intervention', 'needs_configuration_or_confirmation')
    assert api.post('/deployments/%s/continue/' % key).status == 202


# -- source code ---------------------------------------------------------------------------------------

def _source(api, env, owner):
    reply = api.post('/environments/%s/%s/sourcecodeaccess/' % (env, owner))
    assert reply.status == 200, reply
    return reply.json()


def test_source_code_is_packaged_step_by_step_and_holds_no_extension(make_simulator):
    sim = make_simulator(scenario=SCENARIO, step_seconds=10)
    api, state = Client(sim), sim.state
    dev, app = state.environment('Development').key, state.application('Billing').key
    started = _source(api, dev, 'applications/%s' % app)
    assert started['Status'] == 'InProgress' and started['Messages'] == []
    base = '/environments/%s/applications/%s/sourcecodeaccess/%s/' % (dev, app, started['PackageKey'])
    assert api.get(base + 'download/').status == 400
    state.advance_time(10)
    assert api.get(base + 'status/').json()['Status'] == 'InProgress'
    state.advance_time(10)
    done = api.get(base + 'status/').json()
    assert done['Status'] == 'Done' and [m['Detail'] for m in done['Messages']] == [
        "Source code access for application 'Billing'.", "Preparing module 'Billing' source code for access."]
    link = api.get(base + 'download/').json()
    with zipfile.ZipFile(io.BytesIO(api.get(link['url']).body)) as package:
        manifest = json.loads(package.read('manifest.json'))
    assert manifest['Kind'] == 'source'
    assert [m['ModuleName'] for m in manifest['Applications'][0]['Modules']] == ['Billing']


def test_source_code_waits_queued_for_packaging_queued_steps_before_in_progress(make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'packaging_queued_steps': 2}}, step_seconds=10)
    api, state = Client(sim), sim.state
    dev, app = state.environment('Development').key, state.application('EmployeeBackoffice').key
    started = _source(api, dev, 'applications/%s' % app)
    base = '/environments/%s/applications/%s/sourcecodeaccess/%s/' % (dev, app, started['PackageKey'])
    seen = [started['Status']]
    for _step in range(4):
        assert api.get(base + 'download/').status == 400
        state.advance_time(10)
        seen.append(api.get(base + 'status/').json()['Status'])
    assert seen == ['Queued', 'Queued', 'InProgress', 'InProgress', 'Done']
    assert state.find_source_package(started['PackageKey']).status == 'Done'
    assert api.get(base + 'download/').status == 200


def test_source_code_of_one_module(billing):
    api, state = Client(billing), billing.state
    dev, prd = state.environment('Development').key, state.environment('Production').key
    module = next(m for m in state.module_index.values() if m.name == 'Billing')
    extension = next(m for m in state.module_index.values() if m.name == 'BillingDatabase')
    package = _source(api, dev, 'modules/%s' % module.key)
    status = api.get('/environments/%s/modules/%s/sourcecodeaccess/%s/status/' % (dev, module.key, package['PackageKey'])).json()
    assert status['Messages'][0]['Detail'] == "Source code access for module 'Billing'."
    assert api.post('/environments/%s/modules/%s/sourcecodeaccess/' % (dev, extension.key)).status == 400
    assert api.post('/environments/%s/modules/%s/sourcecodeaccess/' % (prd, module.key)).status == 404  # not running there
    # A package is found only where it was asked for.
    app = state.application('Billing').key
    assert api.get('/environments/%s/applications/%s/sourcecodeaccess/%s/status/' % (dev, app, package['PackageKey'])).status == 404
    assert api.get('/environments/%s/modules/%s/sourcecodeaccess/%s/status/' % (prd, module.key, package['PackageKey'])).status == 404


# -- what the definition adds to the existing answers ------------------------------------------------------

def test_answers_carry_details_urls_version_labels_and_environments(api, simulator):
    state = simulator.state
    dev = state.environment('Development')
    assert api.get('/environments/%s/' % dev.key).json()['DetailsURL'] == \
        '%s/lifetime/EnvironmentDetails.aspx?EnvironmentKey=%s' % (simulator.url, dev.key)
    apps = api.get('/environments/%s/applications/' % dev.key, query={'IncludeEnvStatus': 'true'}).json()
    backoffice = next(a for a in apps if a['Name'] == 'EmployeeBackoffice')
    assert backoffice['AppStatusInEnvs'][0]['BaseApplicationVersionLabel'] == '1.3'
    state.mark_modified('Quality Assurance', 'EmployeeBackoffice')
    reply = api.post('/environments/%s/applications/%s/versions/' % (state.environment('Quality Assurance').key, backoffice['Key']),
                     {'Version': '1.2.1'})
    version = api.get('/applications/%s/versions/%s/' % (backoffice['Key'], key_of(reply)), query={'IncludeModules': 'false'}).json()
    assert version['EnvironmentKey'] == state.environment('Quality Assurance').key
    assert state.version('EmployeeBackoffice', '1.0').env_key == dev.key
    state.configure(lifetime_version='11.20.0')
    apps = api.get('/environments/%s/applications/' % dev.key, query={'IncludeEnvStatus': 'true'}).json()
    assert all('BaseApplicationVersionLabel' not in s for a in apps for s in a['AppStatusInEnvs'])
    with pytest.raises(ValueError):
        state.configure(lifetime_version='eleven')


def test_log_lines_say_their_type(api, simulator):
    state = simulator.state
    state.add_outcome_rule('finished_with_errors', target='Production', once=True)
    key = key_of(_plan(api, state, 'EmployeeBackoffice', '1.3', 'Development', 'Production'))
    api.post('/deployments/%s/start/' % key)
    log = api.get('/deployments/%s/status/' % key).json()['DeploymentLog']
    assert log[0]['Type'] == 'Info' and [line['Type'] for line in log[-2:]] == ['Error', 'Error']


def test_a_scenario_gives_logical_databases_to_extensions_only(make_simulator):
    bad = {'base': 'default', 'applications': [{'name': 'X', 'modules': [{'name': 'X', 'logical_databases': ['D']}]}]}
    with pytest.raises(ValueError, match='only kind Extension'):
        make_simulator(scenario=bad)
