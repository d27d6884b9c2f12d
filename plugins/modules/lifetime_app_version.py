#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_app_version
short_description: Tag, delete and download versions of OutSystems LifeTime applications
version_added: 0.1.0
description:
  - Makes sure a version (tag) of an application exists, creating it from what runs in an environment, or does not exist.
  - Without O(version), tags the application only when it changed in O(environment) since its last tag, with the next
    version number. This is how to tag everything that changed before a promotion.
  - Optionally downloads the binary of the version, or of what runs in O(environment), to O(dest).
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  application:
    description:
      - Name or key of the application.
      - A name matches exactly, or case-insensitively when only one application has it. An unknown name fails the task
        and lists the applications that exist; a name that only matches several applications case-insensitively fails
        and lists them.
    type: str
    required: true
  environment:
    description:
      - Name or key of the environment whose running application is tagged, or downloaded when O(version) is not set.
      - Required with O(state=present) when O(version) is not set or does not exist yet, and to download without O(version).
      - An unknown name fails the task and lists the environments that exist.
    type: str
  version:
    description:
      - The version number.
      - With O(state=present), a version that already exists is left as it is (O(change_log) and O(mobile_versions)
        do not change it); otherwise it is created from what runs in O(environment).
      - When not set with O(state=present), the application is tagged only when it was changed in O(environment) since
        its last version, with the highest existing version number of the application incremented as O(increment) says
        (V(1.2.3) becomes V(1.2.4); V(1.2) becomes V(1.2.1); V(1.0-hotfix) becomes V(1.0.1); V(2024.01.15_1) becomes
        V(2024.01.15_2)). When it was not changed, nothing is tagged and the version it runs is returned.
      - Required with O(state=absent).
      - At most 50 characters, letters, digits and C(.), C(_), C(-), C(+), starting with a letter or a digit. Anything
        else fails the task before LifeTime is changed.
      - Write it as text. An unquoted number fails the task, because YAML reads V(1.10) as the number 1.1 and the version meant
        cannot be known, so write V("1.10").
    type: raw
  change_log:
    description:
      - Change log of the version, used only when it is created.
    type: str
  mobile_versions:
    description:
      - Version numbers of the native builds of a mobile application, used only when the version is created.
    type: list
    elements: dict
    suboptions:
      native_platform:
        description: The native platform.
        type: str
        required: true
        choices: [Android, iOS]
      version_number:
        description: Version number of the native build, as the app store knows it. Same rules as O(version), text too.
        type: raw
        required: true
      description:
        description: Description of the native build version.
        type: str
  increment:
    description:
      - Which part of the highest existing version number to increment when O(version) is not set and the application
        changed. V(patch) increments the third number (adding it when there are two), V(minor) the second, V(major) the first;
        the numbers after it become 0.
      - When no number can be derived (the application has no version, or its highest version does not start with a
        number), the task fails and asks for O(version).
    type: str
    choices: [patch, minor, major]
    default: patch
  state:
    description:
      - V(present) makes sure the version exists, V(absent) that it does not.
      - A version that is in use (running in an environment or part of a deployment plan) cannot be deleted;
        the task fails and says so.
    type: str
    choices: [present, absent]
    default: present
  dest:
    description:
      - Path of a file to download the binary to, the binary of O(version), or of what runs in O(environment) when O(version) is not set.
      - The file is written next to O(dest) and renamed over it when complete, so O(dest) never holds half a download.
        The task reports a change only when O(dest) did not exist or held different bytes.
      - Its directory must exist. Not allowed with O(state=absent).
      - In check mode nothing is downloaded; the task reports a change when O(dest) does not exist.
      - This module writes a zip archive (an .oap, .apk or .ipa is one). An existing O(dest) that is not one is replaced only
        with O(force=true).
    type: path
  binary_type:
    description:
      - The kind of binary to download when O(version) is not set (what runs in O(environment));
        V(oap) the application package, V(apk) or V(ipa) the native build of a mobile application.
        LifeTime's default (the .oap) when not set.
      - The binary of a version is always its .oap.
    type: str
    choices: [oap, apk, ipa]
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
      - Nothing is created, deleted or downloaded. RV(version) gives the number that would be created, or the version that
        would be deleted, and RV(msg) says what would happen.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The version numbers of the application before and after.
notes:
  - "API requests made: C(GET /environments/) and C(GET /applications/?IncludeEnvStatus=true) once each, and one
    C(GET /applications/{key}/versions/); when a version is created, C(POST /environments/{env}/applications/{key}/versions/);
    C(GET /applications/{key}/versions/{version}/) for the returned version; with O(dest), one request for the download
    link and the download itself."
seealso:
  - module: outsystems.lifetime.lifetime_application_info
  - name: LifeTime Deployment API v2
    description: The API this module calls.
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Tag EmployeeBackoffice in Development if it changed since its last version
  outsystems.lifetime.lifetime_app_version:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    application: EmployeeBackoffice
    environment: Development
    change_log: Sprint 42
  register: tagged

- name: Show the version to promote
  ansible.builtin.debug:
    msg: "Promote {{ tagged.version.version }} ({{ tagged.version.key }})"

- name: Tag a release with an explicit number and download its package
  outsystems.lifetime.lifetime_app_version:
    application: EmployeeBackoffice
    environment: Quality Assurance
    version: '2.0.0'
    change_log: Release 2.0
    dest: /srv/releases/EmployeeBackoffice-2.0.0.oap

- name: Tag a mobile application with its native build versions, incrementing the minor number
  outsystems.lifetime.lifetime_app_version:
    application: Directory Mobile
    environment: Development
    increment: minor
    mobile_versions:
      - native_platform: Android
        version_number: '0.5'
      - native_platform: iOS
        version_number: '0.5'
        description: Store release

- name: Download the Android build of what runs in Production
  outsystems.lifetime.lifetime_app_version:
    application: Directory Mobile
    environment: Production
    dest: /srv/builds/DirectoryMobile.apk
    binary_type: apk

- name: Delete an old version
  outsystems.lifetime.lifetime_app_version:
    application: EmployeeBackoffice
    version: '1.0'
    state: absent
'''

RETURN = r'''
version:
  description:
    - The version that exists after the task (created, already there, or the one the environment runs).
    - With O(state=absent), the version that was (or in check mode would be) deleted; empty when it did not exist.
    - In check mode, when the version would be created, only RV(version.application_key), RV(version.version),
      RV(version.change_log) and RV(version.mobile_versions).
  returned: always
  type: dict
  contains:
    key:
      description: Application version key.
      type: str
      sample: 702df59d-3700-41b8-907e-a629e05a68f1
    application_key:
      description: Application key.
      type: str
    version:
      description: Version number.
      type: str
      sample: 1.3.1
    change_log:
      description: Change log of the version.
      type: str
    created_on:
      description: When the version was created (ISO 8601).
      type: str
    in_use:
      description: Whether the version runs in an environment or is part of a deployment plan.
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
      type: list
      elements: dict
  sample:
    key: 702df59d-3700-41b8-907e-a629e05a68f1
    application_key: c9a7a82e-0eee-4a3d-8e22-2a19c69c766f
    version: 1.3.1
    change_log: Sprint 42
    created_on: '2024-05-02T10:31:07Z'
    in_use: true
    mobile_versions: []
    module_versions: []
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: Created version 1.3.1 of EmployeeBackoffice from what runs in Development (changed since version 1.3).
dest:
  description: Absolute path of the downloaded file.
  returned: when O(dest) is set
  type: str
  sample: /srv/releases/EmployeeBackoffice-2.0.0.oap
checksum:
  description: sha256 of the downloaded file.
  returned: when O(dest) is set, except in check mode
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
size:
  description: Size of the downloaded file in bytes.
  returned: when O(dest) is set, except in check mode
  type: int
  sample: 1048576
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._app_versions import desired_version, ensure_app_version
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    application=dict(type='str', required=True),
    environment=dict(type='str'),
    version=dict(type='raw'),
    change_log=dict(type='str'),
    mobile_versions=dict(type='list', elements='dict', options=dict(
        native_platform=dict(type='str', required=True, choices=['Android', 'iOS']),
        version_number=dict(type='raw', required=True),
        description=dict(type='str'),
    )),
    increment=dict(type='str', choices=['patch', 'minor', 'major'], default='patch'),
    state=dict(type='str', choices=['present', 'absent'], default='present'),
    dest=dict(type='path'),
    force=dict(type='bool', default=False),
    binary_type=dict(type='str', choices=['oap', 'apk', 'ipa']),
)
MODULE_OPTIONS = dict(
    required_if=[('state', 'absent', ['version'])],
    required_by={'binary_type': 'dest'},
    supports_check_mode=True,
)


def run(task):
    return ensure_app_version(task, desired_version(task.params))


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
