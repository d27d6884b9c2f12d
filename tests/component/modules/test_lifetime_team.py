# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""lifetime_team and lifetime_team_info against the simulator: the teams LifeTime holds afterwards, the requests it got,
and the requests per run for 20 teams of 200 users, cold and unchanged."""

MODULE = 'lifetime_team'


def squad(**extra):
    args = dict(name='Payments', description='Payments squad',
                members=[dict(user='ana.silva', role='Developer'), dict(user='joao.costa', role='Tester')], applications=['EmployeeBackoffice'])
    args.update(extra)
    return args


def team(sim, name='Payments'):
    return sim.state.find_team(name)


def members(sim, name='Payments'):
    """{username: role name} of a team as the simulator holds it."""
    found = team(sim, name)
    return dict((sim.state.find_user(user).username, sim.state.find_role(role).name) for user, role in found.members.items())


def applications(sim, name):
    found = team(sim, name)
    return sorted(sim.state.application(key).name for key in found.applications)


# -- creating and changing -----------------------------------------------------------------------------------------------

def test_a_new_team_is_created_with_its_members_and_applications(run_module, simulator):
    result = run_module(MODULE, squad())

    assert result['changed'] is True, result
    assert team(simulator).description == 'Payments squad'
    assert members(simulator) == {'ana.silva': 'Developer', 'joao.costa': 'Tester'}
    assert applications(simulator, 'Payments') == ['EmployeeBackoffice']
    assert result['team']['key'] == team(simulator).key
    assert sorted(m['user'] for m in result['team']['members']) == ['ana.silva', 'joao.costa']
    assert result['msg'] == 'Changed the team Payments: created the team, added 2 members, added 1 application.'


def test_a_second_run_changes_nothing_writes_nothing_and_reads_the_teams_once(run_module, simulator):
    run_module(MODULE, squad())
    simulator.clear_requests()

    second = run_module(MODULE, squad(), diff=True)

    assert second['changed'] is False, second
    assert simulator.writes() == []
    assert [(r['method'], r['path'].rstrip('/').rsplit('/', 1)[-1]) for r in simulator.requests] == [('GET', 'teams')]
    assert second['diff']['before'] == second['diff']['after']


def test_check_mode_reports_the_team_it_would_create_and_writes_nothing(run_module, simulator):
    result = run_module(MODULE, squad(), check_mode=True, diff=True)

    assert result['changed'] is True
    assert simulator.writes() == []
    assert team(simulator) is None
    assert result['diff']['before'] == {}
    assert result['diff']['after'] == dict(name='Payments', description='Payments squad', members={'ana.silva': 'Developer', 'joao.costa': 'Tester'},
                                           applications=['EmployeeBackoffice'])
    assert result['msg'] == 'Would change the team Payments: create the team, add 2 members, add 1 application.'


def test_a_member_listed_with_another_role_gets_it_and_the_others_stay(run_module, simulator):
    result = run_module(MODULE, dict(name='Digital', members=[dict(user='joao.costa', role='Developer')]))

    assert result['changed'] is True
    assert members(simulator, 'Digital') == {'ana.silva': 'Developer', 'joao.costa': 'Developer'}
    assert [w['method'] for w in simulator.writes()] == ['POST']


def test_exclusive_removes_the_members_and_applications_not_listed(run_module, simulator):
    result = run_module(MODULE, dict(name='Digital', members=[dict(user='ana.silva', role='Developer')], applications=[], exclusive=True))

    assert result['changed'] is True
    assert members(simulator, 'Digital') == {'ana.silva': 'Developer'}
    assert applications(simulator, 'Digital') == []
    assert sorted(w['method'] for w in simulator.writes()) == ['DELETE', 'DELETE']


def test_without_exclusive_unlisted_members_are_kept(run_module, simulator):
    result = run_module(MODULE, dict(name='Digital', members=[dict(user='ana.silva', role='Developer')], applications=[]))

    assert result['changed'] is False
    assert members(simulator, 'Digital') == {'ana.silva': 'Developer', 'joao.costa': 'Tester'}
    assert simulator.writes() == []


def test_an_application_taken_from_another_team_moves_with_a_warning(run_module, simulator):
    result = run_module(MODULE, dict(name='Finance', applications=['Orders API']))

    assert result['changed'] is True
    assert applications(simulator, 'Finance') == ['Orders API']
    assert applications(simulator, 'Integration') == []
    assert any('Orders API leaves the team Integration' in warning for warning in result.get('warnings', [])), result


def test_a_changed_description_is_sent_and_nothing_else(run_module, simulator):
    result = run_module(MODULE, dict(name='digital', description='Web and mobile'))

    assert result['changed'] is True
    assert team(simulator, 'Digital').description == 'Web and mobile'
    assert [(w['method'], w['body']) for w in simulator.writes()] == [('PUT', {'name': 'Digital', 'description': 'Web and mobile'})]


def test_absent_deletes_the_team_and_a_second_run_does_nothing(run_module, simulator):
    first = run_module(MODULE, dict(name='Integration', state='absent'))
    second = run_module(MODULE, dict(name='Integration', state='absent'))

    assert first['changed'] is True and second['changed'] is False
    assert team(simulator, 'Integration') is None
    assert [w['method'] for w in simulator.writes()] == ['DELETE']


# -- bad input: one sentence, before any write ---------------------------------------------------------------------------

def test_an_unknown_user_fails_naming_the_member_and_creates_no_team(run_module, simulator):
    result = run_module(MODULE, squad(members=[dict(user='ana.silva', role='Developer'), dict(user='nobody.here', role='Tester')]))

    assert result['failed'] is True
    assert "(members[1].user)" in result['msg'], result
    assert simulator.writes() == []
    assert team(simulator) is None


def test_an_unknown_role_fails_naming_the_member(run_module, simulator):
    result = run_module(MODULE, squad(members=[dict(user='ana.silva', role='Architect')]))

    assert result['failed'] is True
    assert "(members[0].role)" in result['msg'], result
    assert simulator.writes() == []


def test_an_unknown_application_fails_naming_it(run_module, simulator):
    result = run_module(MODULE, squad(applications=['EmployeeBackoffice', 'Payroll']))

    assert result['failed'] is True
    assert "(applications[1])" in result['msg'], result
    assert simulator.writes() == []


def test_a_user_listed_twice_fails_before_any_write(run_module, simulator):
    result = run_module(MODULE, squad(members=[dict(user='ana.silva', role='Developer'), dict(user='Ana.Silva', role='Tester')]))

    assert result['failed'] is True
    assert result['msg'] == 'members names the user ana.silva twice.'
    assert simulator.writes() == []


# -- lost answers --------------------------------------------------------------------------------------------------------

def test_a_create_whose_answer_is_lost_creates_one_team(run_module, simulator):
    fault = simulator.inject_fault('POST', '/teams/', drop=True, count=1, after_processing=True)

    result = run_module(MODULE, squad())

    assert fault.matched == 1
    assert result['changed'] is True, result
    assert [t.name for t in simulator.state.teams()].count('Payments') == 1
    assert members(simulator) == {'ana.silva': 'Developer', 'joao.costa': 'Tester'}


# -- cost: 20 teams of 200 users ------------------------------------------------------------------------------------------

def twenty_teams(sim):
    users = sorted(u.username for u in sim.state.users() if u.username.startswith('user'))
    apps = [a.name for a in sim.state.applications()]
    return [dict(name='Squad%02d' % index, description='Squad %d' % index,
                 members=[dict(user=user, role='Developer') for user in users[index::20]],
                 applications=[apps[index % len(apps)]] if index < len(apps) else []) for index in range(20)]


def test_twenty_teams_of_two_hundred_users_cost_constant_reads_cold_and_one_request_each_unchanged(run_module, make_simulator):
    sim = make_simulator(generate_users=200)
    tasks = twenty_teams(sim)

    for args in tasks:
        assert run_module(MODULE, args, sim=sim)['changed'] is True
    cold_reads = [r for r in sim.requests if r['method'] == 'GET']
    cold_writes = sim.writes()
    sim.clear_requests()
    for args in tasks:
        assert run_module(MODULE, args, sim=sim)['changed'] is False
    unchanged = list(sim.requests)

    # Cold, per team: teams, users, roles (+ applications when it lists one) before, teams again after.
    with_apps = sum(1 for args in tasks if args['applications'])
    assert len(cold_reads) == 20 * 4 + with_apps
    assert len(cold_writes) == 20 + 200 + with_apps  # one team, one per member, one per application
    assert len(unchanged) == 20 and all(r['method'] == 'GET' and r['path'].rstrip('/').endswith('teams') for r in unchanged)
    assert all(len(team(sim, args['name']).members) == 10 for args in tasks)


# -- lifetime_team_info --------------------------------------------------------------------------------------------------

def test_info_lists_every_team_with_members_and_applications_in_one_request(run_module, simulator):
    result = run_module('lifetime_team_info', {})

    assert result['changed'] is False
    assert [t['name'] for t in result['teams']] == [t.name for t in simulator.state.teams()]
    digital = next(t for t in result['teams'] if t['name'] == 'Digital')
    assert dict((m['user'], m['role']) for m in digital['members']) == members(simulator, 'Digital')
    assert [a['name'] for a in digital['applications']] == applications(simulator, 'Digital')
    assert len(simulator.requests) == 1


def test_info_by_name_gives_that_team_or_nothing(run_module, simulator):
    found = run_module('lifetime_team_info', dict(name='integration'))
    missing = run_module('lifetime_team_info', dict(name='Nope'))

    assert [t['key'] for t in found['teams']] == [team(simulator, 'Integration').key]
    assert missing['teams'] == []
