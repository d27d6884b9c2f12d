# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_db_connection and lifetime_db_connection_info against the simulator: the connections LifeTime holds afterwards,
the permission levels, the requests it got, and passwords kept out of every output."""

import json

MODULE = 'lifetime_db_connection'
SECRET = 'dw-pass-Zq81'


def new_dw(**extra):
    args = dict(environment='Production', name='DataWarehouse', provider='PostgreSQL', description='Analytics',
                parameters='Host=dw.company.com;Database=dw', username='dw_user', password=SECRET,
                role_permissions=[dict(role='Tester', level='Read-Only')], user_permissions=[dict(user='maria.lopes', level='Full Control')])
    args.update(extra)
    return args


def connection(sim, name='DataWarehouse', env='Production'):
    return sim.state.find_db_connection(env, name)


def role_level(sim, conn, role):
    return conn.role_levels.get(sim.state.find_role(role).key)


def user_level(sim, conn, user):
    return conn.user_levels.get(sim.state.find_user(user).key)


def secret_nowhere(sim, *results):
    for result in results:
        assert SECRET not in json.dumps(result)
    assert SECRET not in json.dumps(sim.requests)


# -- creating ------------------------------------------------------------------------------------------------------------

def test_a_new_connection_is_created_with_its_provider_credentials_and_permissions(run_module, simulator):
    result = run_module(MODULE, new_dw())

    assert result['changed'] is True, result
    conn = connection(simulator)
    assert (conn.provider_key, conn.description, conn.parameters, conn.username, conn.password) == \
        ('postgresql', 'Analytics', 'Host=dw.company.com;Database=dw', 'dw_user', SECRET)
    assert role_level(simulator, conn, 'Tester') == 1
    assert user_level(simulator, conn, 'maria.lopes') == 2
    assert result['db_connection']['provider'] == 'PostgreSQL'
    assert result['db_connection']['role_permissions'] == [dict(role='Tester', role_key=simulator.state.find_role('Tester').key, level=1,
                                                                level_label='Read-Only')]
    assert result['msg'] == 'Created the database connection DataWarehouse in Production.'
    secret_nowhere(simulator, result)


def test_a_second_run_changes_nothing_and_writes_nothing(run_module, simulator):
    run_module(MODULE, new_dw())
    simulator.clear_requests()

    second = run_module(MODULE, new_dw(), diff=True)

    assert second['changed'] is False, second
    assert simulator.writes() == []
    assert second['diff']['before'] == second['diff']['after']


def test_check_mode_reports_the_creation_and_sends_only_reads(run_module, simulator):
    result = run_module(MODULE, new_dw(test_connection=True), check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['msg'] == 'Would create the database connection DataWarehouse in Production.'
    assert simulator.writes() == []
    assert connection(simulator) is None
    assert result['diff']['before'] == {}
    assert result['diff']['after']['password'] == '(write-only, sent)'
    assert result['diff']['after']['user_permissions'] == {'maria.lopes': 'Full Control'}
    secret_nowhere(simulator, result)


def test_the_password_is_in_no_result_diff_or_request_log(run_module, simulator):
    results = [run_module(MODULE, new_dw(), diff=True), run_module(MODULE, new_dw(update_password='always'), diff=True),
               run_module('lifetime_db_connection_info', dict(environment=['Production']))]

    assert connection(simulator).password == SECRET
    secret_nowhere(simulator, *results)


# -- changing ------------------------------------------------------------------------------------------------------------

def test_a_changed_description_sends_the_whole_connection_once(run_module, simulator):
    run_module(MODULE, new_dw())
    simulator.clear_requests()

    result = run_module(MODULE, new_dw(description='Analytics (new)'), diff=True)

    assert result['changed'] is True
    assert connection(simulator).description == 'Analytics (new)'
    assert [(w['method'], w['body']['description']) for w in simulator.writes()] == [('PUT', 'Analytics (new)')]
    assert result['diff']['before']['description'] == 'Analytics' and result['diff']['after']['description'] == 'Analytics (new)'


def test_a_change_without_the_password_fails_before_any_write(run_module, simulator):
    result = run_module(MODULE, dict(environment='Production', name='ReportingDB', description='Something else'))

    assert result['failed'] is True
    assert result['msg'].startswith('username and password are needed to change description of the database connection ReportingDB'), result
    assert simulator.writes() == []
    assert connection(simulator, 'ReportingDB').description == 'Reporting warehouse'


def test_update_password_always_sends_the_password_every_run(run_module, simulator):
    args = dict(environment='Production', name='ReportingDB', username='reporting', password=SECRET, update_password='always')
    first, second = run_module(MODULE, args), run_module(MODULE, args)

    assert first['changed'] is True and second['changed'] is True
    assert connection(simulator, 'ReportingDB').password == SECRET
    assert [w['method'] for w in simulator.writes()] == ['PUT', 'PUT']
    assert connection(simulator, 'ReportingDB').description == 'Reporting warehouse'


def test_a_new_password_alone_is_not_sent_with_update_password_on_create(run_module, simulator):
    result = run_module(MODULE, dict(environment='Production', name='ReportingDB', username='reporting', password=SECRET))

    assert result['changed'] is False
    assert simulator.writes() == []
    assert connection(simulator, 'ReportingDB').password == 'reporting-secret'


def test_only_the_permission_that_differs_is_set(run_module, simulator):
    result = run_module(MODULE, dict(environment='Production', name='ReportingDB',
                                     role_permissions=[dict(role='Developer', level='Read-Only'), dict(role='Tester', level='Full Control')]))

    assert result['changed'] is True
    conn = connection(simulator, 'ReportingDB')
    assert role_level(simulator, conn, 'Tester') == 2 and role_level(simulator, conn, 'Developer') == 1
    assert [(w['method'], w['body']) for w in simulator.writes()] == [('PUT', {'role': 'Tester', 'permissionLevel': 2})]
    assert result['msg'] == 'Changed the permissions of Tester of the database connection ReportingDB in Production.'


def test_absent_deletes_the_connection_and_a_second_run_does_nothing(run_module, simulator):
    first = run_module(MODULE, dict(environment='Production', name='reportingdb', state='absent'))
    second = run_module(MODULE, dict(environment='Production', name='ReportingDB', state='absent'))

    assert first['changed'] is True and second['changed'] is False
    assert connection(simulator, 'ReportingDB') is None
    assert [w['method'] for w in simulator.writes()] == ['DELETE']


# -- the connection test -------------------------------------------------------------------------------------------------

def test_a_failing_connection_test_saves_nothing(run_module, simulator):
    simulator.state.fail_db_connection_tests('Login failed for user dw_user.')

    result = run_module(MODULE, new_dw(test_connection=True))

    assert result['failed'] is True
    assert 'Login failed for user dw_user' in result['msg'] and 'nothing was saved' in result['msg'], result
    assert connection(simulator) is None
    assert [w['path'].rstrip('/').rsplit('/', 1)[-1] for w in simulator.writes()] == ['testdbconnection']


def test_a_passing_connection_test_comes_before_the_create(run_module, simulator):
    run_module(MODULE, new_dw(test_connection=True))

    assert [w['path'].rstrip('/').rsplit('/', 1)[-1] for w in simulator.writes()][:2] == ['testdbconnection', 'dbconnections']
    assert connection(simulator) is not None


# -- bad input: one sentence, before any write ---------------------------------------------------------------------------

def test_an_unknown_provider_fails_naming_it_and_writes_nothing(run_module, simulator):
    result = run_module(MODULE, new_dw(provider='DB2'))

    assert result['failed'] is True
    assert result['msg'].startswith("No database provider 'DB2' in Production (provider)."), result
    assert 'PostgreSQL' in result['msg']
    assert simulator.writes() == []


def test_an_unknown_permission_level_fails_naming_the_parameter(run_module, simulator):
    result = run_module(MODULE, new_dw(role_permissions=[dict(role='Tester', level='Read-Write')]))

    assert result['failed'] is True
    assert result['msg'].startswith("role_permissions[0].level 'Read-Write' is not a database connection permission level"), result
    assert 'Read-Only (1)' in result['msg']
    assert simulator.writes() == []


def test_an_unknown_role_or_user_fails_naming_the_parameter(run_module, simulator):
    role = run_module(MODULE, new_dw(role_permissions=[dict(role='Auditors', level='Read-Only')]))
    user = run_module(MODULE, new_dw(user_permissions=[dict(user='nobody.here', level='Read-Only')]))

    assert "(role_permissions[0].role)" in role['msg'] and role['failed'] is True
    assert "(user_permissions[0].user)" in user['msg'] and user['failed'] is True
    assert simulator.writes() == []


def test_creating_without_a_provider_fails_before_any_write(run_module, simulator):
    result = run_module(MODULE, new_dw(provider=None))

    assert result['failed'] is True
    assert result['msg'].startswith('provider is required to create the database connection DataWarehouse in Production')
    assert simulator.writes() == []


# -- lost answers and cost -----------------------------------------------------------------------------------------------

def test_a_create_whose_answer_is_lost_is_not_sent_twice(run_module, simulator):
    fault = simulator.inject_fault('POST', '/environments/*/dbconnections/', drop=True, count=1, after_processing=True)

    result = run_module(MODULE, new_dw())

    assert fault.matched == 1
    assert result['changed'] is True, result
    assert [w['method'] for w in simulator.writes() if w['path'].rstrip('/').endswith('dbconnections')] == ['POST']
    assert user_level(simulator, connection(simulator), 'maria.lopes') == 2


def test_an_unchanged_connection_costs_a_constant_number_of_reads(run_module, make_simulator):
    sim = make_simulator(generate_users=200)
    run_module(MODULE, new_dw(), sim=sim)
    sim.clear_requests()

    result = run_module(MODULE, new_dw(), sim=sim)

    assert result['changed'] is False
    # environments, connections, providers, levels, roles, users, one level per role or user named
    assert [r['method'] for r in sim.requests] == ['GET'] * 8


# -- lifetime_db_connection_info -----------------------------------------------------------------------------------------

def test_info_lists_the_connections_of_the_environments_named(run_module, simulator):
    result = run_module('lifetime_db_connection_info', dict(environment=['Production']))

    assert result['changed'] is False
    names = [c.name for c in simulator.state.db_connections('Production')]
    assert [c['name'] for c in result['db_connections']] == names
    reporting = next(c for c in result['db_connections'] if c['name'] == 'ReportingDB')
    assert reporting == dict(environment='Production', environment_key=simulator.state.environment('Production').key, name='ReportingDB',
                             provider='SQL Server', description='Reporting warehouse', parameters='Server=sql.company.com;Database=Reporting',
                             advanced_configuration=True)


def test_info_by_name_looks_in_every_environment(run_module, simulator):
    simulator.state.add_db_connection('Development', 'ReportingDB', provider='SQL Server')

    result = run_module('lifetime_db_connection_info', dict(name='reportingdb'))

    assert sorted(c['environment'] for c in result['db_connections']) == ['Development', 'Production']
    assert len([r for r in simulator.requests if r['path'].rstrip('/').endswith('dbconnections')]) == len(simulator.state.environments())


def test_a_connection_named_in_another_case_is_the_same_connection_and_unchanged(run_module, simulator):
    result = run_module(MODULE, dict(environment='Production', name='reportingdb', provider='sql server', description='Reporting warehouse',
                                     role_permissions=[dict(role='developer', level='read')]))

    assert result['changed'] is False, result
    assert result['db_connection']['name'] == 'ReportingDB'
    assert simulator.writes() == []
