# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The options of one role, user, team and database connection: the ARGUMENT_SPEC of lifetime_role, lifetime_user,
lifetime_team and lifetime_db_connection, and the item options of lifetime_governance, so the two cannot drift.
Each module still documents them inline (tests/component/modules/test_governance_consistency.py holds the docs to them)."""

from __future__ import annotations

WRITE_ONLY_CHOICE = dict(type='str', choices=['on_create', 'always'], default='on_create', no_log=False)
STATE = dict(type='str', choices=['present', 'absent'], default='present')

ROLE_OPTIONS = dict(
    name=dict(type='str', required=True),
    state=dict(STATE),
    manage_infrastructure=dict(type='bool'),
    manage_teams=dict(type='bool'),
    environment_permissions=dict(type='list', elements='dict', options=dict(
        environment=dict(type='str', required=True),
        level=dict(type='str', required=True),
        create_applications=dict(type='bool'),
        add_dependencies_to_system=dict(type='bool'),
    )),
    users_new_role=dict(type='str'),
)

USER_OPTIONS = dict(
    username=dict(type='str', required=True),
    state=dict(STATE),
    name=dict(type='str'),
    email=dict(type='str'),
    role=dict(type='str'),
    password=dict(type='str', no_log=True),
    update_password=dict(WRITE_ONLY_CHOICE),
    application_roles=dict(type='list', elements='dict', options=dict(
        application=dict(type='str', required=True),
        role=dict(type='str', required=True),
    )),
    exclusive=dict(type='bool', default=False),
    unblock=dict(type='bool', default=False),
)

TEAM_OPTIONS = dict(
    name=dict(type='str', required=True),
    state=dict(STATE),
    description=dict(type='str'),
    members=dict(type='list', elements='dict', options=dict(user=dict(type='str', required=True), role=dict(type='str', required=True))),
    applications=dict(type='list', elements='str'),
    exclusive=dict(type='bool', default=False),
)

DB_CONNECTION_OPTIONS = dict(
    environment=dict(type='str', required=True),
    name=dict(type='str', required=True),
    state=dict(STATE),
    provider=dict(type='str'),
    description=dict(type='str'),
    parameters=dict(type='str'),
    # A database user name is no secret (the connection result shows it); as no_log, Ansible would mask a short one (sa, dbo) everywhere.
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    update_password=dict(WRITE_ONLY_CHOICE),
    role_permissions=dict(type='list', elements='dict', options=dict(role=dict(type='str', required=True), level=dict(type='str', required=True))),
    user_permissions=dict(type='list', elements='dict', options=dict(user=dict(type='str', required=True), level=dict(type='str', required=True))),
    test_connection=dict(type='bool', default=False),
)
