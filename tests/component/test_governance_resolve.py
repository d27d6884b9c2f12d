# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""GovernanceNames against the simulator: roles, users and permission levels by name or key, each list read once."""

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.client import GovernanceClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.resolve import GovernanceNames, check_email


def _names(sim):
    return GovernanceNames(GovernanceClient(LifeTimeClient(sim.url, sim.token, retries=0, sleep=lambda seconds: None)))


def _gets(sim, path):
    return [r for r in sim.requests if r['method'] == 'GET' and r['path'].rstrip('/').endswith(path)]


def test_roles_resolve_by_key_exact_name_and_unique_case_insensitive_name(simulator):
    names = _names(simulator)
    key = simulator.state.find_role('Developer').key
    assert names.role(key.upper())['name'] == 'Developer'
    assert names.role('Release Manager')['key'] == simulator.state.find_role('Release Manager').key
    assert names.role('release manager')['name'] == 'Release Manager'
    assert names.find_role('Nobody') is None


def test_users_resolve_by_username_name_or_key(simulator):
    names = _names(simulator)
    ana = simulator.state.find_user('ana.silva')
    assert names.user('ana.silva')['Key'] == ana.key
    assert names.user('Ana Silva')['Key'] == ana.key
    assert names.user(ana.key.lower())['Username'] == 'ana.silva'


def test_lookups_read_each_list_once_whatever_their_number(make_simulator):
    sim = make_simulator(generate_users=200)
    names = _names(sim)
    for index in range(1, 201):
        names.user('user%04d' % index, 'members')
        names.role('Developer')
        names.role_level('Deploy Applications')
    assert (len(_gets(sim, '/users')), len(_gets(sim, '/roles')), len(_gets(sim, '/roles/permissionlevels'))) == (1, 1, 1)


def test_permission_levels_resolve_by_lifetime_label_or_number(simulator):
    names = _names(simulator)
    assert names.role_level('deploy applications') == 3
    assert names.role_level(5) == 5
    assert names.role_level('0') == 0
    assert names.role_level_label(4) == 'Change and Deploy Applications'


def test_an_unknown_level_is_one_sentence_naming_the_parameter_and_the_labels(simulator):
    with pytest.raises(LifeTimeLookupError) as info:
        _names(simulator).role_level('Deploy Apps', 'environment_permissions[1].level')
    message = str(info.value)
    assert message.startswith("environment_permissions[1].level 'Deploy Apps' is not a role permission level")
    assert 'Deploy Applications (3)' in message and '\n' not in message
    assert simulator.writes() == []


def test_an_unknown_user_or_role_names_the_parameter_and_the_closest_names(simulator):
    names = _names(simulator)
    with pytest.raises(LifeTimeLookupError) as user:
        names.user('ana.silvaa', 'members[0].user')
    assert "No user 'ana.silvaa' (members[0].user)" in str(user.value) and 'ana.silva' in str(user.value)
    with pytest.raises(LifeTimeLookupError) as role:
        names.role('Developers', 'role')
    assert "No role 'Developers' (role)" in str(role.value) and 'Closest: Developer' in str(role.value)


def test_a_name_two_users_share_is_ambiguous(simulator):
    simulator.state.add_user('ana.other', name='Ana Silva')
    with pytest.raises(LifeTimeLookupError) as info:
        _names(simulator).user('Ana Silva', 'user')
    assert 'ambiguous' in str(info.value) and 'ana.other' in str(info.value)


@pytest.mark.parametrize('value', ['ana.silva', 'ana@', 'ana silva@company.com', '@company.com', '', None])
def test_an_email_that_is_not_one_is_refused_naming_the_parameter(value):
    with pytest.raises(LifeTimeUsageError) as info:
        check_email(value, 'email')
    assert str(info.value).startswith('email ')


def test_an_email_is_returned_stripped():
    assert check_email('  ana.silva@company.com ') == 'ana.silva@company.com'
