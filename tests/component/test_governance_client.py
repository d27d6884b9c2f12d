# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GovernanceClient against the simulator: lists read once, creates sent once when their answer is lost, passwords kept out."""

import json

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import GovernanceClient


def _client(sim):
    return GovernanceClient(LifeTimeClient(sim.url, sim.token, retries=0, sleep=lambda seconds: None))


def _sent(sim, method, path):
    return [r for r in sim.requests if r['method'] == method and r['path'].endswith(path)]


def test_each_list_is_read_once_until_a_write_of_its_concept(make_simulator):
    sim = make_simulator(generate_users=200, generate_teams=20)
    client = _client(sim)
    for _read in range(3):
        assert len(client.users()) == len(sim.state.users()) and len(client.teams()) == len(sim.state.teams())
    assert (len(_sent(sim, 'GET', '/users/')), len(_sent(sim, 'GET', '/teams/'))) == (1, 1)
    client.update_user(sim.state.find_user('user0001').key, {'Name': 'Renamed'})
    assert next(u for u in client.users() if u['Username'] == 'user0001')['Name'] == 'Renamed'
    assert len(_sent(sim, 'GET', '/users/')) == 2


def test_a_user_whose_create_answer_was_lost_is_found_and_never_sent_twice(simulator):
    simulator.inject_fault('POST', '/users/', drop=True, after_processing=True, count=1)
    client = _client(simulator)
    key = client.create_user({'Username': 'new.person', 'Name': 'New Person', 'Email': 'new@company.com',
                              'RoleKey': simulator.state.find_role('Developer').key})
    assert key == simulator.state.find_user('new.person').key
    assert len(_sent(simulator, 'POST', '/users/')) == 1


def test_a_role_whose_create_was_lost_before_lifetime_saw_it_fails_without_claiming_nothing_was_created(simulator):
    simulator.inject_fault('POST', '/roles/', drop=True, count=1)
    body = {'name': 'Auditor', 'manageTeams': False, 'environmentPermissions': [
        {'environmentKey': env.key, 'level': 2} for env in simulator.state.environments()]}
    with pytest.raises(LifeTimeError, match='may still be created') as info:
        _client(simulator).create_role(body)
    assert 'nothing was created' not in str(info.value)
    assert simulator.state.find_role('Auditor') is None
    assert len(_sent(simulator, 'POST', '/roles/')) == 1


def test_a_team_and_a_database_connection_whose_answers_were_lost_are_found_by_name(simulator):
    simulator.inject_fault('POST', '/teams/', drop=True, after_processing=True, count=1)
    simulator.inject_fault('POST', '/environments/*/dbconnections/', drop=True, after_processing=True, count=1)
    client = _client(simulator)
    assert client.create_team('Squad', 'a squad') == simulator.state.find_team('Squad').key
    dev = simulator.state.environment('Development').key
    fields = {'dbConnectionName': 'Sales', 'providerKey': 'sqlserver', 'description': '', 'dbUsername': 'sales',
              'dbPassword': 'Db-Secret-1', 'dbConfigParams': ''}
    assert client.create_db_connection(dev, fields) == 'Sales'
    assert simulator.state.find_db_connection('Development', 'Sales').password == 'Db-Secret-1'
    assert (len(_sent(simulator, 'POST', '/teams/')), len(_sent(simulator, 'POST', '/dbconnections/'))) == (1, 1)


def test_a_password_reaches_lifetime_and_nothing_else(simulator):
    client = _client(simulator)
    user = simulator.state.find_user('ana.silva')
    client.set_password(user.key, 'S3cret-value')
    assert user.password == 'S3cret-value'
    assert 'S3cret-value' not in json.dumps(simulator.requests) + json.dumps(client.users()) + json.dumps(client.get_user(user.key))


def test_setting_a_password_under_external_authentication_is_lifetimes_405(make_simulator):
    sim = make_simulator(scenario={'base': 'default', 'settings': {'external_authentication': True}})
    with pytest.raises(LifeTimeAPIError) as raised:
        _client(sim).set_password(sim.state.find_user('ana.silva').key, 'S3cret-value')
    assert raised.value.status == 405 and sim.state.find_user('ana.silva').password is None


def test_levels_providers_and_permissions_read_in_lifetimes_own_labels(simulator):
    client = _client(simulator)
    assert [level['levelLabel'] for level in client.role_permission_levels()][-1] == 'Full Control'
    assert {level['Label'] for level in client.db_permission_levels()} == {'No Access', 'Read-Only', 'Full Control'}
    prd = simulator.state.environment('Production').key
    assert 'SQL Server' in {p['DisplayName'] for p in client.db_providers(prd)}
    client.set_db_user_permission(prd, 'ReportingDB', 'ana.silva', 2)
    assert client.db_user_permission(prd, 'ReportingDB', 'ana.silva')['Label'] == 'Full Control'
    assert simulator.state.find_db_connection('Production', 'ReportingDB').user_levels == {simulator.state.find_user('ana.silva').key: 2}
