#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_application_info
short_description: List OutSystems LifeTime applications, the version each environment runs, and their versions
version_added: 0.1.0
description:
  - Lists the applications of a LifeTime infrastructure with, for each environment they run in, the version number
    running there and whether it was changed since that version was tagged.
  - Optionally adds the most recent versions (tags) of each application, and the modules of each application.
  - The running version numbers of all applications come from one application list request and one version list
    request per application, never one request per version.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Names or keys of the applications to return, in this order. When omitted, every application except the
        system ones (see O(include_system)), sorted by name.
      - A name matches exactly, or case-insensitively when only one application has it. An unknown name fails the
        task and lists the applications that exist; a name that only matches several applications case-insensitively
        fails and lists them.
    type: list
    elements: str
  include_system:
    description:
      - Also return the applications that are part of the OutSystems platform (ServiceCenter, LifeTime, ...) when
        O(name) is omitted. Applications named in O(name) are always returned.
    type: bool
    default: false
  include_versions:
    description:
      - How many of the most recent versions of each application to return in RV(applications[].versions).
        V(0) returns none.
      - Costs one API request per returned application (made concurrently), shared with the one that gives the
        running version numbers. Above 100, all versions are requested at once.
    type: int
    default: 0
  include_modules:
    description:
      - Add the status of each module of the application in each environment (RV(applications[].environments[].modules)),
        and the module versions of each returned version (RV(applications[].versions[].module_versions)).
      - Costs no extra API request; the answers are larger.
    type: bool
    default: false
  include_blocking:
    description:
      - Add whether deployments of each application to each selected environment are blocked (a release freeze set with
        M(outsystems.lifetime.lifetime_application_config)) and the reason recorded with the block -
        RV(applications[].deployment_blocking), and RV(applications[].environments[].blocked) and
        RV(applications[].environments[].blocked_reason).
      - Costs one API request per returned application (made concurrently). Only reads; check mode changes nothing.
      - When LifeTime does not offer the operation (an older LifeTime) or the service account may not read it, the flag and
        reason are null.
    type: bool
    default: true
    version_added: 0.2.0
  environment:
    description:
      - Names or keys of the environments whose status to return in RV(applications[].environments). All environments
        when omitted.
      - Applications that do not run in any of these environments are still returned, with no environment status,
        and then cost no version list request unless O(include_versions) is set.
    type: list
    elements: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /environments/) and C(GET /applications/?IncludeEnvStatus=true) once each;
    C(GET /applications/{key}/configurations/) once per returned application unless O(include_blocking=false);
    C(GET /applications/{key}/versions/) once per returned application that runs in a selected environment,
    or per returned application when O(include_versions) is above 0, eight at a time; rarely, one
    C(GET /applications/{key}/versions/{version}/) for a running version older than the 100 most recent."
seealso:
  - module: outsystems.lifetime.lifetime_environment_info
  - module: outsystems.lifetime.lifetime_app_version
  - name: LifeTime Deployment API v2
    description: The API this module calls (GET /applications/, GET /applications/{key}/versions/).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Every application with the version each environment runs
  outsystems.lifetime.lifetime_application_info:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
  register: apps

- name: EmployeeBackoffice in Production, with its five most recent versions
  outsystems.lifetime.lifetime_application_info:
    name: EmployeeBackoffice
    environment: Production
    include_versions: 5
  register: backoffice

- name: Print the version Production runs
  ansible.builtin.debug:
    msg: "Production runs {{ backoffice.applications[0].environments[0].version }}"

- name: Pick the version before the one Production runs, to roll back to
  ansible.builtin.set_fact:
    rollback_to: >-
      {{ (backoffice.applications[0].versions
          | rejectattr('key', 'equalto', backoffice.applications[0].environments[0].version_key)
          | first).version }}

- name: Is anything frozen in Production? (read only, also in check mode)
  outsystems.lifetime.lifetime_application_info:
    name:
      - EmployeeBackoffice
      - Orders API
    environment: Production
  register: freeze

- name: Say which applications are blocked, and why
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.deployment_blocking[0].reason }}"
  loop: "{{ freeze.applications | selectattr('deployment_blocking.0.blocked') | list }}"
  loop_control:
    label: "{{ item.name }}"

- name: Applications changed in Development since their last tag
  module_defaults:
    group/outsystems.lifetime.lifetime:
      lifetime_url: https://lifetime.example.com
      lifetime_token: "{{ lifetime_service_account_token }}"
  block:
    - name: Read what Development runs
      outsystems.lifetime.lifetime_application_info:
        environment: Development
      register: development

    - name: List the modified ones
      ansible.builtin.debug:
        msg: >-
          {{ development.applications | selectattr('environments', 'ne', [])
             | selectattr('environments.0.is_modified') | map(attribute='name') | list }}
'''

RETURN = r'''
applications:
  description: The applications, in the order of O(name), else sorted by name.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Application key.
      type: str
      sample: c9a7a82e-0eee-4a3d-8e22-2a19c69c766f
    name:
      description: Application name.
      type: str
      sample: EmployeeBackoffice
    kind:
      description: Application kind (V(WebResponsive), V(Mobile), ...).
      type: str
      sample: WebResponsive
    team:
      description: Team that owns the application (empty when none).
      type: str
    description:
      description: Application description.
      type: str
    url_path:
      description: Relative URL path of the application.
      type: str
      sample: /EmployeeBackoffice
    icon_hash:
      description: Hash of the application icon.
      type: str
    icon_url:
      description: URL of the application icon.
      type: str
    is_system:
      description: Whether the application is part of the OutSystems platform.
      type: bool
    environments:
      description:
        - The application's status in each selected environment it runs in, in LifeTime's environment order.
          Environments where it does not run are left out.
      type: list
      elements: dict
      contains:
        environment_key:
          description: Environment key.
          type: str
        environment_name:
          description: Environment name.
          type: str
          sample: Production
        version:
          description:
            - The version number the environment runs. When RV(applications[].environments[].is_modified) is true,
              the environment runs changes made after this version.
            - Null when LifeTime reports no base version.
          type: str
          sample: '1.2'
        version_key:
          description: Key of that application version.
          type: str
        is_modified:
          description: Whether the application was changed in the environment since its last version was tagged.
          type: bool
        is_modified_reason:
          description: LifeTime's reason code when modified.
          type: str
        is_modified_message:
          description: LifeTime's explanation when modified.
          type: str
        consistency_status:
          description: LifeTime's consistency status of the application in the environment.
          type: str
        consistency_status_messages:
          description: Messages about the consistency status.
          type: str
        deployment_zone_key:
          description: Key of the deployment zone the application runs in (empty for the default zone).
          type: str
        mobile_apps_status:
          description: Status of the native mobile builds in the environment, as LifeTime returns it (snake_case keys).
          type: list
          elements: dict
        modules:
          description: Status of each module of the application in the environment, as LifeTime returns it (snake_case keys).
          returned: when O(include_modules=true)
          type: list
          elements: dict
        blocked:
          description: Whether deployments of the application to the environment are blocked; null when it could not be read.
          returned: when O(include_blocking=true)
          type: bool
          version_added: 0.2.0
        blocked_reason:
          description: The reason recorded with the last change of the block (empty when none); null when it could not be read.
          returned: when O(include_blocking=true)
          type: str
          sample: Release freeze until 2027-01-05 (CHG-9)
          version_added: 0.2.0
    deployment_blocking:
      description:
        - Whether deployments of the application are blocked in each selected environment, whether it runs there or not, in
          LifeTime's environment order.
      returned: when O(include_blocking=true)
      type: list
      elements: dict
      version_added: 0.2.0
      contains:
        environment_key:
          description: Environment key.
          type: str
        environment_name:
          description: Environment name.
          type: str
          sample: Production
        blocked:
          description: Whether deployments to the environment are blocked; null when it could not be read.
          type: bool
        reason:
          description: The reason recorded with the last change of the block (empty when none); null when it could not be read.
          type: str
    versions:
      description: The most recent versions of the application, newest first.
      returned: when O(include_versions) is above 0
      type: list
      elements: dict
      contains:
        key:
          description: Application version key.
          type: str
        application_key:
          description: Application key.
          type: str
        version:
          description: Version number.
          type: str
          sample: '1.3'
        change_log:
          description: Change log written when the version was tagged.
          type: str
        created_on:
          description: When the version was created (ISO 8601).
          type: str
          sample: '2024-05-02T10:31:07Z'
        in_use:
          description: Whether the version runs in an environment or is part of a deployment plan (then it cannot be deleted).
          type: bool
        mobile_versions:
          description: Native build versions of the version (mobile applications).
          type: list
          elements: dict
          contains:
            native_platform:
              description: V(Android) or V(iOS).
              type: str
            version_number:
              description: Version number of the native build.
              type: str
            version_description:
              description: Description of the native build version.
              type: str
        primary_color:
          description: Primary color of the application (mobile applications).
          type: str
        native_hash:
          description: Hash of the native build configuration (mobile applications).
          type: str
        module_versions:
          description: Versions of the modules in the application version (snake_case keys).
          returned: when O(include_modules=true)
          type: list
          elements: dict
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._applications import applications_info
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    name=dict(type='list', elements='str'),
    include_system=dict(type='bool', default=False),
    include_versions=dict(type='int', default=0),
    include_modules=dict(type='bool', default=False),
    include_blocking=dict(type='bool', default=True),
    environment=dict(type='list', elements='str'),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    params = task.params
    return dict(changed=False, applications=applications_info(task.resolver, names=params['name'], include_system=params['include_system'],
                                                              include_versions=params['include_versions'],
                                                              include_modules=params['include_modules'], environments=params['environment'],
                                                              include_blocking=params['include_blocking']))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
