#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_role
short_description: Create, change or delete a LifeTime role and its permissions per environment
version_added: 0.3.0
description:
  - Makes sure a LifeTime role exists with the permissions given, or does not exist.
  - Only the options the task sets are compared and changed; a permission of an environment that
    O(environment_permissions) does not list is left as LifeTime holds it. A new role gets C(No Access) in every
    environment the task does not list, because LifeTime needs a permission level for every environment.
  - O(state=absent) deletes the role. LifeTime refuses to delete a role that users hold (as their role, in an application
    or in a team) unless they move to another role, named in O(users_new_role).
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Name of the role (case-insensitive), or its key.
    type: str
    required: true
  state:
    description:
      - V(present) creates or updates the role, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  manage_infrastructure:
    description:
      - Whether the role can manage the infrastructure (environments, LifeTime settings).
      - LifeTime needs O(manage_teams=true) with it.
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
          - The permission level, by LifeTime's own label (as its permission-levels operation lists them, for example
            C(No Access), C(Monitor and Add Dependencies), C(Open Applications), C(Deploy Applications),
            C(Change and Deploy Applications), C(Full Control); case-insensitive) or by its number.
          - An unknown level fails the task before anything is changed, and lists the labels LifeTime knows.
        type: str
        required: true
      create_applications:
        description:
          - Whether the role can create applications in the environment. Left as it is when omitted (V(false) for a new role).
        type: bool
      add_dependencies_to_system:
        description:
          - Whether the role can add dependencies to system modules in the environment. Left as it is when omitted
            (V(false) for a new role).
        type: bool
  users_new_role:
    description:
      - With O(state=absent), the name or key of the role the users holding this one move to.
      - Required when users hold the role; checked before anything is deleted.
    type: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Reads the role, the environments and the permission levels and sends no write; RV(role) is the role as it would be.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The role's flags and its permission in each environment, before and after.
notes:
  - "API requests made: C(GET /environments/) and C(GET /roles/?IncludeEnvPermissions=true) once each;
    C(GET /roles/permissionlevels/) once when a permission level changes; when something changes, one C(POST /roles/)
    or C(PUT /roles/{key}/) and one more C(GET /roles/) to read the role back. With O(state=absent),
    C(GET /users/) once when O(users_new_role) is omitted (to find who holds the role), then C(DELETE /roles/{key}/)."
  - A create whose answer is lost is never sent twice; the role of that name in a fresh list is the evidence.
  - The role C(Administrator) is reserved; LifeTime refuses to change or delete it.
seealso:
  - module: outsystems.lifetime.lifetime_role_info
  - module: outsystems.lifetime.lifetime_user
  - name: LifeTime API v2
    description: The API this module calls (Roles_List, Roles_Create, Roles_Update, Roles_Delete, Roles_PermissionLevels).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: A role for squad developers
  outsystems.lifetime.lifetime_role:
    name: Squad Developer
    manage_teams: false
    environment_permissions:
      - environment: Development
        level: Change and Deploy Applications
        create_applications: true
      - environment: Quality Assurance
        level: Deploy Applications
      - environment: Production
        level: Monitor and Add Dependencies

- name: Give the role Open Applications in Production (the other environments are left as they are)
  outsystems.lifetime.lifetime_role:
    name: Squad Developer
    environment_permissions:
      - environment: Production
        level: Open Applications

- name: Retire the role; its users become Developers
  outsystems.lifetime.lifetime_role:
    name: Squad Developer
    state: absent
    users_new_role: Developer
'''

RETURN = r'''
role:
  description:
    - The role as LifeTime holds it after the task (read back after a change); in check mode, as it would be
      (RV(role.key) is null for a role that would be created). With O(state=absent), the role that was (or would be)
      deleted, empty when there was none.
  returned: always
  type: dict
  contains:
    key:
      description: Role key.
      type: str
      sample: 4f1e7c2a-0d3b-4b1e-9a57-1c2d3e4f5a6b
    name:
      description: Role name.
      type: str
      sample: Squad Developer
    manage_infrastructure:
      description: Whether the role manages the infrastructure.
      type: bool
      sample: false
    manage_teams:
      description: Whether the role manages teams and users.
      type: bool
      sample: false
    environment_permissions:
      description: The permission in each environment, in LifeTime's order of environments.
      type: list
      elements: dict
      contains:
        environment:
          description: Environment name.
          type: str
          sample: Production
        environment_key:
          description: Environment key.
          type: str
          sample: 849515f2-b4ff-4aca-a9d6-9407bea655f4
        level:
          description: The permission level number.
          type: int
          sample: 1
        level_label:
          description: LifeTime's label of the level.
          type: str
          sample: Monitor and Add Dependencies
        create_applications:
          description: Whether the role can create applications there.
          type: bool
          sample: false
        add_dependencies_to_system:
          description: Whether the role can add dependencies to system modules there.
          type: bool
          sample: false
users_new_role:
  description: With O(state=absent), the role the users of the deleted role moved (or would move) to.
  returned: when O(state=absent) and O(users_new_role) is given and the role exists
  type: dict
  contains:
    key:
      description: Role key.
      type: str
    name:
      description: Role name.
      type: str
  sample: {key: 0b6c7a1e-5d2f-4c3a-8e9b-7f6a5d4c3b2a, name: Developer}
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: Created role Squad Developer.
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.roles import ensure_role
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.specs import ROLE_OPTIONS
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = ROLE_OPTIONS
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return ensure_role(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
