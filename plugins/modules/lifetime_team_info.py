#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_team_info
short_description: List LifeTime teams with their members and applications
version_added: 0.3.0
description:
  - Lists the LifeTime teams (or the one named), each with its members (user and role in the team) and applications.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Only the team of this name (exactly, or case-insensitively when only one team has it). No team of that name gives
        an empty list.
    type: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /teams/?IncludeUsers=true&IncludeApplications=true) once, whatever the number of teams."
seealso:
  - module: outsystems.lifetime.lifetime_team
'''

EXAMPLES = r'''
- name: Every team
  outsystems.lifetime.lifetime_team_info:
  register: lifetime_teams

- name: Who is in the Digital team
  outsystems.lifetime.lifetime_team_info:
    name: Digital
  register: digital

- name: Show its members
  ansible.builtin.debug:
    msg: "{{ digital.teams[0].members | map(attribute='user') | list }}"
'''

RETURN = r'''
teams:
  description: The teams, as LifeTime lists them.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Team key.
      type: str
      sample: 5d0c9a41-8f3e-4b7a-9b1f-2e6c1d0a9f33
    name:
      description: Team name.
      type: str
      sample: Digital
    description:
      description: Description.
      type: str
      sample: Customer-facing applications
    members:
      description: The members, each with their username (C(user)), key, name, and role in the team (C(role), C(role_key)).
      type: list
      elements: dict
      sample: [{user: ana.silva, user_key: 0b6e2c1a-1f2d-4c3b-9a8e-7d6c5b4a3f21, name: Ana Silva, role: Developer,
                role_key: 3f2a9c1e-0d7b-4e59-9a55-2c1f0e5d7a10}]
    applications:
      description: The applications of the team (C(name), C(key)).
      type: list
      elements: dict
      sample: [{name: Customer Portal, key: 8e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a1b}]
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.teams import list_teams
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    name=dict(type='str'),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return list_teams(task, task.params)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
