# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The governance role (playbooks/governance.yml) applying examples/governance/ as written, checked by the simulator's state.

The example repository (docs/governance.md) runs with `ansible-playbook -i examples/governance/inventory
playbooks/governance.yml`: its roles, users, teams (a file per squad) and database connections (group_vars per
environment). The tests check the simulator's state and request log: check mode writes nothing and reports what would
change, the apply writes it in LifeTime's order, a rerun sends no write, and no password appears anywhere.
"""

import json
import os

import pytest

pytestmark = pytest.mark.integration

PLAYBOOK = 'playbooks/governance.yml'
INVENTORY = os.path.join('examples', 'governance', 'inventory')
TOKEN = 'governance-secret-token-41c7'
INITIAL_PASSWORD = 'Initial-Pa55word-7e1d'
QA_DB_PASSWORD = 'qa-db-Secret-93af'
SECRETS = {'GOVERNANCE_INITIAL_PASSWORD': INITIAL_PASSWORD, 'REPORTING_DB_QA_PASSWORD': QA_DB_PASSWORD}
SHOW_STATS = {'ANSIBLE_SHOW_CUSTOM_STATS': 'True'}


def example_world(make_simulator):
    """The default world, plus the Contractor role the example retires, held by pedro.alves whom the example makes an Auditor."""
    sim = make_simulator(token=TOKEN)
    sim.state.add_role('Contractor', levels={'Development': 'Open Applications'})
    sim.state.add_user('pedro.alves', name='Pedro Alves', role='Contractor')
    sim.clear_requests()
    return sim


def run_example(ansible_playbook, sim, **kwargs):
    env = dict(SECRETS, **kwargs.pop('env', {}))
    return ansible_playbook(PLAYBOOK, sim=sim, env=env, args=('-i', INVENTORY), **kwargs)


def custom_stats(run):
    """The statistics set_stats published, as the default callback prints them (ANSIBLE_SHOW_CUSTOM_STATS)."""
    line = next(line for line in run.stdout.splitlines() if line.strip().startswith('RUN: '))
    return json.loads(line.strip()[len('RUN: '):])


def writes(sim):
    """The writes as (method, path after /v2)."""
    return [(w['method'], w['path'].split('/rest/v2', 1)[-1]) for w in sim.writes()]


def test_check_mode_writes_nothing_and_reports_per_kind_what_would_change(ansible_playbook, make_simulator):
    sim = example_world(make_simulator)
    before = sim.state.governance_summary()

    run = run_example(ansible_playbook, sim, check=True, env=SHOW_STATS)

    assert run.rc == 0, run
    assert sim.writes() == []
    assert sim.state.governance_summary() == before
    assert custom_stats(run)['governance_changes'] == {
        'roles': ['Auditor', 'Contractor'],
        'users': ['rita.gomes', 'pedro.alves'],
        'teams': ['Digital', 'Integration'],
        'db_connections': ['Quality Assurance/ReportingDB', 'Production/ReportingDB'],
    }


def test_apply_writes_the_description_in_lifetimes_order_and_a_rerun_changes_nothing(ansible_playbook, make_simulator):
    sim = example_world(make_simulator)
    contractor = sim.state.find_role('Contractor').key
    pedro = sim.state.find_user('pedro.alves').key

    run = run_example(ansible_playbook, sim)

    assert run.rc == 0 and run.recap['failed'] == 0, run
    state = sim.state.governance_summary()
    roles = dict((role['name'], role['levels']) for role in state['roles'])
    assert 'Contractor' not in roles
    assert roles['Auditor'] == {'Development': 'Monitor and Add Dependencies', 'Quality Assurance': 'Monitor and Add Dependencies',
                                'Production': 'Monitor and Add Dependencies'}
    users = dict((user['username'], user) for user in state['users'])
    assert users['pedro.alves']['role'] == 'Auditor' and users['rita.gomes']['role'] == 'Developer'
    assert sim.state.find_user('rita.gomes').password == INITIAL_PASSWORD
    # pedro.alves existed: an initial password is sent on create only.
    assert sim.state.find_user('pedro.alves').password is None
    assert users['old.contractor']['active'] is False
    teams = dict((team['name'], team) for team in state['teams'])
    assert teams['Digital']['members'] == ['ana.silva', 'joao.costa', 'rita.gomes']
    assert teams['Digital']['applications'] == ['Customer Portal', 'EmployeeBackoffice']
    assert teams['Integration']['members'] == ['maria.lopes', 'pedro.alves']
    assert sim.state.find_db_connection('Quality Assurance', 'ReportingDB').password == QA_DB_PASSWORD
    # The user moved off Contractor before the role was deleted: the delete came last and moved no one.
    sent = writes(sim)
    assert sent[-1][0] == 'DELETE' and contractor.lower() in sent[-1][1].lower(), sent
    assert sent.index(('PUT', '/users/%s/' % pedro)) < len(sent) - 1, sent

    sim.clear_requests()
    again = run_example(ansible_playbook, sim)

    assert again.rc == 0 and again.recap['changed'] == 0, again
    assert sim.writes() == []
    assert sim.state.governance_summary() == state


def test_no_password_appears_at_vvvv_nor_in_the_request_log(ansible_playbook, make_simulator):
    sim = example_world(make_simulator)

    run = run_example(ansible_playbook, sim, verbosity=4, diff=True)

    assert run.rc == 0, run
    assert sim.state.find_user('rita.gomes').password == INITIAL_PASSWORD
    for secret in (INITIAL_PASSWORD, QA_DB_PASSWORD):
        assert secret not in run.output
        assert secret not in json.dumps(sim.requests)
    # A database user name is shown (it is no secret, and masking a short one would garble every line); its password never.
    assert '"username": "reporting_qa"' in run.output


# -- requests per run: 200 users and 20 teams -------------------------------------------------------------------

# The description is applied by one task (lifetime_governance), so 200 users and 20 teams take seconds; the environment
# variables change the scale, the assertions hold at any.
USERS = int(os.environ.get('LIFETIME_GOVERNANCE_USERS', '200'))
TEAMS = int(os.environ.get('LIFETIME_GOVERNANCE_TEAMS', '20'))
# An unchanged description of users in teams: the user list and the team list (which holds the members); nothing else.
UNCHANGED_READS = ['/teams/', '/users/']
# Cold: the role list too (the users' role is not one they hold yet); then the writes alone, nothing read back.
COLD_READS = ['/roles/', '/teams/', '/users/']


def generated_description():
    """The description of what the simulator's generate_users/generate_teams holds: user0001... in Team001... ."""
    users = [dict(username='user%04d' % index, name='User %04d' % index, email='user%04d@company.com' % index, role='Developer')
             for index in range(1, USERS + 1)]
    teams = [dict(name='Team%03d' % index, description='Generated team %d' % index,
                  members=[dict(user=user['username'], role='Developer') for position, user in enumerate(users) if position % TEAMS == index - 1])
             for index in range(1, TEAMS + 1)]
    return dict(governance_users=users, governance_teams=teams)


def reads(sim):
    return sorted(r['path'].split('/rest/v2', 1)[-1] for r in sim.requests if r['method'] == 'GET')


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_requests_per_run_for_users_and_teams_cold_and_unchanged(ansible_playbook, make_simulator, tmp_path):
    description = tmp_path / 'description.json'
    description.write_text(json.dumps(generated_description()))
    cold_sim = make_simulator(token=TOKEN)
    warm_sim = make_simulator(token=TOKEN, generate_users=USERS, generate_teams=TEAMS)
    warm_sim.clear_requests()

    cold = ansible_playbook(PLAYBOOK, sim=cold_sim, args=('-e', '@%s' % description), timeout=600)
    unchanged = ansible_playbook(PLAYBOOK, sim=warm_sim, args=('-e', '@%s' % description), timeout=600)

    assert cold.rc == 0 and unchanged.rc == 0, (cold, unchanged)
    summary = cold_sim.state.governance_summary()
    assert [u['username'] for u in summary['users'] if u['username'].startswith('user')] == ['user%04d' % index for index in range(1, USERS + 1)]
    assert [len(t['members']) for t in summary['teams'] if t['name'].startswith('Team')] == [USERS // TEAMS] * TEAMS
    print('cold: %d requests (%d writes); unchanged: %d requests (%d writes)'
          % (len(cold_sim.requests), len(cold_sim.writes()), len(warm_sim.requests), len(warm_sim.writes())))
    assert unchanged.recap['changed'] == 0 and warm_sim.writes() == []
    # Unchanged: a constant, whatever the number of users and teams.
    assert reads(warm_sim) == UNCHANGED_READS and len(warm_sim.requests) == len(UNCHANGED_READS)
    # Cold: the same constant reads, then per user its create, per team its create and one add per member.
    assert reads(cold_sim) == COLD_READS
    assert len(cold_sim.writes()) == USERS + TEAMS + USERS
    assert len(cold_sim.requests) == len(COLD_READS) + USERS + TEAMS + USERS
