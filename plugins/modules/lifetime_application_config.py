#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_application_config
short_description: Block or allow deployments of an OutSystems application to LifeTime environments
version_added: 0.1.0
description:
  - Makes sure deployments of an application to one or more environments are blocked (a release freeze) or allowed,
    through LifeTime's application configurations (C(isBlocked) per environment).
  - LifeTime does not let a deployment plan to an environment include an application blocked there.
  - Only the environments named in O(environment) are read and changed; the configuration of the others is left as it is.
  - Idempotent. An environment already blocked (or allowed) as asked is not changed, whatever its reason, because LifeTime
    records a reason only with a change (C(isBlockedChangeReason), "why isBlocked was changed"). To give a block a new
    reason, allow deployments and block them again.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  application:
    description:
      - Name or key of the application.
      - A name matches exactly, or case-insensitively when only one application has it. An unknown name fails the task
        and lists the applications that exist.
    type: str
    required: true
  environment:
    description:
      - Name or key of the environment, or a list of them.
      - An unknown name fails the task, before anything is changed, and lists the environments that exist.
    type: list
    elements: str
    required: true
  blocked:
    description:
      - V(true) blocks deployments of O(application) to O(environment); V(false) allows them.
    type: bool
    required: true
  reason:
    description:
      - Why deployments are blocked or allowed, recorded by LifeTime with the change (C(isBlockedChangeReason)).
      - Required with O(blocked=true), so that whoever finds a deployment refused can read why. Optional with
        O(blocked=false).
      - Sent only for the environments that change.
    type: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Reads the configurations and sends no PUT. RV(configurations) and RV(changed_environments) show what would change,
        and RV(msg) says it.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: Whether each environment named is blocked, and its reason, before and after.
notes:
  - "API requests made: C(GET /environments/) and C(GET /applications/?IncludeEnvStatus=true) once each,
    C(GET /applications/{key}/configurations/) once; when something changes, one C(PUT /applications/{key}/configurations/)
    with the environments that change and one more GET to read the end state back."
  - When the answer to the PUT is lost (a timeout, a broken connection, an HTTP 5xx), the configurations are read again;
    if they do not show the change, the PUT is sent once more. It sets absolute values, so a second one leaves LifeTime as one would.
  - Requires a LifeTime whose API has application configurations (C(Applications_Configurations_Get)); an older one answers
    404 or 405, and the task fails with that answer. The service account needs the Change and Deploy Applications permission
    on the application in each environment (LifeTime answers 403 otherwise).
seealso:
  - module: outsystems.lifetime.lifetime_deployment
  - module: outsystems.lifetime.lifetime_application_info
  - name: LifeTime Deployment API v2
    description: The API this module calls (Applications_Configurations_Get and Applications_Configurations_Update).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Freeze Production for EmployeeBackoffice during the release window
  outsystems.lifetime.lifetime_application_config:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    application: EmployeeBackoffice
    environment: Production
    blocked: true
    reason: Release freeze until 2026-12-01 (CHG-4711)

- name: Freeze several environments at once
  outsystems.lifetime.lifetime_application_config:
    application: EmployeeBackoffice
    environment:
      - Quality Assurance
      - Production
    blocked: true
    reason: Year-end freeze

- name: Lift the freeze
  outsystems.lifetime.lifetime_application_config:
    application: EmployeeBackoffice
    environment: [Quality Assurance, Production]
    blocked: false
    reason: Freeze over
  register: lifted

- name: Show what was lifted
  ansible.builtin.debug:
    msg: "Allowed again in {{ lifted.changed_environments | join(', ') }}"
'''

RETURN = r'''
application:
  description: The application.
  returned: always
  type: dict
  contains:
    name:
      description: Application name.
      type: str
      sample: EmployeeBackoffice
    key:
      description: Application key.
      type: str
      sample: c9a7a82e-0eee-4a3d-8e22-2a19c69c766f
configurations:
  description:
    - The configuration of each environment named in O(environment), in that order, as LifeTime holds it after the task
      (read back after a change). In check mode, as it would be.
  returned: always
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
    blocked:
      description: Whether deployments of the application to the environment are blocked.
      type: bool
      sample: true
    reason:
      description: The reason recorded with the last change of RV(configurations[].blocked) (empty when none was given).
      type: str
      sample: Release freeze until 2026-12-01 (CHG-4711)
  sample:
    - environment: Production
      environment_key: 849515f2-b4ff-4aca-a9d6-9407bea655f4
      blocked: true
      reason: Release freeze until 2026-12-01 (CHG-4711)
changed_environments:
  description: Names of the environments whose configuration changed (or in check mode would change).
  returned: always
  type: list
  elements: str
  sample: [Production]
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: 'Blocked deployments of EmployeeBackoffice to Production (reason: Release freeze until 2026-12-01 (CHG-4711)).'
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._application_config import desired_configuration, ensure_configuration
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    application=dict(type='str', required=True),
    environment=dict(type='list', elements='str', required=True),
    blocked=dict(type='bool', required=True),
    reason=dict(type='str'),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return ensure_configuration(task, desired_configuration(task.params))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
