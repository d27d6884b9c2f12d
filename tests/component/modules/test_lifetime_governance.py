# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_governance against the simulator: a whole description in one task, checked by LifeTime's state and request log."""

import json
import time

import pytest

from ansible_collections.outsystems.lifetime.plugins.modules import (
    lifetime_db_connection,
    lifetime_governance,
    lifetime_role,
    lifetime_team,
    lifetime_user,
)

MODULE = 'lifetime_governance'
SECRET = 'Gov-Initial-Passw0rd-5b2e'
DB_SECRET = 'Gov-db-Secret-0c41'


def writes(sim):
    return [(w['method'], w['path'].split('/rest/v2', 1)[-1]) for w in sim.writes()]


def description():
    """A new role that a new user, a team and a connection name; an existing role retired last."""
    return dict(
        roles=[dict(name='Squad Lead', manage_teams=True, environment_permissions=[dict(environment='Development', level='Full Control')]),
               dict(name='Contractor', state='absent', users_new_role='Developer')],
        users=[dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Squad Lead', password=SECRET),
               dict(username='pedro.alves', name='Pedro Alves', email='pedro.alves@company.com', role='Tester')],
        teams=[dict(name='Digital', description='Customer-facing',
                    members=[dict(user='rita.gomes', role='Squad Lead'), dict(user='ana.silva', role='Developer')])],
        db_connections=[dict(environment='Production', name='ReportingDB', provider='SQL Server', parameters='Server=sql;Database=R',
                             username='reporting', password=DB_SECRET, role_permissions=[dict(role='Squad Lead', level='Read-Only')])],
    )


@pytest.fixture
def world(make_simulator):
    sim = make_simulator()
    sim.state.add_role('Contractor', levels={'Development': 'Open Applications'})
    sim.state.add_user('pedro.alves', name='Pedro Alves', role='Contractor')
    sim.clear_requests()
    return sim


# -- the options ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('kind, module', [('roles', lifetime_role), ('users', lifetime_user), ('teams', lifetime_team),
                                          ('db_connections', lifetime_db_connection)])
def test_each_kind_takes_the_options_of_its_own_module(kind, module):
    # The same options, no_log included: a connection's user name is shown by both (review 19b L3), its password by neither.
    assert lifetime_governance.ARGUMENT_SPEC[kind]['options'] == module.ARGUMENT_SPEC


def test_passwords_are_no_log_suboptions_and_the_connections_user_name_is_not():
    spec = lifetime_governance.ARGUMENT_SPEC
    assert spec['users']['options']['password']['no_log'] is True
    assert spec['db_connections']['options']['password']['no_log'] is True
    assert 'no_log' not in spec['db_connections']['options']['username']


# -- applying -----------------------------------------------------------------------------------------------------

def test_a_description_is_written_in_lifetimes_order_with_new_roles_and_users_named_by_later_items(run_module, world):
    result = run_module(MODULE, description(), sim=world)

    assert result['changed'] is True and not result.get('failed'), result
    state = world.state
    lead = state.find_role('Squad Lead')
    rita = state.find_user('rita.gomes')
    assert rita.role_key == lead.key and rita.password == SECRET
    assert state.find_user('pedro.alves').role_key == state.find_role('Tester').key
    team = state.find_team('Digital')
    assert (team.members[rita.key], team.members[state.find_user('ana.silva').key]) == (lead.key, state.find_role('Developer').key)
    connection = state.find_db_connection('Production', 'ReportingDB')
    assert connection.role_levels[lead.key] == 1 and connection.password == DB_SECRET
    assert state.find_role('Contractor') is None
    sent = writes(world)
    order = [path.split('/')[1] if not path.startswith('/environments') else 'dbconnections' for dummy, path in sent]
    assert order[0] == 'roles' and sent[0][0] == 'POST', sent
    assert sent[-1][0] == 'DELETE' and sent[-1][1].startswith('/roles/'), sent
    kinds = [kind for index, kind in enumerate(order) if index == 0 or order[index - 1] != kind]
    assert kinds == ['roles', 'users', 'teams', 'dbconnections', 'roles'], sent
    assert result['changes'] == dict(roles=['Squad Lead', 'Contractor'], users=['rita.gomes', 'pedro.alves'], teams=['Digital'],
                                     db_connections=['Production/ReportingDB'])


def test_no_list_is_read_back_after_the_writes(run_module, world):
    run_module(MODULE, description(), sim=world)

    lists = [r['path'].split('/rest/v2', 1)[-1] for r in world.requests if r['method'] == 'GET']
    assert sorted(set(lists)) == sorted(lists), lists


def test_a_second_run_changes_nothing_and_writes_nothing(run_module, world):
    run_module(MODULE, description(), sim=world)
    state = world.state.governance_summary()
    world.clear_requests()

    again = run_module(MODULE, description(), sim=world)

    assert again['changed'] is False, again
    assert world.writes() == []
    assert world.state.governance_summary() == state
    assert again['changes'] == dict(roles=[], users=[], teams=[], db_connections=[])


def test_check_mode_reports_every_change_and_writes_nothing(run_module, world):
    before = world.state.governance_summary()

    result = run_module(MODULE, description(), check_mode=True, diff=True, sim=world)

    assert result['changed'] is True, result
    assert world.writes() == []
    assert world.state.governance_summary() == before
    assert result['changes'] == dict(roles=['Squad Lead', 'Contractor'], users=['rita.gomes', 'pedro.alves'], teams=['Digital'],
                                     db_connections=['Production/ReportingDB'])
    headers = [diff['before_header'] for diff in result['diff']]
    assert headers == ['roles[0] Squad Lead', 'users[0] rita.gomes', 'users[1] pedro.alves', 'teams[0] Digital',
                       'db_connections[0] Production/ReportingDB', 'roles[1] Contractor']


def test_passwords_are_in_no_result_no_diff_and_no_request(run_module, world):
    result = run_module(MODULE, description(), diff=True, sim=world)

    shown = json.dumps(result)
    for secret in (SECRET, DB_SECRET):
        assert secret not in shown and secret not in json.dumps(world.requests)
    # Not even masked: the module never puts a password in what it returns.
    assert '********' not in shown
    assert world.state.find_user('rita.gomes').password == SECRET


# -- every check before the first write ----------------------------------------------------------------------------

@pytest.mark.parametrize('change, parameter, words', [
    (lambda d: d['users'].append(dict(username='x.y', name='X', email='x.y@company.com', role='Astronaut')), 'users[2].role', 'Astronaut'),
    (lambda d: d['users'][1].update(email='not-an-address'), 'users[1].email', 'not an email address'),
    (lambda d: d['roles'][0]['environment_permissions'][0].update(level='Super'), 'roles[0].environment_permissions[0].level', 'Super'),
    (lambda d: d['teams'][0]['members'].append(dict(user='nobody.here', role='Developer')), 'teams[0].members[2].user', 'nobody.here'),
    (lambda d: d['db_connections'][0].update(provider='Db2'), 'db_connections[0].provider', 'Db2'),
    (lambda d: d['users'].append(dict(username='RITA.GOMES')), 'users[2]', 'users[0]'),
    (lambda d: d['teams'][0].update(applications=['No Such App']), 'teams[0].applications[0]', 'No Such App'),
])
def test_every_item_is_checked_before_the_first_write(run_module, world, change, parameter, words):
    wanted = description()
    change(wanted)
    before = world.state.governance_summary()

    result = run_module(MODULE, wanted, sim=world)

    assert result.get('failed') is True, result
    assert parameter in result['msg'] and words in result['msg'], result['msg']
    assert result['parameter'] == parameter
    assert 'Traceback' not in result['msg']
    assert world.writes() == []
    assert world.state.governance_summary() == before


# -- external authentication ----------------------------------------------------------------------------------------

def test_under_external_authentication_the_user_is_created_and_the_task_warns_instead_of_setting_the_password(run_module, make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})
    wanted = dict(users=[dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Developer', password=SECRET)],
                  teams=[dict(name='Digital', members=[dict(user='rita.gomes', role='Developer')])])

    result = run_module(MODULE, wanted, sim=sim)

    assert not result.get('failed') and result['changed'] is True, result
    rita = sim.state.find_user('rita.gomes')
    assert rita is not None and rita.password is None
    assert rita.key in sim.state.find_team('Digital').members
    assert any('password of the user rita.gomes was not set' in warning for warning in result['warnings']), result
    assert SECRET not in json.dumps(result)


# -- requests per run: constant reads -------------------------------------------------------------------------------

def generated(users, teams):
    """The description of what the simulator's generate(users, teams) holds: user0001... in Team001... ."""
    people = [dict(username='user%04d' % index, name='User %04d' % index, email='user%04d@company.com' % index, role='Developer')
              for index in range(1, users + 1)]
    squads = [dict(name='Team%03d' % index, description='Generated team %d' % index,
                   members=[dict(user=user['username'], role='Developer') for position, user in enumerate(people) if position % teams == index - 1])
              for index in range(1, teams + 1)]
    return dict(users=people, teams=squads)


def test_an_unchanged_description_costs_the_same_requests_for_20_users_as_for_200(run_module, make_simulator):
    counts = {}
    for users, teams in ((20, 4), (200, 20)):
        sim = make_simulator(generate_users=users, generate_teams=teams)
        sim.clear_requests()
        result = run_module(MODULE, generated(users, teams), sim=sim)
        assert result['changed'] is False, result['changes']
        assert sim.writes() == []
        counts[users] = sorted(r['path'].split('/rest/v2', 1)[-1] for r in sim.requests)

    # One list per concept the description names; each member already in its team is recognised in the team list.
    assert counts[200] == counts[20] == ['/teams/', '/users/'], counts


def test_a_cold_run_of_200_users_in_20_teams_reads_the_same_lists_and_sends_only_the_writes(run_module, make_simulator):
    sim = make_simulator()
    sim.clear_requests()

    started = time.monotonic()
    result = run_module(MODULE, generated(200, 20), sim=sim)
    elapsed = time.monotonic() - started

    assert result['changed'] is True, result
    assert len([u for u in sim.state.users() if u.username.startswith('user')]) == 200
    assert [len(sim.state.find_team('Team%03d' % index).members) for index in range(1, 21)] == [10] * 20
    reads = [r for r in sim.requests if r['method'] == 'GET']
    # A user create, a team create and a member add each: nothing is read back.
    assert len(sim.writes()) == 200 + 20 + 200
    # The users, the roles they name, the teams: once each.
    assert sorted(r['path'].split('/rest/v2', 1)[-1] for r in reads) == ['/roles/', '/teams/', '/users/'], reads
    assert elapsed < 60, elapsed


# -- a lost answer -------------------------------------------------------------------------------------------------

def test_a_create_whose_answer_is_lost_is_sent_once_and_later_items_get_its_key(run_module, make_simulator):
    sim = make_simulator()
    sim.inject_fault('POST', '/users/', drop=True, after_processing=True, count=1)
    sim.inject_fault('POST', '/teams/', drop=True, after_processing=True, count=1)
    sim.clear_requests()
    wanted = dict(users=[dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Developer')],
                  teams=[dict(name='Payments', members=[dict(user='rita.gomes', role='Tester')])])

    result = run_module(MODULE, wanted, sim=sim)

    assert not result.get('failed'), result
    sent = writes(sim)
    assert sent.count(('POST', '/users/')) == 1 and sent.count(('POST', '/teams/')) == 1, sent
    rita = sim.state.find_user('rita.gomes')
    assert sim.state.find_team('Payments').members == {rita.key: sim.state.find_role('Tester').key}


def test_a_role_is_deleted_without_users_new_role_when_the_description_moves_its_users_off_it(run_module, world):
    wanted = dict(roles=[dict(name='Contractor', state='absent')], users=[dict(username='pedro.alves', role='Tester')])

    result = run_module(MODULE, wanted, sim=world)

    assert not result.get('failed'), result
    assert world.state.find_role('Contractor') is None
    assert world.state.find_user('pedro.alves').role_key == world.state.find_role('Tester').key
    assert [method for method, dummy in writes(world)] == ['PUT', 'DELETE']


def test_a_role_still_held_after_the_run_needs_users_new_role_before_any_write(run_module, world):
    world.state.add_user('joana.reis', name='Joana Reis', role='Contractor')
    wanted = dict(roles=[dict(name='Contractor', state='absent')], users=[dict(username='pedro.alves', role='Tester')])

    result = run_module(MODULE, wanted, sim=world)

    assert result.get('failed') is True and result['parameter'] == 'roles[0].users_new_role', result
    assert 'joana.reis' in result['msg'] and 'pedro.alves' not in result['msg'], result['msg']
    assert world.writes() == []


# -- a password that does not follow its user (review of issue 19, H1 and L8) ---------------------------------------

def rita(**options):
    return dict(dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Developer', password=SECRET), **options)


def test_a_user_created_whose_password_fails_fails_the_task_as_changed_and_says_how_to_set_it(run_module, make_simulator):
    sim = make_simulator()
    sim.inject_fault('POST', '/users/*/setpassword/', status=400, count=1)
    sim.clear_requests()

    result = run_module(MODULE, dict(users=[rita()]), sim=sim)

    assert result.get('failed') is True and result['changed'] is True, result
    assert result['changes']['users'] == ['rita.gomes'], result
    assert 'created' in result['msg'] and 'update_password: always' in result['msg'], result['msg']
    assert SECRET not in json.dumps(result)
    created = [u for u in sim.state.governance_summary()['users'] if u['username'] == 'rita.gomes']
    assert len(created) == 1 and created[0]['has_password'] is False, created
    assert [(w["method"], w["path"].rsplit("/", 2)[-2], w["status"]) for w in sim.writes()][1:] == [("POST", "setpassword", 400)], sim.writes()
    statuses = [w['status'] for w in sim.writes()]
    assert statuses[-1] == 400 and len(statuses) == 2, sim.writes()

    # What the message says to do sets it, without creating the user again.
    sim.clear_requests()
    fixed = run_module(MODULE, dict(users=[rita(update_password='always')]), sim=sim)

    assert not fixed.get('failed'), fixed
    assert sim.state.find_user('rita.gomes').password == SECRET
    assert [path.rsplit('/', 2)[-2] for dummy, path in writes(sim)] == ['setpassword'], writes(sim)


def test_a_user_create_whose_answer_comes_after_the_timeout_is_found_and_gets_its_password(run_module, make_simulator):
    sim = make_simulator()
    sim.inject_fault('POST', '/users/', latency=2.5, count=1)
    sim.clear_requests()

    result = run_module(MODULE, dict(users=[rita()], request_timeout=1), sim=sim)

    assert not result.get('failed'), result
    assert result['changed'] is True and result['changes']['users'] == ['rita.gomes'], result
    sent = writes(sim)
    assert sent.count(('POST', '/users/')) == 1, sent
    assert sim.state.find_user('rita.gomes').password == SECRET
    assert [u['has_password'] for u in sim.state.governance_summary()['users'] if u['username'] == 'rita.gomes'] == [True]


def test_a_lost_create_the_list_never_shows_does_not_claim_nothing_was_created(run_module, make_simulator):
    sim = make_simulator()
    sim.inject_fault('POST', '/users/', drop=True, count=1)
    sim.clear_requests()

    result = run_module(MODULE, dict(users=[rita()]), sim=sim)

    assert result.get('failed') is True, result
    assert 'nothing was created' not in result['msg'] and 'may still be created' in result['msg'], result['msg']
    assert 'update_password: always' in result['msg'], result['msg']
    assert writes(sim) == [('POST', '/users/')]
    assert sim.state.find_user('rita.gomes') is None


# -- a secret that did not arrive (review of issue 19, H2) -----------------------------------------------------------

@pytest.mark.parametrize('change, parameter', [
    (lambda d: d['users'][0].update(password=''), 'users[0].password'),
    (lambda d: d['users'][0].update(password='  '), 'users[0].password'),
    (lambda d: d['db_connections'][0].update(password=''), 'db_connections[0].password'),
])
def test_an_empty_password_is_refused_before_any_write(run_module, world, change, parameter):
    wanted = description()
    change(wanted)
    before = world.state.governance_summary()

    result = run_module(MODULE, wanted, sim=world)

    assert result.get('failed') is True and result['parameter'] == parameter, result
    assert result['msg'].startswith(parameter) and 'empty' in result['msg'], result['msg']
    assert world.writes() == []
    assert world.state.governance_summary() == before
    assert world.state.find_user('rita.gomes') is None


# -- roles a run cannot delete or change (review of issue 19, H3 and M6) --------------------------------------------

def test_a_users_new_role_that_the_run_also_deletes_is_refused_before_any_write(run_module, world):
    world.state.add_role('Empty1', levels={'Development': 'Open Applications'})
    world.state.add_user('joana.reis', name='Joana Reis', role='Tester')
    world.clear_requests()
    wanted = dict(roles=[dict(name='Tester', state='absent', users_new_role='Empty1'), dict(name='Empty1', state='absent')])
    before = world.state.governance_summary()

    for check_mode in (True, False):
        result = run_module(MODULE, wanted, check_mode=check_mode, sim=world)

        assert result.get('failed') is True and result['parameter'] == 'roles[0].users_new_role', result
        assert 'Empty1' in result['msg'] and 'roles[1]' in result['msg'], result['msg']
    assert world.writes() == []
    assert world.state.governance_summary() == before
    assert world.state.find_role('Tester') is not None and world.state.find_role('Empty1') is not None


@pytest.mark.parametrize('role', [
    dict(name='Administrator', state='absent', users_new_role='Developer'),
    dict(name='administrator', environment_permissions=[dict(environment='Development', level='No Access')]),
])
def test_the_built_in_administrator_role_is_refused_before_any_write(run_module, world, role):
    wanted = dict(roles=[dict(name='Squad Lead', manage_teams=True), role],
                  users=[dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Developer')])
    before = world.state.governance_summary()

    result = run_module(MODULE, wanted, sim=world)

    assert result.get('failed') is True and result['parameter'] == 'roles[1].name', result
    assert 'Administrator' in result['msg'] and 'built-in' in result['msg'], result['msg']
    assert world.writes() == []
    assert world.state.governance_summary() == before


def test_every_connection_test_runs_before_the_first_write_of_the_description(run_module, world):
    world.state.fail_db_connection_tests('Login failed for user reporting.')
    wanted = description()
    wanted['db_connections'][0]['test_connection'] = True
    before = world.state.governance_summary()

    result = run_module(MODULE, wanted, sim=world)

    assert result.get('failed') is True and result['parameter'] == 'db_connections[0].test_connection', result
    assert 'Login failed' in result['msg'] and result.get('changed') is not True, result
    assert [(method, path.rsplit('/', 2)[-2]) for method, path in writes(world)] == [('POST', 'testdbconnection')], writes(world)
    assert world.state.governance_summary() == before
    assert DB_SECRET not in json.dumps(result)


def test_a_connection_test_that_passes_is_sent_once_and_before_the_roles_users_and_teams(run_module, world):
    wanted = description()
    wanted['db_connections'][0]['test_connection'] = True

    result = run_module(MODULE, wanted, sim=world)

    assert not result.get('failed'), result
    sent = [path.rsplit('/', 2)[-2] for dummy, path in writes(world)]
    assert sent[0] == 'testdbconnection' and sent.count('testdbconnection') == 1, sent
    assert world.state.find_db_connection('Production', 'ReportingDB').password == DB_SECRET


# -- an application belongs to one team (review of issue 19, M4 and M5) ---------------------------------------------

def team_apps(sim, name):
    return sorted(team['applications'] for team in sim.state.governance_summary()['teams'] if team['name'] == name)[0]


def test_an_application_listed_in_two_teams_is_refused_before_any_write(run_module, make_simulator):
    sim = make_simulator()
    sim.clear_requests()
    before = sim.state.governance_summary()
    wanted = dict(teams=[dict(name='Alpha', applications=['Orders API']), dict(name='Beta', applications=['orders api'])])

    result = run_module(MODULE, wanted, sim=sim)

    assert result.get('failed') is True and result['parameter'] == 'teams[1].applications', result
    assert 'Orders API' in result['msg'] and 'teams[0]' in result['msg'], result['msg']
    assert sim.writes() == []
    assert sim.state.governance_summary() == before


def test_an_application_an_earlier_team_takes_from_an_exclusive_team_is_not_removed_by_it(run_module, make_simulator):
    sim = make_simulator()
    run_module(MODULE, dict(teams=[dict(name='Digital', applications=['Customer Portal', 'EmployeeBackoffice'])]), sim=sim)
    assert 'EmployeeBackoffice' in team_apps(sim, 'Digital') and 'Customer Portal' in team_apps(sim, 'Digital')
    wanted = dict(teams=[dict(name='Integration', applications=['Orders API', 'EmployeeBackoffice']),
                         dict(name='Digital', applications=['Customer Portal'], exclusive=True)])
    check = run_module(MODULE, wanted, check_mode=True, diff=True, sim=sim)
    sim.clear_requests()

    result = run_module(MODULE, wanted, sim=sim)

    assert not result.get('failed'), result
    assert result['changes'] == check['changes'], (result, check)
    assert 'EmployeeBackoffice' in team_apps(sim, 'Integration') and 'EmployeeBackoffice' not in team_apps(sim, 'Digital')
    assert [method for method, dummy in writes(sim)].count('DELETE') == 0, writes(sim)
    assert all(w['status'] < 400 for w in sim.writes()), sim.writes()
    sim.clear_requests()
    again = run_module(MODULE, wanted, sim=sim)
    assert again['changed'] is False and sim.writes() == [], (again, sim.writes())


# -- exclusive, casing, refused passwords (review of issue 19, M7, L9, L10) -----------------------------------------

def test_exclusive_without_application_roles_leaves_a_users_application_roles_and_an_empty_list_revokes_them(run_module, make_simulator):
    sim = make_simulator()
    run_module(MODULE, dict(users=[dict(username='ana.silva', application_roles=[dict(application='Customer Portal', role='Tester')])]), sim=sim)
    ana = sim.state.find_user('ana.silva')
    assert list(ana.application_roles.values()) == [sim.state.find_role('Tester').key]
    sim.clear_requests()

    left = run_module(MODULE, dict(users=[dict(username='ana.silva', exclusive=True)]), sim=sim)

    assert left['changed'] is False and sim.writes() == [], (left, sim.writes())
    assert len(sim.state.find_user('ana.silva').application_roles) == 1

    emptied = run_module(MODULE, dict(users=[dict(username='ana.silva', exclusive=True, application_roles=[])]), sim=sim)

    assert emptied['changed'] is True and emptied['changes']['users'] == ['ana.silva'], emptied
    assert sim.state.find_user('ana.silva').application_roles == {}
    assert [method for method, dummy in writes(sim)] == ['DELETE'], writes(sim)


def test_an_email_or_a_team_name_differing_only_in_case_is_no_change(run_module, make_simulator):
    sim = make_simulator()
    sim.clear_requests()
    wanted = dict(users=[dict(username='ana.silva', email='Ana.Silva@Company.COM')], teams=[dict(name='DIGITAL', description='Customer-facing applications')])

    result = run_module(MODULE, wanted, sim=sim)

    assert result['changed'] is False, result
    assert sim.writes() == []
    assert sim.state.find_user('ana.silva').email == 'ana.silva@company.com'
    assert [team['name'] for team in sim.state.governance_summary()['teams'] if team['name'].lower() == 'digital'] == ['Digital']


def test_a_password_refused_under_external_authentication_is_no_change_run_after_run(run_module, make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})
    wanted = dict(users=[dict(username='ana.silva', password=SECRET, update_password='always')])

    for dummy in range(2):
        sim.clear_requests()
        result = run_module(MODULE, wanted, sim=sim)

        assert not result.get('failed') and result['changed'] is False, result
        assert result['changes']['users'] == [], result
        assert [(w['method'], w['path'].rsplit('/', 2)[-2], w['status']) for w in sim.writes()] == [('POST', 'setpassword', 405)], sim.writes()
        assert any('was not set' in warning for warning in result['warnings']), result
    assert sim.state.find_user('ana.silva').password is None


def test_lifetime_user_reports_a_refused_password_as_no_change(run_module, make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})
    sim.clear_requests()

    result = run_module('lifetime_user', dict(username='ana.silva', password=SECRET, update_password='always'), sim=sim)

    assert not result.get('failed') and result['changed'] is False, result
    assert [w['status'] for w in sim.writes()] == [405]
    assert sim.state.find_user('ana.silva').password is None


def test_lifetime_user_failing_on_the_password_of_a_user_it_created_reports_changed(run_module, make_simulator):
    sim = make_simulator()
    sim.inject_fault('POST', '/users/*/setpassword/', status=400, count=1)
    sim.clear_requests()

    result = run_module('lifetime_user', rita(), sim=sim)

    assert result.get('failed') is True and result['changed'] is True, result
    assert 'update_password: always' in result['msg'], result['msg']
    assert sim.state.find_user('rita.gomes').password is None
    assert [w['status'] for w in sim.writes()] == [201, 400], sim.writes()
