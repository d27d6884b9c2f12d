#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_user_info
short_description: List LifeTime users with their role, application roles and teams
version_added: 0.3.0
description:
  - Returns LifeTime's users, or those named, with their role, their application roles and their teams. Never a password.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  username:
    description:
      - Usernames, names or keys of the users to return, in that order (inactive ones included). Every user, sorted by
        username, when omitted.
      - An unknown user fails the task and lists the closest usernames that exist.
    type: list
    elements: str
  include_inactive:
    description:
      - Whether the list of every user includes the deactivated ones.
    type: bool
    default: false
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /users/?IncludeInactive=true&IncludeTeams=true&IncludeApplicationRoles=true) once, whatever the number of users."
seealso:
  - module: outsystems.lifetime.lifetime_user
  - module: outsystems.lifetime.lifetime_role_info
'''

EXAMPLES = r'''
- name: Every active user
  outsystems.lifetime.lifetime_user_info:
  register: lifetime_users

- name: Who are the developers
  ansible.builtin.debug:
    msg: "{{ lifetime_users.users | selectattr('role', 'equalto', 'Developer') | map(attribute='username') | list }}"

- name: One user, by username
  outsystems.lifetime.lifetime_user_info:
    username: ana.silva
'''

RETURN = r'''
users:
  description: The users, in the order of O(username), else sorted by username.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: User key.
      type: str
    username:
      description: Username.
      type: str
      sample: ana.silva
    name:
      description: Full name.
      type: str
      sample: Ana Silva
    email:
      description: Email address.
      type: str
      sample: ana.silva@company.com
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
    application_roles:
      description: The user's role in applications (C(application), C(application_key), C(role), C(role_key)).
      type: list
      elements: dict
    teams:
      description: The user's teams with the role in each (C(team), C(team_key), C(role), C(role_key)).
      type: list
      elements: dict
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.users import users_info
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    username=dict(type='list', elements='str'),
    include_inactive=dict(type='bool', default=False),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return dict(changed=False, users=users_info(task, task.params['username'], task.params['include_inactive']))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
