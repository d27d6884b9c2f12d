#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_db_connection_info
short_description: List the database connections of OutSystems environments through LifeTime
version_added: 0.3.0
description:
  - Lists the database connections of the environments named (of every environment when none is), as LifeTime lists them.
  - LifeTime never shows a connection's user name or password, so they are not in the result.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  environment:
    description:
      - Names or keys of the environments. Every environment when not given. An unknown name fails the task and lists the
        environments that exist.
    type: list
    elements: str
  name:
    description:
      - Only the connection of this name (case-insensitive).
    type: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.INFO_MODULE
notes:
  - "API requests made: C(GET /environments/), then C(GET /environments/{key}/dbconnections/) once per environment."
seealso:
  - module: outsystems.lifetime.lifetime_db_connection
'''

EXAMPLES = r'''
- name: The database connections of Production
  outsystems.lifetime.lifetime_db_connection_info:
    environment: Production
  register: production_connections

- name: Where ReportingDB exists
  outsystems.lifetime.lifetime_db_connection_info:
    name: ReportingDB
  register: reporting

- name: Show them
  ansible.builtin.debug:
    msg: "{{ reporting.db_connections | map(attribute='environment') | list }}"
'''

RETURN = r'''
db_connections:
  description: The connections, environment by environment (in LifeTime's order of environments, then as LifeTime lists them).
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
    name:
      description: Connection name.
      type: str
      sample: ReportingDB
    provider:
      description: The provider's display name.
      type: str
      sample: SQL Server
    description:
      description: Description.
      type: str
      sample: Reporting warehouse
    parameters:
      description: The configuration parameters.
      type: str
      sample: Server=sql.company.com;Database=Reporting
    advanced_configuration:
      description: Whether the connection has configuration parameters (LifeTime's C(isAdvancedConfiguration)).
      type: bool
      sample: true
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._governance.db_connections import list_connections
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    environment=dict(type='list', elements='str'),
    name=dict(type='str'),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return list_connections(task, task.params)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
