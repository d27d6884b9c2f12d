#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_governance
short_description: Apply a whole LifeTime governance description (roles, users, teams, database connections) in one task
version_added: 0.3.0
description:
  - Makes LifeTime hold the roles, users, teams and database connections a description lists, as the modules
    M(outsystems.lifetime.lifetime_role), M(outsystems.lifetime.lifetime_user), M(outsystems.lifetime.lifetime_team) and
    M(outsystems.lifetime.lifetime_db_connection) would one item at a time, with the same options per item.
  - One task reads each list once (the roles, the users, the teams, the connections of each environment named), whatever
    the number of items, so an unchanged description of 200 users and 20 teams costs a few requests.
  - Every item is checked before the first write (unknown environments, permission levels, roles, users, applications and
    providers, email addresses, the same item listed twice); a failure is one sentence naming the item by its path in the
    description, for example C(users[3].role).
  - The writes follow LifeTime's order. Roles to create or update, then users, then teams, then database connections,
    then the roles to delete (their users have moved by then). An item may name a role or user that the description
    creates; in check mode it is reported as one that would change.
  - Passwords (a user's, a database connection's) are write-only. They are never returned, never in a diff, never in a
    message. A database connection's user name is write-only too (never returned, never in a diff) but no secret; as in
    M(outsystems.lifetime.lifetime_db_connection), the task shows it where its options are shown.
  - Under an external authentication provider LifeTime refuses to set a password (HTTP 405). The user is created or
    changed all the same, and the task warns that the password was not set instead of failing, because that user logs in
    through the provider.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  roles:
    description:
    - Roles and their permission per environment, each with the options of M(outsystems.lifetime.lifetime_role).
    - Roles to create or update are applied first; roles with O(roles[].state=absent) are deleted last, once the users of this description
      moved.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
        - Name of the role (case-insensitive), or its key.
        type: str
        required: true
      state:
        description:
        - V(present) creates or updates the role, V(absent) deletes it.
        type: str
        choices:
        - present
        - absent
        default: present
      manage_infrastructure:
        description:
        - Whether the role can manage the infrastructure (environments, LifeTime settings).
        - LifeTime needs O(roles[].manage_teams=true) with it.
        - Left as it is when omitted (V(false) for a new role).
        type: bool
      manage_teams:
        description:
        - Whether the role can manage teams and users.
        - Left as it is when omitted (V(false) for a new role).
        type: bool
      environment_permissions:
        description:
        - The permission of the role in each environment listed.
        type: list
        elements: dict
        suboptions:
          environment:
            description:
            - Name or key of the environment. An unknown one fails the task before anything is changed.
            type: str
            required: true
          level:
            description:
            - The permission level, by LifeTime's own label (as its permission-levels operation lists them, for example C(No Access),
              C(Monitor and Add Dependencies), C(Open Applications), C(Deploy Applications), C(Change and Deploy Applications), C(Full
              Control); case-insensitive) or by its number.
            - An unknown level fails the task before anything is changed, and lists the labels LifeTime knows.
            type: str
            required: true
          create_applications:
            description:
            - Whether the role can create applications in the environment. Left as it is when omitted (V(false) for a new role).
            type: bool
          add_dependencies_to_system:
            description:
            - Whether the role can add dependencies to system modules in the environment. Left as it is when omitted (V(false) for a
              new role).
            type: bool
      users_new_role:
        description:
        - With O(roles[].state=absent), the name or key of the role the users holding this one move to.
        - Required when users hold the role; checked before anything is deleted.
        type: str
  users:
    description:
    - Users, each with the options of M(outsystems.lifetime.lifetime_user). O(users[].state=absent) deactivates (LifeTime has no user
      delete).
    type: list
    elements: dict
    default: []
    suboptions:
      username:
        description:
        - The username (case-insensitive), or the key of an existing user.
        type: str
        required: true
      state:
        description:
        - V(present) creates or updates the user and makes it active, V(absent) deactivates it.
        type: str
        choices:
        - present
        - absent
        default: present
      name:
        description:
        - The user's full name. Required to create a user.
        type: str
      email:
        description:
        - The user's email address. Required to create a user. One that is not an address fails the task before anything is changed.
        type: str
      role:
        description:
        - Name or key of the user's role. Required to create a user. An unknown role fails the task before anything is changed.
        type: str
      password:
        description:
        - The password, for LifeTime's built-in authentication (LifeTime refuses it, with HTTP 405, when an external authentication
          provider is in use).
        - Sent as O(users[].update_password) says.
        type: str
      update_password:
        description:
        - V(on_create) sends O(users[].password) only when the user is created; V(always) sends it on every run, and the task then always
          reports a change, because LifeTime cannot tell whether the password differs.
        type: str
        choices:
        - on_create
        - always
        default: on_create
      application_roles:
        description:
        - The user's role in each application listed; a role held in another application is kept unless O(users[].exclusive=true).
        type: list
        elements: dict
        suboptions:
          application:
            description: Name or key of the application.
            type: str
            required: true
          role:
            description: Name or key of the role the user has in that application.
            type: str
            required: true
      exclusive:
        description:
        - With V(true), the application roles the user holds in applications that O(users[].application_roles) does not list are revoked.
        - Acts on the list given. With O(users[].application_roles) omitted the user's application roles are left as they are; an
          empty list revokes them all.
        type: bool
        default: false
      unblock:
        description:
        - With V(true), the user's blocked logins are read and, when there are any, removed so that the user can log in again.
        type: bool
        default: false
  teams:
    description:
    - Teams, their members and applications, each with the options of M(outsystems.lifetime.lifetime_team).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
        - Name of the team. An existing team is matched exactly, or case-insensitively when only one has that name (it is then renamed
          to O(teams[].name)'s case).
        type: str
        required: true
      state:
        description:
        - V(present) creates or changes the team; V(absent) deletes it (its members and applications stay in LifeTime).
        type: str
        choices:
        - present
        - absent
        default: present
      description:
        description:
        - Description of the team. Left as it is when not given.
        type: str
      members:
        description:
        - Members of the team. A member listed with another role than the one they hold in the team gets this one.
        - Not given, the members are left as they are (even with O(teams[].exclusive=true)).
        type: list
        elements: dict
        suboptions:
          user:
            description: Username, name or key of the user. An unknown user fails the task before any change.
            type: str
            required: true
          role:
            description: Name or key of the user's role in the team. An unknown role fails the task before any change.
            type: str
            required: true
      applications:
        description:
        - Names or keys of the applications of the team. An unknown application fails the task before any change.
        - Not given, the applications are left as they are (even with O(teams[].exclusive=true)).
        type: list
        elements: str
      exclusive:
        description:
        - V(true) removes from the team the members and applications that O(teams[].members) and O(teams[].applications) do not list
          (an empty list removes all of them).
        type: bool
        default: false
  db_connections:
    description:
    - Database connections, each with its environment and the options of M(outsystems.lifetime.lifetime_db_connection).
    type: list
    elements: dict
    default: []
    suboptions:
      environment:
        description:
        - Name or key of the environment the connection belongs to. An unknown name fails the task and lists the environments that exist.
        type: str
        required: true
      name:
        description:
        - Name of the database connection. LifeTime matches it case-insensitively, so a connection named in another case is that connection,
          and keeps its name.
        type: str
        required: true
      state:
        description:
        - V(present) creates or changes the connection; V(absent) deletes it.
        type: str
        choices:
        - present
        - absent
        default: present
      provider:
        description:
        - The database provider by its display name as LifeTime lists it for the environment (for example C(SQL Server), C(Oracle),
          C(MySQL), C(PostgreSQL)), case-insensitive; its key is accepted too.
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
        - The database user name. Write-only, sent with O(db_connections[].password) (see O(db_connections[].update_password)).
        - Needed, with O(db_connections[].password), to change anything but permissions of an existing connection, because LifeTime's
          update replaces both with what it is sent; the task fails before any change when either is missing.
        - Not a C(no_log) option (as in M(outsystems.lifetime.lifetime_db_connection)); the user name is shown, the password never.
          As C(no_log), Ansible would mask every occurrence of a short name (C(sa), C(dbo)) in all output.
        type: str
      password:
        description:
        - The database password. Write-only; never returned, never in a diff.
        type: str
      update_password:
        description:
        - V(on_create) sends O(db_connections[].username) and O(db_connections[].password) only when the connection is created or another
          of its fields changes; so an unchanged connection stays unchanged and a new password alone is not sent.
        - V(always) sends them on every run (LifeTime cannot show them to compare), so the task always reports a change.
        type: str
        choices:
        - on_create
        - always
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
        - Before creating or changing the connection, ask LifeTime to connect with it; when that fails, the task fails with LifeTime's
          message and nothing is saved.
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
      - Reads what the description needs, checks every item, and sends no write (no connection test either, see
        M(outsystems.lifetime.lifetime_db_connection)).
      - A user with O(users[].update_password=always) is reported as changing. Check mode cannot know that LifeTime will
        refuse the password under an external authentication provider (HTTP 405); the real run then does not count it.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: One diff per item that changes, headed by its path (C(users[3] rita.gomes)); passwords show as C((write-only)).
notes:
  - "API requests made: C(GET /environments/) once; C(GET /roles/), C(GET /users/), C(GET /teams/) once each when the
    description has items that need them; C(GET /roles/permissionlevels/) once when a role permission level is named;
    C(GET /applications/) once when an application is named that an item does not hold already; per environment with
    connections, C(GET /environments/{env}/dbconnections/) once, its providers once when a provider is named, and one
    C(GET) per role or user permission named on an existing connection (LifeTime lists no connection's permissions);
    C(GET /users/{key}/blockedlogins/) for a user with O(users[].unblock=true). Then only the writes of the items that
    change, each as its own module sends it, and no list read back after them."
  - A create whose answer is lost is never sent twice; the role, user, team or connection of that name in a fresh list is
    the evidence.
  - A user item whose O(users[].role) (or an application role) names a role this description creates, or a team member
    naming such a role or user, is resolved to what this run creates.
seealso:
  - module: outsystems.lifetime.lifetime_role
  - module: outsystems.lifetime.lifetime_user
  - module: outsystems.lifetime.lifetime_team
  - module: outsystems.lifetime.lifetime_db_connection
'''

EXAMPLES = r'''
- name: Apply the governance description of group_vars (roles, users, teams, database connections)
  outsystems.lifetime.lifetime_governance:
    roles:
      - name: Auditor
        manage_teams: false
        environment_permissions:
          - {environment: Development, level: Monitor and Add Dependencies}
          - {environment: Production, level: Monitor and Add Dependencies}
      - name: Contractor
        state: absent
        users_new_role: Auditor
    users:
      - username: rita.gomes
        name: Rita Gomes
        email: rita.gomes@company.com
        role: Developer
        password: "{{ vault_initial_password }}"
      - username: old.contractor
        state: absent
    teams:
      - name: Digital
        members:
          - {user: rita.gomes, role: Developer}
        applications: [Customer Portal]
    db_connections:
      - environment: Production
        name: ReportingDB
        provider: SQL Server
        parameters: Server=sql.company.com;Database=Reporting
        role_permissions:
          - {role: Auditor, level: Read-Only}
  register: governance

- name: Show what changed, per kind
  ansible.builtin.debug:
    var: governance.changes
'''

RETURN = r'''
changes:
  description:
    - What changed (in check mode, what would change) per kind, in the description's order. Roles and users by name,
      teams by name, database connections as C(environment/name) with the environment as the item gives it.
  returned: always
  type: dict
  contains:
    roles:
      description: Names of the roles created, updated or deleted.
      type: list
      elements: str
      sample: [Auditor, Contractor]
    users:
      description: Usernames of the users created, updated or deactivated.
      type: list
      elements: str
      sample: [rita.gomes]
    teams:
      description: Names of the teams created, changed or deleted.
      type: list
      elements: str
      sample: [Digital]
    db_connections:
      description: The database connections created, changed or deleted, as C(environment/name).
      type: list
      elements: str
      sample: [Production/ReportingDB]
msg:
  description: What the task did, or in check mode would do, counted per kind.
  returned: always
  type: str
  sample: "Changed roles: 2, users: 1, teams: 1, db connections: 0."
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.description import apply_description
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.specs import (
    DB_CONNECTION_OPTIONS, ROLE_OPTIONS, TEAM_OPTIONS, USER_OPTIONS)
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

# Each item takes the options of its kind's own module, from the one place both import.
ARGUMENT_SPEC = dict(
    roles=dict(type='list', elements='dict', default=[], options=ROLE_OPTIONS),
    users=dict(type='list', elements='dict', default=[], options=USER_OPTIONS),
    teams=dict(type='list', elements='dict', default=[], options=TEAM_OPTIONS),
    db_connections=dict(type='list', elements='dict', default=[], options=DB_CONNECTION_OPTIONS),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return apply_description(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
