# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_user and lifetime_user_info against the simulator: the users LifeTime holds afterwards, and the requests it got."""

import json

MODULE = 'lifetime_user'
SECRET = 'S3cret-Initial-Passw0rd'
APP = 'EmployeeBackoffice'


def rita(**extra):
    args = dict(username='rita.gomes', name='Rita Gomes', email='rita.gomes@company.com', role='Developer', password=SECRET)
    args.update(extra)
    return args


def methods(sim):
    return [(w['method'], w['path'].split('/rest/v2', 1)[-1]) for w in sim.writes()]


def user_paths(sim):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/users')]


def test_a_new_user_is_created_active_with_its_role_and_password(run_module, simulator):
    result = run_module(MODULE, rita())

    assert result['changed'] is True, result
    user = simulator.state.find_user('rita.gomes')
    assert (user.name, user.email, user.is_active) == ('Rita Gomes', 'rita.gomes@company.com', True)
    assert user.role_key == simulator.state.find_role('Developer').key
    assert user.password == SECRET
    assert result['user']['key'] == user.key and result['user']['role'] == 'Developer'
    assert result['msg'] == 'User rita.gomes: created, password set.'


def test_the_password_is_in_no_result_no_diff_and_no_request_log(run_module, simulator):
    created = run_module(MODULE, rita(), diff=True)
    again = run_module(MODULE, rita(update_password='always'), diff=True)

    assert SECRET not in json.dumps(created) and SECRET not in json.dumps(again)
    assert SECRET not in json.dumps(simulator.requests)
    assert created['diff']['after']['password'] == '(write-only)'
    assert len([w for w in simulator.writes() if w['path'].rstrip('/').endswith('/setpassword')]) == 2


def test_a_second_run_changes_nothing_writes_nothing_and_reads_only_the_user_list(run_module, simulator):
    run_module(MODULE, rita(application_roles=[dict(application=APP, role='Tester')]))
    simulator.clear_requests()

    second = run_module(MODULE, rita(application_roles=[dict(application=APP, role='Tester')]))

    assert second['changed'] is False, second
    assert simulator.writes() == []
    assert [(r['method'], r['path'].split('/rest/v2', 1)[-1]) for r in simulator.requests] == [('GET', '/users/')]


def test_check_mode_reports_the_creation_and_writes_nothing(run_module, simulator):
    result = run_module(MODULE, rita(), check_mode=True, diff=True)

    assert result['changed'] is True
    assert result['msg'] == 'Would change user rita.gomes: created, password set.'
    assert simulator.writes() == []
    assert simulator.state.find_user('rita.gomes') is None
    assert result['diff']['before'] == {} and result['diff']['after']['role'] == 'Developer'


def test_an_update_changes_only_the_options_given(run_module, simulator):
    ana = simulator.state.find_user('ana.silva')

    result = run_module(MODULE, dict(username='ANA.SILVA', role='Tester'), diff=True)

    assert result['changed'] is True, result
    assert ana.role_key == simulator.state.find_role('Tester').key
    assert (ana.name, ana.email) == ('Ana Silva', 'ana.silva@company.com')
    assert [m for m, dummy in methods(simulator)] == ['PUT']
    assert (result['diff']['before']['role'], result['diff']['after']['role']) == ('Developer', 'Tester')


def test_a_missing_creation_field_an_unknown_role_or_a_bad_email_fails_before_any_write(run_module, simulator):
    missing = run_module(MODULE, dict(username='new.person', name='New Person', role='Developer'))
    role = run_module(MODULE, rita(role='Developers'))
    email = run_module(MODULE, rita(email='rita.gomes at company.com'))

    assert missing['failed'] and missing['msg'].startswith('email is required to create the user new.person'), missing['msg']
    assert role['failed'] and "No role 'Developers' (role)" in role['msg'], role['msg']
    assert email['failed'] and email['msg'].startswith("email 'rita.gomes at company.com' is not an email address"), email['msg']
    assert simulator.writes() == []


def test_application_roles_are_granted_and_exclusive_revokes_the_unlisted(run_module, simulator):
    apps = [a.name for a in simulator.state.applications()][:2]
    run_module(MODULE, rita(application_roles=[dict(application=apps[0], role='Tester'), dict(application=apps[1], role='Developer')]))
    user = simulator.state.find_user('rita.gomes')
    app_keys = [simulator.state.application(name).key for name in apps]
    assert user.application_roles == {app_keys[0]: simulator.state.find_role('Tester').key, app_keys[1]: simulator.state.find_role('Developer').key}

    kept = run_module(MODULE, dict(username='rita.gomes', application_roles=[dict(application=apps[1], role='Developer')]))
    assert kept['changed'] is False and len(user.application_roles) == 2

    revoked = run_module(MODULE, dict(username='rita.gomes', application_roles=[dict(application=apps[1], role='Developer')], exclusive=True))
    assert revoked['changed'] is True and revoked['msg'] == 'User rita.gomes: 1 application role(s) revoked.'
    assert user.application_roles == {app_keys[1]: simulator.state.find_role('Developer').key}
    assert methods(simulator)[-1] == ('DELETE', '/users/%s/applications/%s/' % (user.key, app_keys[0]))


def test_an_unknown_application_fails_naming_the_parameter_before_any_write(run_module, simulator):
    result = run_module(MODULE, rita(application_roles=[dict(application='NoSuchApp', role='Tester')]))

    assert result['failed'] and 'application_roles[0].application' in result['msg'], result['msg']
    assert simulator.writes() == []


def test_absent_deactivates_the_user_and_a_second_run_is_unchanged(run_module, simulator):
    first = run_module(MODULE, dict(username='joao.costa', state='absent'))
    second = run_module(MODULE, dict(username='joao.costa', state='absent'))

    assert first['changed'] is True and second['changed'] is False
    assert simulator.state.find_user('joao.costa').is_active is False
    assert [m for m, dummy in methods(simulator)] == ['PUT']
    assert simulator.writes()[0]['body']['IsActive'] is False


def test_present_reactivates_an_inactive_user(run_module, simulator):
    result = run_module(MODULE, dict(username='old.contractor'))

    assert result['changed'] is True and simulator.state.find_user('old.contractor').is_active is True


def test_unblock_removes_blocked_logins_only_when_there_are_some(run_module, simulator):
    simulator.state.block_login('ana.silva')

    first = run_module(MODULE, dict(username='ana.silva', unblock=True))
    second = run_module(MODULE, dict(username='ana.silva', unblock=True))

    assert first['changed'] is True and second['changed'] is False
    assert simulator.state.find_user('ana.silva').blocked_logins == []
    assert [m for m, path in methods(simulator)] == ['DELETE']


def test_a_user_whose_create_answer_was_lost_is_created_once(run_module, simulator):
    simulator.inject_fault('POST', '/users/', drop=True, after_processing=True, count=1)

    result = run_module(MODULE, rita())

    assert result['changed'] is True, result
    assert [u.username for u in simulator.state.users()].count('rita.gomes') == 1
    assert len([w for w in simulator.writes() if w['path'].rstrip('/').endswith('/users')]) == 1


def test_200_users_cost_a_constant_number_of_requests_per_run_cold_and_unchanged(run_module, make_simulator):
    sim = make_simulator(generate_users=200)
    usernames = ['user%04d' % index for index in range(201, 401)]
    sim.clear_requests()
    for username in usernames:
        run_module(MODULE, dict(username=username, name=username, email='%s@company.com' % username, role='Developer', password=SECRET), sim=sim)
    cold = len(sim.requests)
    sim.clear_requests()
    for username in usernames:
        assert run_module(MODULE, dict(username=username, name=username, email='%s@company.com' % username, role='Developer'),
                          sim=sim)['changed'] is False
    unchanged = len(sim.requests)

    # cold: GET /users/, GET /roles/, POST /users/, POST setpassword, GET /users/ (read back); unchanged: GET /users/ only
    assert (cold, unchanged) == (5 * 200, 1 * 200)
    assert len(sim.state.users()) == 5 + 400


def test_user_info_lists_active_users_by_username_in_one_read_and_never_a_password(run_module, simulator):
    simulator.state.find_user('ana.silva').password = SECRET

    result = run_module('lifetime_user_info', {})

    assert [u['username'] for u in result['users']] == [u.username for u in simulator.state.users(include_inactive=False)]
    assert len(user_paths(simulator)) == 1
    assert SECRET not in json.dumps(result)
    ana = next(u for u in result['users'] if u['username'] == 'ana.silva')
    assert ana['teams'] == [dict(team='Digital', team_key=simulator.state.find_team('Digital').key, role='Developer',
                                 role_key=simulator.state.find_role('Developer').key)]


def test_user_info_by_username_name_or_key_includes_inactive_and_fails_on_an_unknown_one(run_module, simulator):
    key = simulator.state.find_user('ana.silva').key
    found = run_module('lifetime_user_info', dict(username=['old.contractor', 'Ana Silva', key]))
    unknown = run_module('lifetime_user_info', dict(username=['nobody.here']))

    assert [u['username'] for u in found['users']] == ['old.contractor', 'ana.silva', 'ana.silva']
    assert unknown['failed'] and "No user 'nobody.here' (username)" in unknown['msg']


def test_a_deactivation_whose_answer_was_lost_is_found_done_and_not_sent_again(run_module, simulator):
    simulator.inject_fault('PUT', '/users/*/', drop=True, after_processing=True, count=1)

    result = run_module(MODULE, dict(username='joao.costa', state='absent'))

    assert result['changed'] is True, result
    assert simulator.state.find_user('joao.costa').is_active is False
    assert [m for m, dummy in methods(simulator)] == ['PUT']


def test_under_external_authentication_the_user_is_created_and_the_refused_password_is_a_warning(run_module, make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})

    result = run_module(MODULE, rita(), sim=sim)

    assert not result.get('failed') and result['changed'] is True, result
    user = sim.state.find_user('rita.gomes')
    assert user is not None and user.password is None
    assert result['msg'] == 'User rita.gomes: created, password not set (external authentication).'
    assert any('was not set' in warning for warning in result['warnings']), result
