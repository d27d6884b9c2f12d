# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's users, roles, teams and database connections (README.md, Behaviour, Governance)."""

from __future__ import annotations

import json

from tests.simulator.client import Client, key_of


def _api(sim):
    return Client(sim, 'test-token')


def test_the_default_world_lists_active_users_in_pascal_case_and_leaves_inactive_ones_out(simulator):
    api = _api(simulator)
    users = api.get('/users/').json()
    assert {u['Username'] for u in users} == {u.username for u in simulator.state.users(include_inactive=False)}
    assert 'old.contractor' not in {u['Username'] for u in users}
    everyone = api.get('/users/', query={'IncludeInactive': 'true', 'IncludeTeams': 'true'}).json()
    ana = next(u for u in everyone if u['Username'] == 'ana.silva')
    assert set(ana) == {'Key', 'Username', 'Name', 'Email', 'IsActive', 'RoleKey', 'RoleName', 'ApplicationRoles', 'Teams'}
    assert [t['TeamName'] for t in ana['Teams']] == ['Digital']
    assert len(everyone) == len(simulator.state.users())


def test_a_created_user_is_in_the_state_and_its_password_is_stored_but_never_answered_nor_logged(simulator):
    api = _api(simulator)
    role = simulator.state.find_role('Tester').key
    reply = api.post('/users/', {'Username': 'new.person', 'Name': 'New Person', 'Email': 'new@company.com', 'RoleKey': role})
    assert reply.status == 201
    key = key_of(reply)
    assert api.post('/users/%s/setpassword/' % key, {'password': 'S3cret-value'}).status == 200
    user = simulator.state.find_user('new.person')
    assert (user.key, user.role_key, user.password) == (key, role, 'S3cret-value')
    answers = api.get('/users/%s/' % key).body + api.get('/users/', query={'IncludeInactive': 'true'}).body
    assert b'S3cret-value' not in answers
    assert 'S3cret-value' not in json.dumps(simulator.requests)
    assert simulator.writes()[-1]['body'] == {'password': '********'}


def test_setting_a_password_under_external_authentication_answers_405_and_changes_nothing(make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})
    user = sim.state.find_user('ana.silva')
    reply = _api(sim).post('/users/%s/setpassword/' % user.key, {'password': 'S3cret-value'})
    assert reply.status == 405 and reply.json()['StatusCode'] == 405
    assert user.password is None


def test_a_world_without_teams_answers_204_with_no_body(make_simulator):
    sim = make_simulator(scenario={'environments': [{'name': 'Development'}],
                                   'governance': {'roles': [{'name': 'Administrator', 'levels': 'Full Control'}]}})
    reply = _api(sim).get('/teams/')
    assert (reply.status, reply.body, sim.state.teams()) == (204, b'', [])
    assert _api(sim).get('/users/').status == 204


def test_a_role_someone_holds_is_deleted_only_with_the_role_that_replaces_it(simulator):
    api, state = _api(simulator), simulator.state
    tester, developer = state.find_role('Tester'), state.find_role('Developer')
    assert api.delete('/roles/%s/' % tester.key).status == 400
    assert state.find_role('Tester') is not None
    assert api.delete('/roles/%s/' % tester.key, query={'UsersNewRoleKey': developer.key}).status == 204
    assert state.find_role('Tester') is None
    assert state.find_user('joao.costa').role_key == developer.key
    assert state.find_team('Digital').members[state.find_user('joao.costa').key] == developer.key
    assert api.delete('/roles/%s/' % state.find_role('Administrator').key).status == 400  # reserved


def test_a_role_needs_a_valid_level_for_every_environment(simulator):
    api, state = _api(simulator), simulator.state
    envs = state.environments()
    one = [{'environmentKey': envs[0].key, 'level': 2}]
    assert api.post('/roles/', {'name': 'Partial', 'environmentPermissions': one}).status == 400
    every = [{'environmentKey': env.key, 'level': 'Superuser'} for env in envs]
    reply = api.post('/roles/', {'name': 'Wrong', 'environmentPermissions': every})
    assert reply.status == 400 and 'Superuser' in reply.json()['Errors'][0]
    every = [{'environmentKey': env.key, 'level': 3, 'createApplications': True} for env in envs]
    reply = api.post('/roles/', {'name': 'Deployer', 'manageTeams': False, 'environmentPermissions': every})
    assert reply.status == 201
    role = state.find_role('Deployer')
    assert role.key == key_of(reply) and {p['level'] for p in role.permissions.values()} == {3}
    shown = api.get('/roles/%s/' % role.key, query={'IncludeEnvPermissions': 'true'}).json()
    assert {p['levelLabel'] for p in shown['environmentPermissions']} == {'Deploy Applications'}


def test_bad_bodies_get_400_and_unknown_keys_404_before_any_change(simulator):
    api, state = _api(simulator), simulator.state
    role = state.find_role('Developer').key
    before = len(state.users())
    assert api.post('/users/', {'Username': 'x', 'Name': 'X', 'Email': 'not-an-address', 'RoleKey': role}).status == 400
    assert api.post('/users/', {'Username': 'ANA.SILVA', 'Name': 'X', 'Email': 'x@company.com', 'RoleKey': role}).status == 400
    assert api.post('/users/', {'Username': 'x', 'Name': 'X', 'Email': 'x@company.com', 'RoleKey': 'nope'}).status == 400
    assert len(state.users()) == before
    assert api.get('/users/00000000-0000-0000-0000-000000000000/').status == 404
    assert api.delete('/teams/00000000-0000-0000-0000-000000000000/').status == 404
    assert api.put('/roles/00000000-0000-0000-0000-000000000000/', {}).status == 404


def test_an_application_moves_to_the_team_it_is_added_to(simulator):
    api, state = _api(simulator), simulator.state
    portal = state.application('Customer Portal')
    integration = state.find_team('Integration')
    assert api.post('/teams/%s/applications/' % integration.key, {'Key': portal.key}).status == 201
    assert portal.key in integration.applications and portal.key not in state.find_team('Digital').applications
    assert api.get('/applications/%s/' % portal.key).json()['Team'] == 'Integration'
    assert api.delete('/teams/%s/applications/%s' % (state.find_team('Digital').key, portal.key)).status == 404


def test_team_members_are_added_with_a_role_and_removed(simulator):
    api, state = _api(simulator), simulator.state
    team, admin = state.find_team('Finance'), state.find_user('admin')
    body = {'userKey': admin.key, 'roleKey': state.find_role('Release Manager').key}
    assert api.post('/teams/%s/users/' % team.key, body).status == 201
    assert team.members == {admin.key: body['roleKey']}
    shown = api.get('/teams/%s/' % team.key, query={'IncludeUsers': 'true'}).json()
    assert [(u['Username'], u['RoleName']) for u in shown['users']] == [('admin', 'Release Manager')]
    assert api.delete('/teams/%s/users/%s/' % (team.key, admin.key)).status == 200
    assert team.members == {}


def test_a_database_connection_is_kept_per_environment_and_its_password_never_leaves(simulator):
    api, state = _api(simulator), simulator.state
    dev = state.environment('Development').key
    body = {'dbConnectionName': 'Sales', 'providerKey': 'sqlserver', 'description': 'sales', 'dbUsername': 'sales',
            'dbPassword': 'Db-Secret-1', 'dbConfigParams': 'Server=db;Database=Sales'}
    reply = api.post('/environments/%s/dbconnections/' % dev, body)
    assert reply.status == 201 and reply.json()['dbConnectionName'] == 'Sales'
    assert api.post('/environments/%s/dbconnections/' % dev, body).status == 400  # the same name again
    [connection] = state.db_connections('Development')
    assert (connection.username, connection.password, connection.parameters) == ('sales', 'Db-Secret-1', 'Server=db;Database=Sales')
    assert state.db_connections('Quality Assurance') == []
    assert api.get('/environments/%s/dbconnections/' % state.environment('Quality Assurance').key).status == 204
    listed = api.get('/environments/%s/dbconnections/' % dev).body + api.get('/environments/%s/dbconnections/Sales/' % dev).body
    assert b'Db-Secret-1' not in listed and b'"sales"' not in listed.replace(b'"description": "sales"', b'')
    assert 'Db-Secret-1' not in json.dumps(simulator.requests)
    assert 'Sales' in state.environment('Development').database_connections  # deployments can map to it
    partial = dict(body)
    del partial['dbPassword']
    assert api.put('/environments/%s/dbconnections/Sales/' % dev, partial).status == 400
    assert api.delete('/environments/%s/dbconnections/Sales/' % dev).status == 204
    assert state.db_connections('Development') == []


def test_database_connection_permissions_name_roles_and_users(simulator):
    api, state = _api(simulator), simulator.state
    path = '/environments/%s/dbconnections/ReportingDB/' % state.environment('Production').key
    assert api.get(path + 'rolepermissionlevel/Developer/').json()['Label'] == 'Read-Only'
    assert api.put(path + 'userpermissionlevel/', {'username': 'ana.silva', 'permissionLevel': 2}).status == 200
    connection = state.find_db_connection('Production', 'reportingdb')
    assert connection.user_levels == {state.find_user('ana.silva').key: 2}
    assert api.put(path + 'userpermissionlevel/', {'username': 'nobody', 'permissionLevel': 2}).status == 400
    assert api.put(path + 'rolepermissionlevel/', {'role': 'Tester', 'permissionLevel': 7}).status == 400
    assert api.delete(path + 'rolepermissionlevel/', json_body={'role': 'Developer'}).status == 200
    assert connection.role_levels == {}
    assert api.get(path + 'rolepermissionlevel/Developer/').json()['Label'] == 'No Access'


def test_a_connection_test_fails_with_the_message_it_was_given(simulator):
    api, state = _api(simulator), simulator.state
    body = {'dbConnectionName': 'Probe', 'providerKey': 'oracle', 'description': '', 'dbUsername': 'u', 'dbPassword': 'p',
            'dbConfigParams': ''}
    path = '/environments/%s/testdbconnection/' % state.environment('Production').key
    assert api.post(path, body).status == 200
    state.fail_db_connection_tests('Login failed for user u.')
    reply = api.post(path, body)
    assert reply.status == 400 and 'Login failed for user u.' in reply.json()['Errors'][0]
    assert state.find_db_connection('Production', 'Probe') is None


def test_blocked_logins_are_listed_and_unblocked(simulator):
    api, state = _api(simulator), simulator.state
    user = state.find_user('maria.lopes')
    assert api.get('/users/%s/blockedlogins/' % user.key).status == 204
    state.block_login('maria.lopes', ip_address='10.1.1.1')
    [attempt] = api.get('/users/%s/blockedlogins/' % user.key).json()
    assert (attempt['username'], attempt['ipAddress']) == ('maria.lopes', '10.1.1.1')
    assert api.delete('/users/%s/blockedlogins/' % user.key).status == 200
    assert user.blocked_logins == []


def test_generated_users_and_teams_share_the_users_out(make_simulator):
    sim = make_simulator(generate_users=200, generate_teams=20)
    generated = [u for u in sim.state.users() if u.username.startswith('user')]
    teams = [t for t in sim.state.teams() if t.name.startswith('Team')]
    assert (len(generated), len(teams)) == (200, 20)
    assert {len(t.members) for t in teams} == {10}
    assert len(_api(sim).get('/users/').json()) == len(sim.state.users(include_inactive=False))
