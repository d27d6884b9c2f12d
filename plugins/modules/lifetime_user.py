#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_user
short_description: Create, change or deactivate a LifeTime user, its role and its application roles
version_added: 0.3.0
description:
  - Makes sure a LifeTime user exists and is active with the name, email, role and application roles given, or is
    deactivated.
  - Only the options the task sets are compared and changed.
  - LifeTime has no user delete, so O(state=absent) deactivates the user (C(IsActive) false); O(state=present)
    activates an inactive user again.
  - A password is write-only. It is sent when the user is created, or on every run with O(update_password=always);
    it is never returned, never in a diff, and LifeTime never shows it.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  username:
    description:
      - The username (case-insensitive), or the key of an existing user.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the user and makes it active, V(absent) deactivates it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The user's full name. Required to create a user.
    type: str
  email:
    description:
      - The user's email address. Required to create a user. One that is not an address fails the task before anything
        is changed.
    type: str
  role:
    description:
      - Name or key of the user's role. Required to create a user. An unknown role fails the task before anything is changed.
    type: str
  password:
    description:
      - The password, for LifeTime's built-in authentication.
      - Sent as O(update_password) says.
      - When an external authentication provider is in use, LifeTime refuses to set a password (HTTP 405); the user is
        still created or updated and the task warns that the password was not set.
    type: str
  update_password:
    description:
      - V(on_create) sends O(password) only when the user is created; V(always) sends it on every run, and the task
        then always reports a change, because LifeTime cannot tell whether the password differs.
    type: str
    choices: [on_create, always]
    default: on_create
  application_roles:
    description:
      - The user's role in each application listed; a role held in another application is kept unless O(exclusive=true).
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
      - With V(true), the application roles the user holds in applications that O(application_roles) does not list are revoked.
      - Acts on the list given. With O(application_roles) omitted the user's application roles are left as they are; an empty
        list revokes them all.
    type: bool
    default: false
  unblock:
    description:
      - With V(true), the user's blocked logins are read and, when there are any, removed so that the user can log in again.
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
      - Reads the users (and the roles, applications and blocked logins it needs) and sends no write.
      - With O(update_password=always) it reports a change for the password. It cannot know that LifeTime will refuse it
        under an external authentication provider (HTTP 405), where the real run then reports nothing to change.
      - A role or user that an earlier task of the same play creates does not exist yet in check mode, so a task naming it
        fails there (no such role or user). For a first apply in check mode, use M(outsystems.lifetime.lifetime_governance) (or
        the C(outsystems.lifetime.governance) role), which checks an item naming what the description creates against the
        description.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The user's name, email, role, whether it is active, and its application roles; a password to be set shows as C((write-only)).
notes:
  - "API requests made: C(GET /users/?IncludeInactive=true&IncludeTeams=true&IncludeApplicationRoles=true) once; C(GET /roles/)
    once when O(role) or an application role is not the one the user already has; C(GET /applications/) once when an
    application is not one the user already has a role in; C(GET /users/{key}/blockedlogins/) with O(unblock=true).
    An unchanged user costs one request. When something changes, C(POST /users/) or C(PUT /users/{key}/),
    C(POST /users/{key}/setpassword/), one C(POST /users/{key}/applications/) per role granted, one
    C(DELETE /users/{key}/applications/{app}/) per role revoked, C(DELETE /users/{key}/blockedlogins/), then one more
    C(GET /users/) to read the user back."
  - A create whose answer is lost is never sent twice; the user of that username in a fresh list is the evidence.
seealso:
  - module: outsystems.lifetime.lifetime_user_info
  - module: outsystems.lifetime.lifetime_role
'''

EXAMPLES = r'''
- name: Onboard a developer
  outsystems.lifetime.lifetime_user:
    username: rita.gomes
    name: Rita Gomes
    email: rita.gomes@company.com
    role: Developer
    password: "{{ vault_initial_password }}"
    application_roles:
      - application: EmployeeBackoffice
        role: Tester

- name: Rita keeps only the application roles listed here
  outsystems.lifetime.lifetime_user:
    username: rita.gomes
    application_roles:
      - application: EmployeeBackoffice
        role: Developer
    exclusive: true

- name: Unblock a login after too many failed attempts
  outsystems.lifetime.lifetime_user:
    username: rita.gomes
    unblock: true

- name: Offboard (LifeTime has no user delete, so the user is deactivated)
  outsystems.lifetime.lifetime_user:
    username: rita.gomes
    state: absent
'''

RETURN = r'''
user:
  description:
    - The user as LifeTime holds it after the task (read back after a change); in check mode, as it would be
      (RV(user.key) is null for a user that would be created). Empty with O(state=absent) when there is no such user.
    - Never carries a password.
  returned: always
  type: dict
  contains:
    key:
      description: User key.
      type: str
      sample: 2b1c7e3a-9f4d-4c2b-8a1e-3d5f6a7b8c9d
    username:
      description: Username.
      type: str
      sample: rita.gomes
    name:
      description: Full name.
      type: str
      sample: Rita Gomes
    email:
      description: Email address.
      type: str
      sample: rita.gomes@company.com
    role:
      description: Name of the user's role.
      type: str
      sample: Developer
    role_key:
      description: Key of the user's role.
      type: str
    active:
      description: Whether the user is active.
      type: bool
      sample: true
    application_roles:
      description: The user's role in applications.
      type: list
      elements: dict
      contains:
        application:
          description: Application name.
          type: str
        application_key:
          description: Application key.
          type: str
        role:
          description: Role name.
          type: str
        role_key:
          description: Role key.
          type: str
    teams:
      description: The teams the user is a member of, with the role in each.
      type: list
      elements: dict
      contains:
        team:
          description: Team name.
          type: str
        team_key:
          description: Team key.
          type: str
        role:
          description: Role name.
          type: str
        role_key:
          description: Role key.
          type: str
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: "User rita.gomes: created, password set, 1 application role(s) granted."
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.users import ensure_user
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.specs import USER_OPTIONS
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = USER_OPTIONS
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return ensure_user(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
