#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_deployment_info
short_description: List OutSystems LifeTime deployment plans, with their status, applications, versions and who ran them
version_added: 0.1.0
description:
  - Lists the deployment plans of a target environment, or of every target, created between two moments, newest first,
    with their status, the applications and version numbers they deploy, who created, saved, started and aborted them and
    when, and optionally their deployment log.
  - Answers questions such as "what reached Production last week, and who started it" (see EXAMPLES).
  - The window is on the creation date of the plans, as LifeTime filters them. A plan created before O(from) is not
    listed, even if it was started within the window.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  target_environment:
    description:
      - Name or key of the target environment whose deployment plans to list. Every target when omitted.
      - An unknown name fails the task and lists the environments that exist.
    type: str
  from:
    description:
      - Start of the window of creation dates, included. An ISO date (V(2026-01-15), from midnight UTC) or date and time
        (V(2026-01-15T10:00:00Z), V(2026-01-15 10:00), V(2026-01-15T10:00:00+01:00); UTC unless it names its offset).
      - Defaults to 7 days before O(to).
      - A value that is not such a date fails the task, naming it, before anything is asked of LifeTime; so does a moment
        that UTC cannot hold (V(0001-01-01T00:00:00+05:00)). The calendar's ends are valid; V(0001-01-01) as O(from) and
        V(9999-12-31) as O(to) ask for every plan.
    type: str
  to:
    description:
      - End of the window of creation dates, included. The same formats as O(from); a date alone includes that whole day.
      - Defaults to now.
      - Must not be before O(from).
    type: str
  status:
    description:
      - Keep only the plans in one of these statuses. Every status when omitted.
      - V(saved) plans were never started; V(finished_successful) and V(finished_with_warnings) reached the target.
    type: list
    elements: str
    choices: [saved, running, needs_user_intervention, aborting, aborted, finished_successful, finished_with_warnings,
              finished_with_errors, force_finished]
  applications:
    description:
      - Keep only the plans that deploy at least one of these applications (names or keys). Every plan when omitted.
      - An unknown name fails the task and lists the applications that exist.
    type: list
    elements: str
  include_log:
    description:
      - Add each plan's deployment log (RV(deployments[].log)).
      - Costs one request per saved plan too (the status of a started plan is read anyway, and carries its log).
    type: bool
    default: false
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /environments/) once, C(GET /deployments/) once for the window, and when plans are found
    C(GET /applications/?IncludeEnvStatus=true) once (for the application names); C(GET /deployments/{key}/status/) once per
    listed plan that was started (eight at a time), and per saved plan with O(include_log). The version numbers come from each
    operation's label (C(Deploy 1.5)); only an operation whose label gives none costs the application's
    C(GET /applications/{key}/versions/) (once per application)."
  - LifeTime's C(MinDate) and C(MaxDate) are dates; the module asks for a day more on each side and applies the exact window
    to each plan's C(CreatedOn) itself, whatever time zone LifeTime reads the dates in.
  - The plans' details (C(GET /deployments/{key}/)) are never read, because reading them makes LifeTime validate a saved
    plan, which may change its status. So a plan created from a package (M(outsystems.lifetime.lifetime_binary_publish)) has
    no source environment and lists no applications.
  - A plan never started is reported as V(saved) without reading its status.
seealso:
  - module: outsystems.lifetime.lifetime_deployment
  - module: outsystems.lifetime.lifetime_application_info
  - name: LifeTime Deployment API v2
    description: The API this module calls (Deployments_List and Deployments_GetStatus).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: What reached Production in the last 7 days, and who started it
  outsystems.lifetime.lifetime_deployment_info:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    target_environment: Production
    status: [finished_successful, finished_with_warnings]
  register: production

- name: One line per application deployed
  ansible.builtin.debug:
    msg: >-
      {{ item.0.started_on }} {{ item.1.name }} {{ item.1.version }}
      started by {{ item.0.started_by }} ({{ item.0.started_by_username }})
  loop: "{{ production.deployments | subelements('applications') }}"
  loop_control:
    label: "{{ item.0.key }}"

- name: Every plan of January to any target, with the logs of those that failed
  outsystems.lifetime.lifetime_deployment_info:
    from: '2026-01-01'
    to: '2026-01-31'
    status: [finished_with_errors, aborted]
    include_log: true
  register: failed

- name: The plans that deployed EmployeeBackoffice since a given moment
  outsystems.lifetime.lifetime_deployment_info:
    from: '2026-01-15T08:00:00+01:00'
    applications: [EmployeeBackoffice]
'''

RETURN = r'''
deployments:
  description: The deployment plans, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Deployment plan key.
      type: str
      sample: dce64ad4-2ddf-4e54-a639-3524bcd5b9a1
    details_url:
      description: Address of the plan in LifeTime's interface (empty when LifeTime gives none).
      type: str
    notes:
      description: Notes of the plan.
      type: str
      sample: Release 2026.11
    source_environment:
      description: Name of the source environment. Null for a plan created from a package, or an environment the service account cannot list.
      type: str
      sample: Quality Assurance
    source_environment_key:
      description: Key of the source environment. Null for a plan created from a package.
      type: str
    target_environment:
      description: Name of the target environment.
      type: str
      sample: Production
    target_environment_key:
      description: Key of the target environment.
      type: str
      sample: 849515f2-b4ff-4aca-a9d6-9407bea655f4
    created_on:
      description: When the plan was created, as LifeTime writes it.
      type: str
      sample: '2026-01-14T09:12:44.17Z'
    created_by:
      description: Name of the user who created the plan.
      type: str
      sample: Jane Doe
    created_by_username:
      description: Username of the user who created the plan.
      type: str
      sample: jane.doe
    saved_on:
      description: When the plan was last saved. Null when never.
      type: str
    saved_by:
      description: Name of the user who last saved the plan. Null when never.
      type: str
    saved_by_username:
      description: Username of the user who last saved the plan. Null when never.
      type: str
    started_on:
      description: When the deployment started. Null when it never did.
      type: str
      sample: '2026-01-14T09:15:02.5Z'
    started_by:
      description: Name of the user who started the deployment. Null when it never started.
      type: str
      sample: Jane Doe
    started_by_username:
      description: Username of the user who started the deployment. Null when it never started.
      type: str
      sample: jane.doe
    aborted_on:
      description: When the deployment was aborted. Null when it was not.
      type: str
    aborted_by:
      description: Name of the user who aborted the deployment. Null when it was not.
      type: str
    aborted_by_username:
      description: Username of the user who aborted the deployment. Null when it was not.
      type: str
    status:
      description: The plan's C(DeploymentStatus) (see O(status)); V(saved) for a plan never started.
      type: str
      sample: finished_successful
    info:
      description: LifeTime's C(Info) when the plan waits for a user (V(needs_user_intervention)), else empty.
      type: str
    applications:
      description: What the plan deploys, one item per application.
      type: list
      elements: dict
      contains:
        name:
          description: Application name. Null for an application that no longer exists.
          type: str
          sample: EmployeeBackoffice
        key:
          description: Application key.
          type: str
        version:
          description: Version number deployed. Null when neither the operation's label nor the application's versions give it.
          type: str
          sample: '1.2'
        version_key:
          description: Key of the version deployed.
          type: str
        operation:
          description: LifeTime's label of the operation.
          type: str
          sample: Deploy 1.2
        deployment_zone_key:
          description: Key of the deployment zone (empty for the default).
          type: str
    log:
      description: The deployment log, oldest first (empty for a plan never started).
      returned: when O(include_log=true)
      type: list
      elements: dict
      contains:
        instant:
          description: When the line was logged.
          type: str
        message:
          description: The line.
          type: str
        type:
          description: V(Info), V(Warning) or V(Error).
          type: str
  sample:
    - key: dce64ad4-2ddf-4e54-a639-3524bcd5b9a1
      details_url: ''
      notes: Release 2026.11
      source_environment: Quality Assurance
      source_environment_key: f5d16abb-612d-4fa5-a34e-4695e49678b2
      target_environment: Production
      target_environment_key: 849515f2-b4ff-4aca-a9d6-9407bea655f4
      created_on: '2026-01-14T09:12:44.17Z'
      created_by: Jane Doe
      created_by_username: jane.doe
      saved_on: '2026-01-14T09:12:44.17Z'
      saved_by: Jane Doe
      saved_by_username: jane.doe
      started_on: '2026-01-14T09:15:02.5Z'
      started_by: Jane Doe
      started_by_username: jane.doe
      aborted_on: null
      aborted_by: null
      aborted_by_username: null
      status: finished_successful
      info: ''
      applications:
        - name: EmployeeBackoffice
          key: c9a7a82e-0eee-4a3d-8e22-2a19c69c766f
          version: '1.2'
          version_key: 6dd6447a-d192-5452-93f0-3e17ac519e09
          operation: Deploy 1.2
          deployment_zone_key: ''
target_environment:
  description: Name of the target environment, or null when every target was listed.
  returned: always
  type: str
  sample: Production
from:
  description: Start of the window applied, in UTC.
  returned: always
  type: str
  sample: '2026-01-08T09:30:00Z'
to:
  description: End of the window applied, in UTC.
  returned: always
  type: str
  sample: '2026-01-15T09:30:00Z'
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.info import STATUSES, deployment_info
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = {
    'target_environment': dict(type='str'),
    'from': dict(type='str'),
    'to': dict(type='str'),
    'status': dict(type='list', elements='str', choices=list(STATUSES)),
    'applications': dict(type='list', elements='str'),
    'include_log': dict(type='bool', default=False),
}
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return deployment_info(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
