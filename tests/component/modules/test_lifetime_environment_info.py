# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_environment_info against the simulator: what it returns matches LifeTime's state, at a known request cost."""

import re

MODULE = 'lifetime_environment_info'
APP = 'EmployeeBackoffice'
ENVIRONMENT_FIELDS = ('key', 'name', 'order', 'environment_type', 'host_name', 'os_version', 'use_https', 'number_of_front_ends',
                      'application_server_type', 'application_server', 'database_provider', 'is_cloud_environment')
APPLICATION_FIELDS = ('key', 'name', 'kind', 'version', 'version_key', 'is_modified', 'consistency_status')
VERSION_LIST = re.compile(r'/applications/[^/]+/versions/?$')
VERSION_GET = re.compile(r'/applications/[^/]+/versions/[^/]+/?$')


def gets(sim, pattern):
    return [r for r in sim.requests if r['method'] == 'GET' and pattern.search(r['path'])]


def test_every_environment_is_returned_in_lifetime_order_with_its_fields(run_module, simulator):
    result = run_module(MODULE)

    assert result['changed'] is False
    expected = simulator.state.environments()
    assert [env['name'] for env in result['environments']] == [env.name for env in expected]
    assert [env['key'] for env in result['environments']] == [env.key for env in expected]
    assert [env['order'] for env in result['environments']] == sorted(env['order'] for env in result['environments'])
    for env in result['environments']:
        for field in ENVIRONMENT_FIELDS:
            assert field in env, (field, env)
    production = next(env for env in result['environments'] if env['name'] == 'Production')
    assert production['host_name'] == simulator.state.environment('Production').host_name
    assert production['environment_type'] == simulator.state.environment('Production').env_type
    assert simulator.writes() == []


def test_production_with_applications_gives_employee_backoffice_and_its_running_version(run_module, simulator):
    result = run_module(MODULE, dict(name='Production', include_applications=True))

    assert [env['name'] for env in result['environments']] == ['Production']
    apps = {app['name']: app for app in result['environments'][0]['applications']}
    backoffice = apps[APP]
    assert backoffice['version'] == simulator.state.running_version('Production', APP) == '1.2'
    assert backoffice['version_key'] == simulator.state.running_version_key('Production', APP)
    for field in APPLICATION_FIELDS:
        assert field in backoffice
    assert sorted(apps) == sorted(app.name for app in simulator.state.running_apps('Production'))


def test_applications_show_which_are_modified_in_development(run_module, simulator):
    result = run_module(MODULE, dict(name=['Development'], include_applications=True))

    for app in result['environments'][0]['applications']:
        assert app['is_modified'] is simulator.state.is_modified('Development', app['key']), app['name']
        assert app['version'] == simulator.state.running_version('Development', app['key'])
    assert any(app['is_modified'] for app in result['environments'][0]['applications'])


def test_running_versions_cost_one_version_list_per_application_and_none_per_version(run_module, simulator):
    simulator.clear_requests()

    result = run_module(MODULE, dict(include_applications=True))

    running = {app['key'] for env in result['environments'] for app in env['applications']}
    assert len(gets(simulator, VERSION_LIST)) == len(running)
    assert gets(simulator, VERSION_GET) == []
    assert len([r for r in simulator.requests if r['path'].rstrip('/').endswith('/applications')]) == 1


def test_names_may_be_keys_or_another_case_and_are_returned_once_in_lifetime_order(run_module, simulator):
    production = simulator.state.environment('Production')

    result = run_module(MODULE, dict(name=[production.key, 'development', 'Production']))

    assert [env['name'] for env in result['environments']] == ['Development', 'Production']


def test_deployment_zones_are_added_when_asked(run_module, simulator):
    result = run_module(MODULE, dict(name=['Production'], include_deployment_zones=True))

    zones = result['environments'][0]['deployment_zones']
    assert [zone['key'] for zone in zones] == [zone.key for zone in simulator.state.environment('Production').zones]
    assert any(zone['is_default'] for zone in zones)


def test_check_mode_returns_the_same_and_writes_nothing(run_module, simulator):
    normal = run_module(MODULE, dict(include_applications=True))
    checked = run_module(MODULE, dict(include_applications=True), check_mode=True)

    assert checked['environments'] == normal['environments']
    assert simulator.writes() == []
