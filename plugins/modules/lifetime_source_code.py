#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_source_code
short_description: Build and download the source code package of an OutSystems application or module
version_added: 0.1.0
description:
  - Asks LifeTime to package the source code of an application, or of one module, as it runs in an environment, follows the
    package's status (C(InProgress)) until it is C(Done), and downloads the package (a zip file) to O(dest). For escrow, and
    for a copy of what runs before a deployment replaces it.
  - The package is streamed to a temporary file next to O(dest) and renamed over it only when complete, so O(dest) never
    holds half a package. Nothing holds the whole package in memory. A download link that expired is asked for again once.
  - Idempotent in the way of M(ansible.builtin.get_url). LifeTime builds a new package on every run (it cannot list or reuse
    them), and the task reports a change only when O(dest) did not exist or held different bytes. Whether two packages of
    the same running code are byte-identical is up to LifeTime.
  - LifeTime's API definition lists no statuses of a source code package. C(Done) ends the wait. A status that names a failure
    (it contains C(error), C(fail) or C(abort), as in C(Failed) or C(Aborted)), or a status record that carries a message of
    type C(Error), ends the wait and fails the task with that status and LifeTime's messages. Any other status, C(InProgress) or
    one the collection does not know (C(Queued), for instance), is waited on until O(wait_timeout); every status seen is in
    RV(status_history), and a timeout names the last one.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  environment:
    description:
      - Name or key of the environment whose running code is packaged.
      - An unknown name fails the task and lists the environments that exist.
    type: str
    required: true
  application:
    description:
      - Name or key of the application whose source code to package (every module of it but its extensions).
      - It must run in O(environment). A name matches exactly, or case-insensitively when only one application has it.
      - Exactly one of O(application) and O(module) is required.
    type: str
  module:
    description:
      - Name or key of one module whose source code to package.
      - It must run in O(environment) and must not be an extension (LifeTime gives no source code of extensions).
      - Exactly one of O(application) and O(module) is required.
    type: str
  dest:
    description:
      - Path of the zip file to write, on the host that runs the task.
      - Its directory must exist and be writable; this is checked before LifeTime is asked for anything.
      - This module writes a zip archive. An existing O(dest) that is not one is replaced only with O(force=true).
    type: path
    required: true
  wait_timeout:
    description:
      - Seconds to wait for LifeTime to build the package. On timeout the task fails with the last status seen;
        LifeTime goes on building it.
      - The status is polled every second at first, then less often, up to every 5.25 seconds.
    type: int
    default: 1800
extends_documentation_fragment:
  - outsystems.lifetime.dest
  - outsystems.lifetime.dest.DOWNLOAD
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Checks O(dest), resolves the environment and the application or module and checks that it runs there, and says what
        would be packaged. Sends no POST and downloads nothing; reports a change when O(dest) does not exist.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: partial
    details: The path, sha256 and size of O(dest) before and after. Not in check mode, where the new package is not known.
notes:
  - "API requests made: C(GET /environments/) once; for an application C(GET /applications/?IncludeEnvStatus=true) once
    (and C(GET /applications/{key}/versions/) once when LifeTime does not give the running version's number), for a module
    C(GET /modules/?IncludeEnvStatus=true) once; then C(POST .../sourcecodeaccess/), C(GET .../sourcecodeaccess/{key}/status/)
    per poll, C(GET .../sourcecodeaccess/{key}/download/) for the link, and the download."
  - The request that creates the package is sent once more without looking when its answer is lost, like the one that creates
    a solution, because LifeTime cannot list source code packages and a second package is only a duplicate that is never
    deployed.
  - Requires LifeTime 11.21.1 and Platform Server 11.27.0 or later in O(environment); with older ones the task fails with
    LifeTime's answer to the POST. The service account needs permission on the application in O(environment)
    (LifeTime answers 403 otherwise).
seealso:
  - module: outsystems.lifetime.lifetime_solution
  - module: outsystems.lifetime.lifetime_app_version
  - name: LifeTime Deployment API v2
    description: The API this module calls (Environments_Applications_SourceCode and Environments_Modules_SourceCode).
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Keep the source code of what runs in Production before deploying over it
  outsystems.lifetime.lifetime_source_code:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    environment: Production
    application: EmployeeBackoffice
    dest: /srv/escrow/EmployeeBackoffice-production.zip
  register: escrow

- name: Show the package
  ansible.builtin.debug:
    msg: >-
      {{ escrow.application.name }} {{ escrow.application.version }}: {{ escrow.size }} bytes,
      sha256 {{ escrow.checksum }}

- name: Source code of one module, waiting at most ten minutes
  outsystems.lifetime.lifetime_source_code:
    environment: Quality Assurance
    module: EmployeeBackoffice_CS
    dest: /srv/escrow/EmployeeBackoffice_CS.zip
    wait_timeout: 600
'''

RETURN = r'''
environment:
  description: Name of the environment whose running code was packaged.
  returned: always
  type: str
  sample: Production
application:
  description: The application packaged, with the version the environment runs.
  returned: when O(application) is set
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
    version:
      description: Version number the environment runs (its last tag when it was modified since).
      type: str
      sample: '1.2'
    version_key:
      description: Key of that version.
      type: str
    is_modified:
      description: Whether the application changed in the environment since that version; the package holds the changes.
      type: bool
module:
  description: The module packaged.
  returned: when O(module) is set
  type: dict
  contains:
    name:
      description: Module name.
      type: str
      sample: EmployeeBackoffice_CS
    key:
      description: Module key.
      type: str
    kind:
      description: Module kind (V(eSpace), ...).
      type: str
      sample: eSpace
    application_key:
      description: Key of the application the module belongs to in the environment.
      type: str
    module_version_key:
      description: Key of the module version the environment runs.
      type: str
package_key:
  description: Key of the source code package LifeTime built. Null in check mode.
  returned: always
  type: str
  sample: 4c0b5a2e-9a1f-4d7e-8f3b-2f1b6c9d0e11
status_history:
  description: The distinct statuses of the package seen while waiting, in order. Empty in check mode.
  returned: always
  type: list
  elements: str
  sample: [InProgress, Done]
messages:
  description: LifeTime's messages about the package (C(Messages) of its last status, snake_case keys). Empty in check mode.
  returned: always
  type: list
  elements: dict
  contains:
    message:
      description: The message.
      type: str
      sample: Source Code Access
    detail:
      description: Its detail.
      type: str
      sample: Source code access for application 'EmployeeBackoffice'.
    type:
      description: V(Info), V(Warning) or V(Error).
      type: str
dest:
  description: Absolute path of the package.
  returned: always
  type: str
  sample: /srv/escrow/EmployeeBackoffice-production.zip
checksum:
  description: sha256 of the package downloaded.
  returned: success, except in check mode
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
size:
  description: Size of the package in bytes.
  returned: success, except in check mode
  type: int
  sample: 16384
duration:
  description: Seconds from the start of the task to the end of the download (or the failed package).
  returned: when a package was requested
  type: float
  sample: 12.4
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: Source code of application EmployeeBackoffice as it runs in Production (package 4c0b5a2e-...) downloaded to /srv/escrow/x.zip (16384 bytes).
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main
from ansible_collections.outsystems.lifetime.plugins.module_utils._source_code import download_source_code

ARGUMENT_SPEC = dict(
    environment=dict(type='str', required=True),
    application=dict(type='str'),
    module=dict(type='str'),
    dest=dict(type='path', required=True),
    force=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=1800),
)
MODULE_OPTIONS = dict(
    required_one_of=[('application', 'module')],
    mutually_exclusive=[('application', 'module')],
    supports_check_mode=True,
)


def run(task):
    return download_source_code(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
