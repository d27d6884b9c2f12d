#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_role_info
short_description: List LifeTime roles with their permissions per environment
version_added: 0.3.0
description:
  - Returns LifeTime's roles, or those named, with their flags and their permission level in each environment.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Names or keys of the roles to return, in that order. Every role, sorted by name, when omitted.
      - A name matches exactly, or case-insensitively when only one role has it. An unknown name fails the task and
        lists the closest roles that exist.
    type: list
    elements: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /environments/) and C(GET /roles/?IncludeEnvPermissions=true) once each, whatever the number of roles."
seealso:
  - module: outsystems.lifetime.lifetime_role
  - module: outsystems.lifetime.lifetime_user_info
'''

EXAMPLES = r'''
- name: Every role
  outsystems.lifetime.lifetime_role_info:
  register: lifetime_roles

- name: Who may deploy to Production
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ (item.environment_permissions | selectattr('environment', 'equalto', 'Production') | first).level_label }}"
  loop: "{{ lifetime_roles.roles }}"
  loop_control:
    label: "{{ item.name }}"

- name: Two roles
  outsystems.lifetime.lifetime_role_info:
    name: [Developer, Tester]
'''

RETURN = r'''
roles:
  description: The roles, in the order of O(name), else sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Role key.
      type: str
      sample: 4f1e7c2a-0d3b-4b1e-9a57-1c2d3e4f5a6b
    name:
      description: Role name.
      type: str
      sample: Developer
    manage_infrastructure:
      description: Whether the role manages the infrastructure.
      type: bool
    manage_teams:
      description: Whether the role manages teams and users.
      type: bool
    environment_permissions:
      description: The permission in each environment, in LifeTime's order of environments.
      type: list
      elements: dict
      contains:
        environment:
          description: Environment name.
          type: str
        environment_key:
          description: Environment key.
          type: str
        level:
          description: The permission level number.
          type: int
        level_label:
          description: LifeTime's label of the level.
          type: str
          sample: Deploy Applications
        create_applications:
          description: Whether the role can create applications there.
          type: bool
        add_dependencies_to_system:
          description: Whether the role can add dependencies to system modules there.
          type: bool
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import roles_info
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    name=dict(type='list', elements='str'),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return dict(changed=False, roles=roles_info(task, task.params['name']))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
