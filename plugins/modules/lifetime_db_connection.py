#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_db_connection
short_description: Create, change or delete a database connection of an OutSystems environment through LifeTime
version_added: 0.3.0
description:
  - Makes sure a database connection of one environment exists as described (its provider, description and configuration
    parameters, and the permission levels of the roles and users named), or that it does not exist.
  - Only what the task names is compared and changed; the permissions of roles and users it does not name are left as they are.
  - LifeTime never shows a connection's user name or password, and its update replaces both with what it is sent. They are
    write-only, like a password; see O(update_password).
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  environment:
    description:
      - Name or key of the environment the connection belongs to. An unknown name fails the task and lists the environments that exist.
    type: str
    required: true
  name:
    description:
      - Name of the database connection. LifeTime matches it case-insensitively, so a connection named in another case is that
        connection, and keeps its name.
    type: str
    required: true
  state:
    description:
      - V(present) creates or changes the connection; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  provider:
    description:
      - The database provider by its display name as LifeTime lists it for the environment (for example C(SQL Server),
        C(Oracle), C(MySQL), C(PostgreSQL)), case-insensitive; its key is accepted too.
      - Required to create a connection. An unknown provider fails the task before any change and lists those that exist.
    type: str
  description:
    description:
      - Description of the connection. Left as it is when not given.
    type: str
  parameters:
    description:
      - The configuration parameters, separated by semicolons (C(dbConfigParams)), for example C(Server=sql.company.com;Database=Reporting).
      - Left as they are when not given.
    type: str
  username:
    description:
      - The database user name. Write-only, sent with O(password) (see O(update_password)).
      - Needed, with O(password), to change anything but permissions of an existing connection, because LifeTime's update
        replaces both with what it is sent; the task fails before any change when either is missing.
    type: str
  password:
    description:
      - The database password. Write-only; never returned, never in a diff.
    type: str
  update_password:
    description:
      - V(on_create) sends O(username) and O(password) only when the connection is created or another of its fields changes;
        so an unchanged connection stays unchanged and a new password alone is not sent.
      - V(always) sends them on every run (LifeTime cannot show them to compare), so the task always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  role_permissions:
    description:
      - Permission levels of roles on this connection. A role not listed keeps its level.
    type: list
    elements: dict
    suboptions:
      role:
        description: Name or key of the role.
        type: str
        required: true
      level:
        description:
          - LifeTime's label of the level (C(No Access), C(Read-Only), C(Full Control)), its short label or its number.
        type: str
        required: true
  user_permissions:
    description:
      - Permission levels of users on this connection. A user not listed keeps their level.
    type: list
    elements: dict
    suboptions:
      user:
        description: Username, name or key of the user.
        type: str
        required: true
      level:
        description:
          - LifeTime's label of the level (C(No Access), C(Read-Only), C(Full Control)), its short label or its number.
        type: str
        required: true
  test_connection:
    description:
      - Before creating or changing the connection, ask LifeTime to connect with it; when that fails, the task fails with
        LifeTime's message and nothing is saved.
      - Not sent in check mode, nor when nothing but permissions changes.
    type: bool
    default: false
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Sends only GET requests and returns RV(db_connection) as it would be.
      - O(test_connection) is not run. LifeTime saves nothing, but its test makes LifeTime log in to the database with the
        credentials given, which a run that promises no change should not do (a failed login counts towards a lockout).
      - A role or user that an earlier task of the same play creates does not exist yet in check mode, so a task naming it
        fails there (no such role or user). For a first apply in check mode, use M(outsystems.lifetime.lifetime_governance) (or
        the C(outsystems.lifetime.governance) role), which checks an item naming what the description creates against the
        description.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - The provider, description, parameters and the permission levels named, before and after. The user name and password
        show as C((write-only)), or C((write-only, sent)) when the task sends them; never their values.
notes:
  - "API requests made: C(GET /environments/), C(GET /environments/{key}/dbconnections/) once; with O(provider),
    C(GET /environments/{key}/dbconnection/dbproviders/); with permissions, C(GET /environments/dbconnection/permissionlevels/),
    C(GET /roles/) and C(GET /users/) once and one GET per role or user named (LifeTime lists no connection's permissions).
    Each change is one request, and the connection is listed again afterwards."
  - When the answer to the request that creates the connection is lost, the connections are listed again and the request is
    not sent a second time when the connection is there.
  - The permission level is sent as its number (C(Level)) as LifeTime's permission-levels operation lists it; the levels are
    read back after they are set and returned as LifeTime holds them.
seealso:
  - module: outsystems.lifetime.lifetime_db_connection_info
  - module: outsystems.lifetime.lifetime_deployment
  - name: LifeTime Deployment API v2
    description: The API this module calls (Environments_DBConnections_*).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: The reporting warehouse connection in Production, readable by developers
  outsystems.lifetime.lifetime_db_connection:
    environment: Production
    name: ReportingDB
    provider: SQL Server
    description: Reporting warehouse
    parameters: Server=sql.company.com;Database=Reporting
    username: reporting
    password: "{{ vault_reporting_db_password }}"
    test_connection: true
    role_permissions:
      - role: Developer
        level: Read-Only
    user_permissions:
      - user: maria.lopes
        level: Full Control

- name: Rotate the password (sent on every run)
  outsystems.lifetime.lifetime_db_connection:
    environment: Production
    name: ReportingDB
    username: reporting
    password: "{{ vault_reporting_db_password }}"
    update_password: always

- name: Remove an old connection
  outsystems.lifetime.lifetime_db_connection:
    environment: Quality Assurance
    name: LegacyDW
    state: absent
'''

RETURN = r'''
db_connection:
  description:
    - The connection as LifeTime lists it after the task (in check mode, as it would be); empty when it does not exist.
    - Never holds the user name or the password.
  returned: always
  type: dict
  contains:
    environment:
      description: Environment name.
      type: str
      sample: Production
    environment_key:
      description: Environment key.
      type: str
      sample: 849515f2-b4ff-4aca-a9d6-9407bea655f4
    name:
      description: Connection name.
      type: str
      sample: ReportingDB
    provider:
      description: The provider's display name.
      type: str
      sample: SQL Server
    description:
      description: Description.
      type: str
      sample: Reporting warehouse
    parameters:
      description: The configuration parameters.
      type: str
      sample: Server=sql.company.com;Database=Reporting
    advanced_configuration:
      description: Whether the connection has configuration parameters (LifeTime's C(isAdvancedConfiguration)).
      type: bool
      sample: true
    role_permissions:
      description: The level of each role named in O(role_permissions).
      type: list
      elements: dict
      sample: [{role: Developer, role_key: 3f2a9c1e-0d7b-4e59-9a55-2c1f0e5d7a10, level: 1, level_label: Read-Only}]
    user_permissions:
      description: The level of each user named in O(user_permissions).
      type: list
      elements: dict
      sample: [{user: maria.lopes, user_key: 7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f, level: 2, level_label: Full Control}]
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: Created the database connection ReportingDB in Production.
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.db_connections import desired_connection, ensure_connection
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.specs import DB_CONNECTION_OPTIONS
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = DB_CONNECTION_OPTIONS
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return ensure_connection(task, desired_connection(task.params))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
