#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_environment_info
short_description: List OutSystems LifeTime environments and what runs in them
version_added: 0.1.0
description:
  - Lists the environments of a LifeTime infrastructure in LifeTime's order (for example Development, Quality Assurance, Production).
  - Optionally adds, for each environment, the applications running there with their running version number,
    and the deployment zones of the environment.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  name:
    description:
      - Names or keys of the environments to return. All environments when omitted.
      - A name matches exactly, or case-insensitively when only one environment has it.
      - An unknown name fails the task and lists the environments that exist.
    type: list
    elements: str
  include_applications:
    description:
      - Add RV(environments[].applications), one entry per application running in the environment, with the version number it runs.
      - Costs one API request for the application list and one per running application for its versions, made concurrently.
    type: bool
    default: false
  include_deployment_zones:
    description:
      - Add RV(environments[].deployment_zones), the deployment zones of the environment (one API request per environment).
    type: bool
    default: false
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
seealso:
  - module: outsystems.lifetime.lifetime_application_info
  - name: LifeTime Deployment API v2
    description: The API this module calls (GET /environments/, GET /applications/, GET /environments/{key}/deploymentzones/).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: List every environment of the infrastructure
  outsystems.lifetime.lifetime_environment_info:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
  register: lifetime

- name: Show what runs in Production
  outsystems.lifetime.lifetime_environment_info:
    name: Production
    include_applications: true
  register: production

- name: Print the running version of EmployeeBackoffice in Production
  ansible.builtin.debug:
    msg: >-
      {{ (production.environments[0].applications
          | selectattr('name', 'equalto', 'EmployeeBackoffice') | first).version }}

- name: Connection options set once for every module of the collection
  module_defaults:
    group/outsystems.lifetime.lifetime:
      lifetime_url: https://lifetime.example.com
      lifetime_token: "{{ lifetime_service_account_token }}"
  block:
    - name: Environments with their deployment zones
      outsystems.lifetime.lifetime_environment_info:
        name:
          - Development
          - Production
        include_deployment_zones: true
'''

RETURN = r'''
environments:
  description: The environments, in LifeTime's order.
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Environment key.
      type: str
      sample: 849515f2-b4ff-4aca-a9d6-9407bea655f4
    name:
      description: Environment name.
      type: str
      sample: Production
    order:
      description: Position of the environment in LifeTime (0 first).
      type: int
      sample: 2
    environment_type:
      description: Development, Test or Production (may be empty).
      type: str
      sample: Production
    host_name:
      description: Host name of the environment.
      type: str
      sample: prd-env.example.com
    os_version:
      description: Platform Server version.
      type: str
      sample: 11.26.0
    use_https:
      description: Whether connections to the environment use HTTPS.
      type: bool
    number_of_front_ends:
      description: Number of front-end servers.
      type: int
    application_server_type:
      description: Application server stack (.NET or JAVA).
      type: str
    application_server:
      description: Application server (IIS, JBoss, WebLogic).
      type: str
    database_provider:
      description: Database provider (SqlServer, Oracle).
      type: str
    is_cloud_environment:
      description: Whether the environment runs on a cloud service.
      type: bool
    is_offline:
      description: Whether LifeTime cannot reach the environment, when LifeTime reports it.
      type: bool
      returned: when LifeTime reports it
    applications:
      description: Applications running in the environment, sorted by name.
      returned: when O(include_applications=true)
      type: list
      elements: dict
      contains:
        key:
          description: Application key.
          type: str
        name:
          description: Application name.
          type: str
          sample: EmployeeBackoffice
        kind:
          description: Application kind (WebResponsive, Mobile, ...).
          type: str
        is_system:
          description: Whether the application is part of the OutSystems platform.
          type: bool
        version:
          description:
            - The version number the environment runs. When RV(environments[].applications[].is_modified) is true,
              the environment runs changes made after this version.
            - Null when LifeTime reports no base version.
          type: str
          sample: '1.3'
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
    deployment_zones:
      description: Deployment zones of the environment.
      returned: when O(include_deployment_zones=true)
      type: list
      elements: dict
      contains:
        key:
          description: Deployment zone key.
          type: str
        name:
          description: Deployment zone name.
          type: str
        is_default:
          description: Whether this is the default zone of the environment.
          type: bool
        deployment_technology:
          description: Hosting technology of the zone (key and name).
          type: dict
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._environments import environments_info
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    name=dict(type='list', elements='str'),
    include_applications=dict(type='bool', default=False),
    include_deployment_zones=dict(type='bool', default=False),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    params = task.params
    return dict(changed=False, environments=environments_info(task.resolver, names=params['name'],
                                                              include_applications=params['include_applications'],
                                                              include_deployment_zones=params['include_deployment_zones']))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
