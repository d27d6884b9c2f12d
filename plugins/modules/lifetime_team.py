#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_team
short_description: Create, change or delete a LifeTime team, its members and its applications
version_added: 0.3.0
description:
  - Makes sure a LifeTime team exists with the description, members (each a user with a role in the team) and applications
    the task names, or that it does not exist.
  - Members and applications the task does not list are kept, unless O(exclusive=true).
  - In LifeTime an application belongs to one team, so adding an application to this team takes it out of the team that
    held it; the task warns when it does.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Name of the team. An existing team is matched exactly, or case-insensitively when only one has that name; it keeps
        LifeTime's casing (a name differing only in case is no change, as for roles and database connections).
    type: str
    required: true
  state:
    description:
      - V(present) creates or changes the team; V(absent) deletes it (its members and applications stay in LifeTime).
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Description of the team. Left as it is when not given.
    type: str
  members:
    description:
      - Members of the team. A member listed with another role than the one they hold in the team gets this one.
      - Not given, the members are left as they are (even with O(exclusive=true)).
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
      - Not given, the applications are left as they are (even with O(exclusive=true)).
    type: list
    elements: str
  exclusive:
    description:
      - V(true) removes from the team the members and applications that O(members) and O(applications) do not list (an
        empty list removes all of them).
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
      - Sends only GET requests and returns RV(team) as it would be.
      - A role or user that an earlier task of the same play creates does not exist yet in check mode, so a task naming it
        fails there (no such role or user). For a first apply in check mode, use M(outsystems.lifetime.lifetime_governance) (or
        the C(outsystems.lifetime.governance) role), which checks an item naming what the description creates against the
        description.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details:
      - The team's name, description, members (username and role) and applications, before and after.
notes:
  - "API requests made: C(GET /teams/?IncludeUsers=true&IncludeApplications=true) once. Members and applications the team
    already holds as asked are recognised there; for the others C(GET /users/), C(GET /roles/) and C(GET /applications/)
    are read once each. Each change is one request (LifeTime adds members and applications one at a time), and the teams
    are listed again afterwards."
  - When the answer to the request that creates the team is lost, the teams are listed again and the team is not created
    a second time when it is there. Adding a member or an application again sets the same thing, so those are sent again.
seealso:
  - module: outsystems.lifetime.lifetime_team_info
  - name: LifeTime Deployment API v2
    description: The API this module calls (Teams_*).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: The Payments squad, exactly as described here
  outsystems.lifetime.lifetime_team:
    name: Payments
    description: Payments squad
    members:
      - user: ana.silva
        role: Developer
      - user: joao.costa
        role: Tester
    applications:
      - Billing
      - Customer Portal
    exclusive: true

- name: Add one member, keep the others
  outsystems.lifetime.lifetime_team:
    name: Payments
    members:
      - user: maria.lopes
        role: Release Manager

- name: Remove a team
  outsystems.lifetime.lifetime_team:
    name: Legacy
    state: absent
'''

RETURN = r'''
team:
  description: The team as LifeTime lists it after the task (in check mode, as it would be); empty when it does not exist.
  returned: always
  type: dict
  contains:
    key:
      description: Team key (null in check mode for a team not created yet).
      type: str
      sample: 5d0c9a41-8f3e-4b7a-9b1f-2e6c1d0a9f33
    name:
      description: Team name.
      type: str
      sample: Payments
    description:
      description: Description.
      type: str
      sample: Payments squad
    members:
      description: The members, each with their role in the team.
      type: list
      elements: dict
      sample: [{user: ana.silva, user_key: 0b6e2c1a-1f2d-4c3b-9a8e-7d6c5b4a3f21, name: Ana Silva, role: Developer,
                role_key: 3f2a9c1e-0d7b-4e59-9a55-2c1f0e5d7a10}]
    applications:
      description: The applications of the team.
      type: list
      elements: dict
      sample: [{name: Billing, key: 8e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a1b}]
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: 'Changed the team Payments: created the team, added 2 members, added 2 applications.'
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.teams import desired_team, ensure_team
from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.specs import TEAM_OPTIONS
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = TEAM_OPTIONS
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return ensure_team(task, desired_team(task.params))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
