#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_solution
short_description: Build an OutSystems solution package (.osp) in LifeTime and download it
version_added: 0.1.0
description:
  - Asks LifeTime to build a solution of several applications as they run in one environment, follows its status
    (C(Created), C(Ready), C(Gathering Dependencies), C(Getting Binaries), C(Generating Meta Model), C(Generating Solution))
    until it is C(Completed), and downloads the package (.osp) to O(dest).
  - C(Completed) and C(Aborted) (which fails the task with LifeTime's C(StatusReason)) are the only statuses that end the wait.
    Any other status, one the collection does not know (C(Queued), for instance) too, is waited on until O(wait_timeout);
    every status seen is in RV(status_history), and a timeout names the last one.
  - The package is streamed to a temporary file next to O(dest) and renamed over it only when complete, so O(dest) never
    holds half a package, however large the package or however the download ends. Nothing holds the whole package in memory.
  - A download link that expired is asked for again once.
  - Idempotent in the way of M(ansible.builtin.get_url). A new solution is created on every run (LifeTime has no way to
    list or reuse solutions), and the task reports a change only when O(dest) did not exist or held different bytes.
    Whether two solutions of the same applications and versions are byte-identical is up to LifeTime.
  - This is the download half of publishing across infrastructures; M(outsystems.lifetime.lifetime_binary_publish) is the
    other half. Give each task the connection options of its own LifeTime (see EXAMPLES).
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  environment:
    description:
      - Name or key of the environment whose running applications are packaged.
      - An unknown name fails the task and lists the environments that exist.
    type: str
    required: true
  applications:
    description:
      - Names or keys of the applications to package. Each must run in O(environment).
      - A name matches exactly, or case-insensitively when only one application has it.
    type: list
    elements: str
    required: true
  name:
    description:
      - Name of the solution in LifeTime (C(SolutionName)).
      - Defaults to the file name of O(dest) without its extension.
      - At most 200 characters; a longer name fails the task before anything is asked of LifeTime.
    type: str
  include_references:
    description:
      - Also package the applications that the given ones reference (C(IncludeReferences)).
    type: bool
    default: false
  dest:
    description:
      - Path of the .osp file to write, on the host that runs the task (the controller when the task runs on
        C(localhost) or is delegated to C(localhost)).
      - Its directory must exist and be writable.
      - This module writes a zip archive (an .osp is one). An existing O(dest) that is not one is replaced only with O(force=true).
    type: path
    required: true
  wait_timeout:
    description:
      - Seconds to wait for LifeTime to build the solution. On timeout the task fails with the last status seen.
      - The status is polled every second at first, then less often, up to every 5.25 seconds.
    type: int
    default: 1800
extends_documentation_fragment:
  - outsystems.lifetime.dest
  - outsystems.lifetime.dest.DOWNLOAD
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.controller
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Resolves the environment and the applications and reports what would be packaged (RV(applications)) and where it would be
        written. Sends no POST and downloads nothing; reports a change when O(dest) does not exist.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: partial
    details: The path, sha256 and size of O(dest) before and after. Not in check mode, where the new package is not known.
notes:
  - "API requests made: C(GET /environments/) and C(GET /applications/?IncludeEnvStatus=true) once each, one
    C(GET /applications/{key}/versions/) per application (for the version numbers returned),
    C(POST /environments/{env}/solution/), C(GET /environments/{env}/solutionstatus/{key}/) per poll,
    C(GET /environments/{env}/solution/{key}/) for the link, and the download."
  - Requires LifeTime 11.22.0 or later.
seealso:
  - module: outsystems.lifetime.lifetime_binary_publish
  - module: outsystems.lifetime.lifetime_app_version
  - name: Publish an app across infrastructures using the LifeTime API
    description: The OutSystems walkthrough this module follows.
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Package two applications as they run in Quality Assurance
  outsystems.lifetime.lifetime_solution:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    environment: Quality Assurance
    applications:
      - EmployeeBackoffice
      - Directory Mobile
    name: Release-2026.11
    include_references: true
    dest: /srv/releases/Release-2026.11.osp
  register: solution

- name: Show the package
  ansible.builtin.debug:
    msg: "{{ solution.dest }}: {{ solution.size }} bytes, sha256 {{ solution.checksum }}"

# Across infrastructures: each block talks to its own LifeTime with its own token.
- name: Build the package on the source infrastructure
  module_defaults:
    group/outsystems.lifetime.lifetime:
      lifetime_url: https://lifetime.source.example.com
      lifetime_token: "{{ source_token }}"
  block:
    - name: Build and download the solution
      outsystems.lifetime.lifetime_solution:
        environment: Production
        applications: [EmployeeBackoffice, Directory Mobile]
        dest: /srv/transfer/release.osp

- name: Publish it on the target infrastructure
  module_defaults:
    group/outsystems.lifetime.lifetime:
      lifetime_url: https://lifetime.target.example.com
      lifetime_token: "{{ target_token }}"
  block:
    - name: Upload, check and deploy the package
      outsystems.lifetime.lifetime_binary_publish:
        src: /srv/transfer/release.osp
        target_environment: Production
'''

RETURN = r'''
solution_key:
  description: Key of the solution created in LifeTime. Null in check mode.
  returned: always
  type: str
  sample: ae1ef38a-f4cf-47be-b1c3-5df4417a1b94
solution_name:
  description: Name of the solution.
  returned: always
  type: str
  sample: Release-2026.11
status_history:
  description: The distinct statuses of the solution seen while waiting, in order. Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: [Created, Gathering Dependencies, Getting Binaries, Generating Meta Model, Generating Solution, Completed]
status_reason:
  description: LifeTime's C(StatusReason) when the solution was aborted.
  returned: on failure, when the solution was aborted
  type: str
  sample: Failed to get the binaries of module.
environment:
  description: Name of the environment packaged.
  returned: always
  type: str
  sample: Quality Assurance
applications:
  description: The applications asked for, with the version the environment runs.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Application name.
      type: str
    key:
      description: Application key.
      type: str
    version:
      description: Version number the environment runs (its last tag when it was modified since).
      type: str
      sample: '1.3'
    version_key:
      description: Key of that version.
      type: str
    is_modified:
      description: Whether the application changed in the environment since that version; the package holds the changes.
      type: bool
include_references:
  description: Whether referenced applications were included.
  returned: always
  type: bool
dest:
  description: Absolute path of the package.
  returned: always
  type: str
  sample: /srv/releases/Release-2026.11.osp
checksum:
  description: sha256 of the package downloaded.
  returned: success, except in check mode
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
size:
  description: Size of the package in bytes.
  returned: success, except in check mode
  type: int
  sample: 536870912
duration:
  description: Seconds from the request that creates the solution to the end of the download (or the abort).
  returned: when a solution was created
  type: float
  sample: 41.7
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main
from ansible_collections.outsystems.lifetime.plugins.module_utils._solutions import build

ARGUMENT_SPEC = dict(
    environment=dict(type='str', required=True),
    applications=dict(type='list', elements='str', required=True),
    name=dict(type='str'),
    include_references=dict(type='bool', default=False),
    dest=dict(type='path', required=True),
    force=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=1800),
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return build(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
