# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_application_info against the simulator: running versions everywhere, at one version list per application."""

import re

MODULE = 'lifetime_application_info'
APP = 'EmployeeBackoffice'
VERSION_LIST = re.compile(r'/applications/[^/]+/versions/?$')
VERSION_GET = re.compile(r'/applications/[^/]+/versions/[^/]+/?$')


def gets(sim, pattern):
    return [r for r in sim.requests if r['method'] == 'GET' and pattern.search(r['path'])]


def by_name(result):
    return {app['name']: app for app in result['applications']}


def test_every_non_system_application_is_returned_sorted_by_name(run_module, simulator):
    result = run_module(MODULE)

    expected = sorted((app.name for app in simulator.state.applications() if not app.is_system), key=str.lower)
    assert [app['name'] for app in result['applications']] == expected
    assert result['changed'] is False
    assert simulator.writes() == []


def test_include_system_adds_the_platform_applications(run_module, simulator):
    state = simulator.state
    if not any(app.is_system for app in state.applications()):
        state.add_version(state.add_application('ServiceCenter', is_system=True).key, '11.0')

    result = run_module(MODULE, dict(include_system=True))

    assert [app['name'] for app in result['applications']] == sorted((a.name for a in state.applications()), key=str.lower)
    assert any(app['is_system'] for app in result['applications'])


def test_each_environment_gives_the_running_version_number_and_whether_it_changed(run_module, simulator):
    state = simulator.state

    result = run_module(MODULE)

    for app in result['applications']:
        expected = [env.name for env in state.environments() if state.app_status(env.key, app['key']) is not None]
        assert [entry['environment_name'] for entry in app['environments']] == expected, app['name']
        for entry in app['environments']:
            assert entry['version'] == state.running_version(entry['environment_key'], app['key'])
            assert entry['version_key'] == state.running_version_key(entry['environment_key'], app['key'])
            assert entry['is_modified'] is state.is_modified(entry['environment_key'], app['key'])
    backoffice = {entry['environment_name']: entry['version'] for entry in by_name(result)[APP]['environments']}
    assert backoffice == {'Development': '1.3', 'Quality Assurance': '1.2', 'Production': '1.2'}


def test_running_versions_cost_one_version_list_per_application_not_one_request_per_version(run_module, simulator):
    state = simulator.state
    for number in ('1.4', '1.5', '1.6'):
        state.add_version(APP, number)
    simulator.clear_requests()

    result = run_module(MODULE, dict(include_versions=3))

    assert len(gets(simulator, VERSION_LIST)) == len(result['applications'])
    assert gets(simulator, VERSION_GET) == []
    assert len([r for r in simulator.requests if r['path'].rstrip('/').endswith('/applications')]) == 1


def test_include_versions_returns_the_most_recent_versions_newest_first(run_module, simulator):
    result = run_module(MODULE, dict(name=[APP], include_versions=2))

    versions = by_name(result)[APP]['versions']
    newest = list(reversed(simulator.state.versions(APP)))[:2]
    assert [v['version'] for v in versions] == [v.number for v in newest] == ['1.3', '1.2']
    assert [v['key'] for v in versions] == [v.key for v in newest]
    for version in versions:
        for field in ('key', 'version', 'created_on', 'change_log', 'in_use', 'mobile_versions'):
            assert field in version
        assert 'module_versions' not in version
    in_use = {key.lower() for key in simulator.state.in_use_version_keys()}
    assert [v['in_use'] for v in versions] == [v.key.lower() in in_use for v in newest]


def test_mobile_versions_of_a_mobile_application_are_returned(run_module, simulator):
    result = run_module(MODULE, dict(name=['Directory Mobile'], include_versions=5))

    app = by_name(result)['Directory Mobile']
    assert app['kind'] == 'Mobile'
    expected = {v.number: sorted(m.platform for m in v.mobile_versions) for v in simulator.state.versions('Directory Mobile')}
    for version in app['versions']:
        assert sorted(m['native_platform'] for m in version['mobile_versions']) == expected[version['version']]


def test_without_versions_applications_that_run_nowhere_cost_no_version_request(run_module, simulator):
    state = simulator.state
    state.add_version(state.add_application('Shelved').key, '0.1')
    simulator.clear_requests()

    result = run_module(MODULE, dict(name=['Shelved']))

    assert by_name(result)['Shelved']['environments'] == []
    assert 'versions' not in by_name(result)['Shelved']
    assert gets(simulator, VERSION_LIST) == []


def test_environment_restricts_the_status_to_those_environments(run_module, simulator):
    result = run_module(MODULE, dict(name=[APP], environment=['production', 'Quality Assurance']))

    entries = by_name(result)[APP]['environments']
    assert [entry['environment_name'] for entry in entries] == ['Quality Assurance', 'Production']
    assert [entry['version'] for entry in entries] == [simulator.state.running_version(env, APP) for env in ('Quality Assurance', 'Production')]


def test_include_modules_adds_module_status_and_module_versions(run_module, simulator):
    result = run_module(MODULE, dict(name=[APP], include_modules=True, include_versions=1))

    app = by_name(result)[APP]
    module_keys = {key.lower() for key in simulator.state.application(APP).module_keys}
    for entry in app['environments']:
        assert 'modules' in entry
        assert {m['module_version_key'] for m in entry['modules']}
    assert 'module_versions' in app['versions'][0]
    assert {mv['module_key'].lower() for mv in app['versions'][0]['module_versions']} <= module_keys
    includes = [r for r in simulator.requests if r['path'].rstrip('/').endswith('/applications')]
    assert len(includes) == 1 and 'IncludeModules' in str(includes[0]['query'])


def test_names_are_returned_in_the_order_given_once_each(run_module, simulator):
    backoffice = simulator.state.application(APP)

    result = run_module(MODULE, dict(name=['Directory Mobile', backoffice.key, 'employeebackoffice']))

    assert [app['name'] for app in result['applications']] == ['Directory Mobile', APP]


def test_a_named_system_application_is_returned_without_include_system(run_module, simulator):
    state = simulator.state
    system = next((app for app in state.applications() if app.is_system), None)
    if system is None:
        system = state.add_application('ServiceCenter', is_system=True)
        state.add_version(system.key, '11.0')

    result = run_module(MODULE, dict(name=[system.name]))

    assert [app['name'] for app in result['applications']] == [system.name]
    assert result['applications'][0]['is_system'] is True


def test_check_mode_returns_the_same(run_module, simulator):
    args = dict(include_versions=2, include_modules=True)

    assert run_module(MODULE, args, check_mode=True)['applications'] == run_module(MODULE, args)['applications']
    assert simulator.writes() == []


def test_more_than_a_hundred_versions_are_listed_in_one_request_per_application(run_module, simulator):
    state = simulator.state
    app = state.add_application('Long Lived')
    for minor in range(120):
        state.add_version(app.key, '1.%d' % minor, created_on=state.date_of(state.mono() - 100000 + minor))
    simulator.clear_requests()

    result = run_module(MODULE, dict(name=['Long Lived'], include_versions=110))

    versions = by_name(result)['Long Lived']['versions']
    assert [v['version'] for v in versions] == ['1.%d' % minor for minor in range(119, 9, -1)]
    listed = gets(simulator, VERSION_LIST)
    assert len(listed) == 1 and int(listed[0]['query']['MaximumVersionsToReturn']) >= 120


def configuration_reads(sim):
    return [entry for entry in sim.requests if entry['path'].rstrip('/').endswith('/configurations')]


def test_each_environments_blocked_flag_and_reason_are_returned_by_reading_only(run_module, simulator):
    reason = 'Release freeze until 2027-01-05 (CHG-9)'
    simulator.state.set_application_blocked('EmployeeBackoffice', 'Production', reason=reason)
    simulator.clear_requests()

    result = run_module('lifetime_application_info', dict(name=['EmployeeBackoffice', 'Orders API']), check_mode=True)

    assert result.get('failed') is not True, result
    backoffice, orders = result['applications']
    blocking = dict((entry['environment_name'], (entry['blocked'], entry['reason'])) for entry in backoffice['deployment_blocking'])
    assert blocking == {'Development': (False, ''), 'Quality Assurance': (False, ''), 'Production': (True, reason)}
    production = [env for env in backoffice['environments'] if env['environment_name'] == 'Production'][0]
    assert (production['blocked'], production['blocked_reason']) == (True, reason)
    assert not any(entry['blocked'] for entry in orders['deployment_blocking'])
    # Read only, one configuration read per application.
    assert simulator.writes() == [] and len(configuration_reads(simulator)) == 2
    assert simulator.state.application_configuration('EmployeeBackoffice', 'Production') == {'is_blocked': True, 'reason': reason}


def test_blocking_is_not_read_when_not_asked(run_module, simulator):
    result = run_module('lifetime_application_info', dict(name=['EmployeeBackoffice'], include_blocking=False))
    assert 'deployment_blocking' not in result['applications'][0]
    assert configuration_reads(simulator) == []


def test_a_lifetime_that_cannot_say_gives_null_not_a_guess(run_module, simulator):
    simulator.inject_fault('GET', '/applications/*/configurations/', status=405)
    result = run_module('lifetime_application_info', dict(name=['EmployeeBackoffice'], environment=['Production']))
    assert result.get('failed') is not True, result
    assert result['applications'][0]['deployment_blocking'] == [
        {'environment_key': simulator.state.environment('Production').key, 'environment_name': 'Production', 'blocked': None, 'reason': None}]
