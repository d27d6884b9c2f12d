# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A description that stays consistent: a role deleted in the same run that an item also gives is refused, a user deactivated
and listed as a team member is warned about, a module failing after a write reports changed. Checked by the simulator's state
and request log."""

import pytest

MODULE = 'lifetime_governance'


@pytest.fixture
def world(make_simulator):
    sim = make_simulator()
    sim.state.add_role('Contractor', levels={'Development': 'Open Applications'})
    sim.state.add_user('pedro.alves', name='Pedro Alves', role='Contractor')
    sim.clear_requests()
    return sim


def deleting_contractor(**items):
    return dict(dict(roles=[dict(name='Contractor', state='absent', users_new_role='Developer')]), **items)


# -- M1: a role the run deletes, given by the same run ------------------------------------------------------------

@pytest.mark.parametrize('items, path', [
    (dict(users=[dict(username='del.user', name='Del User', email='del@company.com', role='contractor')]), 'users[0].role'),
    (dict(users=[dict(username='pedro.alves', application_roles=[dict(application='Customer Portal', role='Contractor')])]),
     'users[0].application_roles[0].role'),
    (dict(teams=[dict(name='DelTeam', members=[dict(user='ana.silva', role='Contractor')])]), 'teams[0].members[0].role'),
    (dict(db_connections=[dict(environment='Development', name='DelDB', provider='SQL Server', parameters='Server=x',
                               role_permissions=[dict(role='Contractor', level='Read-Only')])]), 'db_connections[0].role_permissions[0].role'),
])
@pytest.mark.parametrize('check_mode', [False, True])
def test_a_role_the_run_deletes_and_also_gives_is_refused_before_any_write_naming_the_path(run_module, world, items, path, check_mode):
    result = run_module(MODULE, deleting_contractor(**items), sim=world, check_mode=check_mode)

    assert result.get('failed') is True and result['parameter'] == path, result
    assert result['msg'] == '%s names Contractor, which roles[0] deletes in this run: name a role that stays, or keep that one.' % path
    assert world.writes() == []
    assert world.state.find_role('Contractor') is not None and world.state.find_user('del.user') is None


def test_a_role_the_run_deletes_given_by_an_item_that_is_absent_is_no_reference(run_module, world):
    wanted = deleting_contractor(teams=[dict(name='Gone', state='absent', members=[dict(user='ana.silva', role='Contractor')])])

    result = run_module(MODULE, wanted, sim=world)

    assert not result.get('failed'), result
    assert world.state.find_role('Contractor') is None


def test_a_user_the_run_deactivates_and_lists_as_a_team_member_is_warned_about(run_module, world):
    wanted = dict(users=[dict(username='pedro.alves', state='absent')],
                  teams=[dict(name='Digital', members=[dict(user='Pedro.Alves', role='Developer')])])

    result = run_module(MODULE, wanted, sim=world)

    assert not result.get('failed'), result
    assert any(warning.startswith('teams[0].members[0] lists pedro.alves, whom users[0] deactivates') for warning in result['warnings']), result
    pedro = world.state.find_user('pedro.alves')
    assert pedro.is_active is False and pedro.key in world.state.find_team('Digital').members


# -- L2: a failure after writes still changed LifeTime ---------------------------------------------------------------

def test_lifetime_team_failing_after_creating_the_team_and_adding_a_member_reports_changed(run_module, simulator):
    simulator.inject_fault('POST', '/teams/{team}/applications/', status=400, count=1)

    result = run_module('lifetime_team', dict(name='Pcf', members=[dict(user='ana.silva', role='Developer')], applications=['Customer Portal']))

    assert result.get('failed') is True and result['changed'] is True, result
    team = simulator.state.find_team('Pcf')
    assert team is not None and team.members == {simulator.state.find_user('ana.silva').key: simulator.state.find_role('Developer').key}
    assert [w['method'] for w in simulator.writes()] == ['POST', 'POST', 'POST']


def test_lifetime_db_connection_failing_after_creating_the_connection_reports_changed(run_module, simulator):
    simulator.inject_fault('PUT', '/environments/{env}/dbconnections/{name}/rolepermissionlevel/', status=400, count=1)

    result = run_module('lifetime_db_connection', dict(environment='Development', name='FDB', provider='SQL Server', parameters='Server=x',
                                                       role_permissions=[dict(role='Developer', level='Read-Only')]))

    assert result.get('failed') is True and result['changed'] is True, result
    assert simulator.state.find_db_connection('Development', 'FDB') is not None
    assert [w['method'] for w in simulator.writes()] == ['POST', 'PUT']
