# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_role and lifetime_role_info against the simulator: the roles LifeTime holds afterwards, and the requests it got."""

MODULE = 'lifetime_role'
SQUAD = [dict(environment='Development', level='Change and Deploy Applications', create_applications=True),
         dict(environment='Quality Assurance', level='deploy applications'),
         dict(environment='Production', level='1')]


def levels(sim, name):
    """{environment name: (level, create_applications, add_dependencies_to_system)} of a role in the simulator."""
    role = sim.state.find_role(name)
    return {env.name: (role.permissions[env.key.lower()]['level'], role.permissions[env.key.lower()]['create_applications'],
                       role.permissions[env.key.lower()]['add_dependencies_to_system'])
            for env in sim.state.environments() if env.key.lower() in role.permissions}


def squad(**extra):
    args = dict(name='Squad Developer', environment_permissions=SQUAD)
    args.update(extra)
    return args


def test_a_new_role_is_created_with_its_levels_and_no_access_in_the_environments_not_listed(run_module, simulator):
    result = run_module(MODULE, squad())

    assert result['changed'] is True, result
    role = simulator.state.find_role('Squad Developer')
    assert result['role']['key'] == role.key
    assert levels(simulator, 'Squad Developer') == {'Development': (4, True, False), 'Quality Assurance': (3, False, False),
                                                    'Production': (1, False, False)}
    assert [w['method'] for w in simulator.writes()] == ['POST']
    assert result['msg'] == 'Created role Squad Developer.'
    assert [p['level_label'] for p in result['role']['environment_permissions']] == [
        'Change and Deploy Applications', 'Deploy Applications', 'Monitor and Add Dependencies']


def test_a_second_run_changes_nothing_and_writes_nothing(run_module, simulator):
    run_module(MODULE, squad())
    count = len(simulator.writes())

    second = run_module(MODULE, squad(), diff=True)

    assert second['changed'] is False, second
    assert len(simulator.writes()) == count
    assert second['diff']['before'] == second['diff']['after']


def test_check_mode_reports_the_creation_and_writes_nothing(run_module, simulator):
    result = run_module(MODULE, squad(), check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['msg'] == 'Would create role Squad Developer.'
    assert simulator.writes() == []
    assert simulator.state.find_role('Squad Developer') is None
    assert result['diff']['before'] == {}
    assert result['diff']['after']['environment_permissions']['Production']['level'] == 'Monitor and Add Dependencies'


def test_an_update_changes_only_the_environment_listed_and_keeps_the_others(run_module, simulator):
    before = levels(simulator, 'Developer')

    result = run_module(MODULE, dict(name='developer', environment_permissions=[dict(environment='Production', level='Open Applications')]),
                        diff=True)

    assert result['changed'] is True, result
    after = levels(simulator, 'Developer')
    assert after['Production'] == (2, False, False)
    assert {env: value for env, value in after.items() if env != 'Production'} == \
        {env: value for env, value in before.items() if env != 'Production'}
    assert [w['method'] for w in simulator.writes()] == ['PUT']
    assert result['diff']['before']['environment_permissions']['Production']['level'] == 'Monitor and Add Dependencies'
    assert result['diff']['after']['environment_permissions']['Production']['level'] == 'Open Applications'


def test_flags_omitted_are_kept_and_flags_given_are_set(run_module, simulator):
    run_module(MODULE, dict(name='Release Manager', manage_teams=False))

    role = simulator.state.find_role('Release Manager')
    assert (role.manage_teams, role.manage_infrastructure) == (False, False)
    assert levels(simulator, 'Release Manager')['Production'][0] == 3


def test_an_unknown_level_fails_naming_the_parameter_before_any_write(run_module, simulator):
    result = run_module(MODULE, squad(environment_permissions=SQUAD[:1] + [dict(environment='Production', level='Deploy Apps')]))

    assert result['failed'] is True
    assert result['msg'].startswith("environment_permissions[1].level 'Deploy Apps' is not a role permission level"), result['msg']
    assert simulator.writes() == []


def test_an_unknown_environment_fails_naming_the_parameter_before_any_write(run_module, simulator):
    result = run_module(MODULE, squad(environment_permissions=[dict(environment='Staging', level='No Access')]))

    assert result['failed'] is True
    assert 'environment_permissions[0].environment' in result['msg'], result['msg']
    assert simulator.writes() == []


def test_manage_infrastructure_without_manage_teams_fails_before_any_write(run_module, simulator):
    result = run_module(MODULE, squad(manage_infrastructure=True))

    assert result['failed'] is True
    assert result['msg'].startswith('manage_infrastructure=true needs manage_teams=true'), result['msg']
    assert simulator.writes() == []


def test_deleting_a_role_its_users_hold_needs_users_new_role_and_writes_nothing_without_it(run_module, simulator):
    result = run_module(MODULE, dict(name='Tester', state='absent'))

    assert result['failed'] is True
    assert result['msg'].startswith('users_new_role is required: 1 user(s) hold the role Tester (joao.costa'), result['msg']
    assert simulator.writes() == []
    assert simulator.state.find_role('Tester') is not None


def test_deleting_a_role_moves_its_users_to_users_new_role(run_module, simulator):
    joao = simulator.state.find_user('joao.costa')
    developer = simulator.state.find_role('Developer')

    result = run_module(MODULE, dict(name='Tester', state='absent', users_new_role='Developer'))

    assert result['changed'] is True, result
    assert simulator.state.find_role('Tester') is None
    assert joao.role_key == developer.key
    assert simulator.state.find_team('Digital').members[joao.key] == developer.key
    assert [w['method'] for w in simulator.writes()] == ['DELETE']
    assert simulator.writes()[0]['query'] == {'UsersNewRoleKey': developer.key}
    assert result['users_new_role'] == {'key': developer.key, 'name': 'Developer'}


def test_deleting_a_role_nobody_holds_needs_no_users_new_role(run_module, simulator):
    simulator.state.add_role('Unused')

    result = run_module(MODULE, dict(name='Unused', state='absent'))

    assert result['changed'] is True, result
    assert simulator.state.find_role('Unused') is None


def test_deleting_in_check_mode_writes_nothing_and_a_missing_role_is_unchanged(run_module, simulator):
    checked = run_module(MODULE, dict(name='Tester', state='absent', users_new_role='Developer'), check_mode=True)
    missing = run_module(MODULE, dict(name='No Such Role', state='absent'))

    assert checked['changed'] is True and checked['msg'] == 'Would delete role Tester (its users move to Developer).'
    assert missing['changed'] is False
    assert simulator.writes() == []
    assert simulator.state.find_role('Tester') is not None


def test_users_new_role_that_is_the_role_itself_or_unknown_fails_before_any_write(run_module, simulator):
    same = run_module(MODULE, dict(name='Tester', state='absent', users_new_role='tester'))
    unknown = run_module(MODULE, dict(name='Tester', state='absent', users_new_role='Testers'))

    assert same['failed'] and same['msg'].startswith('users_new_role names the role being deleted'), same['msg']
    assert unknown['failed'] and "No role 'Testers' (users_new_role)" in unknown['msg'], unknown['msg']
    assert simulator.writes() == []


def test_a_role_whose_create_answer_was_lost_is_created_once(run_module, simulator):
    simulator.inject_fault('POST', '/roles/', drop=True, after_processing=True, count=1)

    result = run_module(MODULE, squad())

    assert result['changed'] is True, result
    assert [r.name for r in simulator.state.roles()].count('Squad Developer') == 1
    assert len([w for w in simulator.writes() if w['method'] == 'POST']) == 1
    assert result['role']['key'] == simulator.state.find_role('Squad Developer').key


def test_role_info_lists_every_role_sorted_with_its_permissions_in_one_roles_read(run_module, simulator):
    result = run_module('lifetime_role_info', {})

    assert [r['name'] for r in result['roles']] == [r.name for r in simulator.state.roles()]
    developer = next(r for r in result['roles'] if r['name'] == 'Developer')
    assert {p['environment']: p['level_label'] for p in developer['environment_permissions']} == {
        'Development': 'Change and Deploy Applications', 'Quality Assurance': 'Deploy Applications', 'Production': 'Monitor and Add Dependencies'}
    assert len([r for r in simulator.requests if r['path'].rstrip('/').endswith('/roles')]) == 1
    assert simulator.writes() == []


def test_role_info_by_name_keeps_the_order_given_and_fails_on_an_unknown_name(run_module, simulator):
    found = run_module('lifetime_role_info', dict(name=['Tester', 'developer']))
    unknown = run_module('lifetime_role_info', dict(name=['Tester', 'Nobody']))

    assert [r['name'] for r in found['roles']] == ['Tester', 'Developer']
    assert unknown['failed'] and "No role 'Nobody' (name[1])" in unknown['msg']
