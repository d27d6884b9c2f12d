#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_manifest
short_description: Write the release manifest of the application versions an OutSystems environment runs
version_added: 0.1.0
description:
  - Writes a release manifest of what O(environment) runs for some applications, so that a later stage deploys exactly
    those versions ("deploy exactly what was tested") rather than whatever was tagged since.
  - The manifest has the format of the trigger manifest of OutSystems' pipelines (C(outsystems-pipeline)'s
    C(generate_manifest_file) and C(deploy_tags_to_target_env_with_manifest), LifeTime's Trigger Pipeline plugin), a JSON
    object with C(ApplicationVersions) (C(ApplicationKey), C(ApplicationName), C(VersionKey), C(VersionNumber),
    C(CreatedOn), C(ChangeLog), C(IsTestApplication), C(DeploymentZoneKey), C(DeploymentZoneName) for each application),
    C(EnvironmentDefinitions) (C(EnvironmentKey), C(EnvironmentName), C(EnvironmentLabel) for every environment of
    LifeTime), C(DeploymentNotes) and, when O(source_manifest) has them, C(ConfigurationItems).
  - The file is what C(deploy_tags_to_target_env_with_manifest) reads unchanged, and what the
    C(manifest) of the outsystems.lifetime.promote role and playbook takes.
  - Only reads from LifeTime. The manifest is also returned, so it can be handed on with C(ansible.builtin.set_stats)
    without a file.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  environment:
    description:
      - Name or key of the environment whose running versions the manifest names, or its label in O(source_manifest).
      - An unknown name fails the task and lists the environments that exist.
    type: str
    required: true
  applications:
    description:
      - Names or keys of the applications, matched as in the other modules.
      - Each must run in O(environment), and not be modified there since its last version (tag it first with
        M(outsystems.lifetime.lifetime_app_version)); otherwise the task fails and writes nothing.
      - When not set (or empty), the applications of O(source_manifest); without O(source_manifest), every application
        that runs in O(environment) except LifeTime's system applications (such as ServiceCenter).
    type: list
    elements: str
  test_applications:
    description:
      - Names or keys of applications of the manifest to mark as test applications (C(IsTestApplication)), which
        deployments from the manifest leave out unless asked to include them.
      - Applications marked in O(source_manifest) stay marked.
    type: list
    elements: str
    default: []
  notes:
    description:
      - The C(DeploymentNotes) of the manifest, the notes of the deployment plans made from it.
      - When not set, those of O(source_manifest), else empty.
    type: str
  source_manifest:
    description:
      - A manifest to carry over, in the same format, as the path of a JSON or YAML file on the host that runs the
        task, or the data itself (a mapping, or JSON text).
      - Its environment labels (C(EnvironmentLabel), matched by key), test application flags, C(DeploymentNotes) and
        C(ConfigurationItems) carry over into the new manifest; its applications are the default of O(applications).
      - Configuration items are carried as they are and never applied by this module.
      - A manifest that is not in the format fails the task with a sentence naming the field, for example
        C(source_manifest.ApplicationVersions[2].VersionKey is missing). Version numbers in it must be text; a number
        fails, because YAML reads V(1.10) as 1.1.
    type: raw
  dest:
    description:
      - Path of the JSON file to write the manifest to. Its directory must exist.
      - The file is written next to O(dest) and renamed over it, keeping the owner, group and mode of an existing file. The task
        reports a change only when O(dest) did not hold the same data (compared as JSON, so formatting does not count).
      - This module writes a release manifest - a JSON object with C(ApplicationVersions). Any other existing file, a YAML
        manifest included (it would become JSON), is replaced only with O(force=true); its content is never shown in a diff.
      - The same data always gives the same bytes (sorted keys, applications sorted by name, ASCII).
      - The peer's C(deploy_tags_to_target_env_with_manifest) replaces spaces in the file name with C(_) when it opens
        the file; give it a name without spaces.
      - When not set, nothing is written and the manifest is only returned.
    type: path
extends_documentation_fragment:
  - outsystems.lifetime.dest
  - outsystems.lifetime.connection
  - outsystems.lifetime.attributes
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Nothing is written; RV(manifest) is the manifest that would be written and RV(msg) says whether it would be.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The content of O(dest) before and after (before only when it is a release manifest).
notes:
  - "API requests made: C(GET /environments/) and C(GET /applications/?IncludeEnvStatus=true) once each, and
    C(GET /applications/{key}/versions/) for each application; C(GET /environments/{key}/deploymentzones/) when an
    application runs in a deployment zone."
  - The manifest of an environment names the versions it runs. The peer compares version numbers with Python's
    C(packaging), which fails on numbers such as V(1.0-hotfix); such numbers are fine for this collection.
seealso:
  - module: outsystems.lifetime.lifetime_deployment
  - module: outsystems.lifetime.lifetime_app_version
  - name: outsystems-pipeline
    description: OutSystems' pipeline scripts, whose trigger manifest format this is.
    link: https://pypi.org/project/outsystems-pipeline/
'''

EXAMPLES = r'''
- name: Write the manifest of what Quality Assurance runs for the release
  outsystems.lifetime.lifetime_manifest:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    environment: Quality Assurance
    applications:
      - EmployeeBackoffice
      - Directory Mobile
    test_applications:
      - EmployeeBackoffice Tests
    notes: Release 2024.06
    dest: "{{ playbook_dir }}/release-2024.06.json"
  register: release

- name: Hand the manifest to the next workflow node
  ansible.builtin.set_stats:
    data:
      lifetime_manifest: "{{ release.manifest }}"

- name: Record what Production runs now, with the labels and configuration items of the trigger manifest
  outsystems.lifetime.lifetime_manifest:
    environment: Production
    source_manifest: /srv/releases/trigger_manifest.json
    dest: /srv/releases/production.json
'''

RETURN = r'''
manifest:
  description:
    - The manifest, in the format of OutSystems' pipelines (the content of O(dest)).
  returned: always
  type: dict
  contains:
    ApplicationVersions:
      description: The version each application runs in O(environment), sorted by application name.
      type: list
      elements: dict
    EnvironmentDefinitions:
      description: Every environment of LifeTime with its key, name and label (the name unless O(source_manifest) gives another).
      type: list
      elements: dict
    DeploymentNotes:
      description: The notes of the deployment plans made from the manifest.
      type: str
    ConfigurationItems:
      description: The configuration items of O(source_manifest), as they are.
      type: list
      elements: dict
      returned: when O(source_manifest) has them
  sample:
    ApplicationVersions:
      - ApplicationKey: c9a7a82e-0eee-4a3d-8e22-2a19c69c766f
        ApplicationName: EmployeeBackoffice
        VersionKey: 6dd6447a-d192-5452-93f0-3e17ac519e09
        VersionNumber: '1.2'
        CreatedOn: '2024-05-02T10:31:07.26Z'
        ChangeLog: Vacation requests
        IsTestApplication: false
        DeploymentZoneKey: ''
        DeploymentZoneName: null
    EnvironmentDefinitions:
      - EnvironmentKey: f5d16abb-612d-4fa5-a34e-4695e49678b2
        EnvironmentName: Quality Assurance
        EnvironmentLabel: Quality Assurance
    DeploymentNotes: Release 2024.06
dest:
  description: Absolute path of the manifest file.
  returned: when O(dest) is set
  type: str
  sample: /srv/releases/release-2024.06.json
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
  sample: Wrote the manifest of what Quality Assurance runs (Directory Mobile 0.4, EmployeeBackoffice 1.2) to /srv/releases/release.json.
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import write_environment_manifest
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    environment=dict(type='str', required=True),
    applications=dict(type='list', elements='str'),
    test_applications=dict(type='list', elements='str', default=[]),
    notes=dict(type='str'),
    source_manifest=dict(type='raw'),
    dest=dict(type='path'),
    force=dict(type='bool', default=False),
)
MODULE_OPTIONS = dict(
    supports_check_mode=True,
)


def run(task):
    return write_environment_manifest(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == "__main__":
    main()
