#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_deployment
short_description: Deploy application versions between OutSystems LifeTime environments, idempotently
version_added: 0.1.0
description:
  - Makes a LifeTime target environment run the given application versions, in one task. It resolves the environments,
    applications and versions by name, creates one deployment plan, checks it for conflicts, starts it (waiting in a queue
    while another plan runs on the same target), follows it to its end while printing each new line of the deployment log,
    and reports what changed.
  - Idempotent. Applications that already run the requested version in the target are left out; when none is left, nothing is
    created. A saved or running plan from the same source to the same target with the same versions is reused instead of
    creating a second one, so running the task again after an interrupted run (a killed job, Ctrl-C during the wait) attaches
    to the plan that run created.
  - A create request whose answer is lost (timeout, reset connection, server error) is never sent again. Each run writes a
    marker C([outsystems.lifetime run <id>]) at the end of the plan notes, and looks for it to find the plan it created.
  - O(applications[].version=previous) rolls an application back to the version that ran in the target before the one running now, like
    Zend Server's C(applicationRollback).
  - Two runs at once (two AWX jobs, two pipelines promoting the same versions to the same target) end with one deployment plan
    and both succeeding. After creating its plan a run reads the target's plans again; every run agrees on one plan (the running
    one, else the one created first), a run whose own plan lost deletes it while it is still saved and follows the other, and a
    plan started by another run is followed rather than started again.
  - While the deployment runs, each new log line is printed as it arrives, on standard error, when the task runs on the
    controller (C(localhost), or a task delegated to C(localhost), without C(async) or C(become)). Otherwise the module runs as usual
    and the log is returned in RV(log). The options, the result and the failures are the same either way.
  - For a long deployment, C(async) with C(poll) works as for any module; so does O(state=started) followed by an
    C(until) loop on this module with O(deployment_key) and O(state=present), which reads the plan without changing it.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  source_environment:
    description:
      - Name or key of the environment to deploy from.
      - Defaults to the environment just before O(target_environment) in LifeTime's order (for example Quality Assurance for Production).
      - Must differ from O(target_environment). To roll back, deploy the older version from another environment.
    type: str
  target_environment:
    description:
      - Name or key of the environment to deploy to. Required with O(applications).
    type: str
  applications:
    description:
      - The applications to deploy, each with the version to deploy. Required unless O(deployment_key) or O(manifest) is given.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name (or key) of the application. An exact name wins; a case-insensitive match is used only when it is unique.
          - One of O(applications[].name) and O(applications[].key) is required.
        type: str
      key:
        description:
          - Key of the application.
        type: str
      version:
        description:
          - Version number (for example V(1.3)) or version key to deploy.
          - When omitted, the tagged version running in O(source_environment). If the application is modified there since
            its last tag, the task fails and says to tag it first with M(outsystems.lifetime.lifetime_app_version), unless
            O(tag_modified=true).
          - V(previous) deploys the version that ran in the target before the one running now - the newest version a
            successful plan of the target's deployment history (the last 90 days) deployed there that was created before the
            one running now, so a rollback never goes forward. When there is none the task fails with C(No rollback available)
            before writing anything (give the version instead). V(previous) implies O(allow_downgrade) for this application.
          - Write it as text. An unquoted number fails the task, because YAML reads V(1.10) as the number 1.1, so write V("1.10").
        type: raw
      deployment_zone:
        description:
          - Name or key of the deployment zone of the target to deploy to. The default zone when omitted.
        type: str
  manifest:
    description:
      - A release manifest, deployed instead of O(applications) - exactly its version keys, so the target gets the versions
        that were tested. The format of outsystems-pipeline's trigger manifest (C(ApplicationVersions), C(EnvironmentDefinitions),
        C(DeploymentNotes), optionally C(ConfigurationItems)), as M(outsystems.lifetime.lifetime_manifest) writes it and LifeTime's
        Trigger Pipeline plugin produces it.
      - A path to a JSON or YAML file on the host that runs the task, JSON text, or the same data as a dictionary.
      - O(source_environment) and O(target_environment) may then be the manifest's environment labels. Each must mean exactly
        one environment - a label of one environment that is the name of another in LifeTime (or a definition whose key and name
        are two environments) fails the task before anything is written, naming both, so a manifest never redirects a deployment.
      - Every application and version must exist, and none may be older than what the target runs (see O(allow_downgrade));
        applications that already run their version are left out. Test applications (C(IsTestApplication)) are left out unless
        O(include_test_applications=true).
      - C(ConfigurationItems) are read and returned for the target (RV(configuration_items)), with a warning, but not applied.
    type: raw
  include_test_applications:
    description:
      - With O(manifest), also deploy the applications it marks as test applications.
    type: bool
    default: false
  tag_modified:
    description:
      - Tag first, in O(source_environment), each application given without O(applications[].version) that was modified there
        since its last version, with the next version number (see O(tag_increment)), and deploy that new version.
      - Every check of the request is made with the version still to be tagged in the plan (the environments, a freeze in the
        target, the other applications, O(manifest_dest)); only then is it tagged, as the first write. Check mode reports the
        number each tag would get and tags nothing.
      - Has no effect with O(manifest), which names its versions.
    type: bool
    version_added: 0.2.0
    default: false
  tag_increment:
    description:
      - With O(tag_modified), which part of the version number the tag increments (V(1.2.3) becomes V(1.2.4) with V(patch)).
    type: str
    version_added: 0.2.0
    choices: [patch, minor, major]
    default: patch
  tag_change_log:
    description:
      - With O(tag_modified), the change log of the versions tagged. Empty uses O(notes).
    type: str
    version_added: 0.2.0
    default: ''
  manifest_dest:
    description:
      - Once the target runs the versions (the deployment ended well, or there was nothing to deploy), write the release manifest
        of what it runs to this file on the host that runs the task, in the format of O(manifest) (what
        M(outsystems.lifetime.lifetime_manifest) writes and outsystems-pipeline's C(deploy_tags_to_target_env_with_manifest)
        reads), so a later stage deploys exactly these versions. The same data is returned in RV(manifest).
      - With O(manifest), the file is the complete release - every application of the manifest at the version the target runs,
        and its test applications, still marked C(IsTestApplication) (at the version the target runs when they were deployed,
        else as the manifest gives them); its C(EnvironmentDefinitions) labels, C(DeploymentNotes) and C(ConfigurationItems)
        carry over. Without it, the applications of O(applications).
      - Checked before anything is sent to LifeTime, in check mode too - the directory must exist and be writable, the path
        must not be a directory, and it must not be the O(manifest) file itself (the input is never overwritten).
      - Written atomically, and only when its content changes (that alone makes the task report a change). Not written in check
        mode, with O(state) other than V(deployed), or while the plan waits for a user intervention.
      - Only a regular file is written - a named pipe, a device, a socket or a link to nothing is refused before anything is sent.
        A file it replaces keeps its owner, group and mode (the owner only when the task runs as root).
      - An existing file that is not a release manifest (a JSON object with C(ApplicationVersions)), a YAML manifest included, is
        refused before anything is sent unless O(manifest_dest_force=true); its content is never shown in a diff.
      - Not with O(deployment_key).
    type: path
    version_added: 0.2.0
  manifest_dest_force:
    description:
      - Replace an existing O(manifest_dest) that is not a release manifest (an empty file is replaced either way).
      - A named pipe, a device, a socket, a directory or a link to nothing is refused even with V(true).
    type: bool
    default: false
    version_added: 0.3.0
  notes:
    description:
      - Notes of the deployment plan, shown in LifeTime. The run's marker is appended on a new line.
      - Empty with O(manifest) means the manifest's C(DeploymentNotes).
    type: str
    default: ''
  state:
    description:
      - V(deployed) creates the plan (or reuses a matching one), starts it and waits until it ends.
      - V(started) creates (or reuses) and starts the plan, and returns without waiting.
      - V(present) creates (or reuses) a saved plan without starting it.
      - V(aborted) aborts the running plan that carries these versions (or O(deployment_key)) and waits until LifeTime has aborted it.
      - V(absent) deletes the saved plan that carries these versions (or O(deployment_key)). LifeTime deletes only saved plans.
    type: str
    choices: [present, started, deployed, aborted, absent]
    default: deployed
  allow_downgrade:
    description:
      - Allow deploying a version older than the one the target runs. Older means created earlier, LifeTime's own order of
        versions, not a lower number.
      - When false, such a deployment fails before anything is written, naming both versions. Roll back with the
        C(outsystems.lifetime.rollback) playbook or role, or with O(applications[].version=previous), which imply it.
      - To keep a plan at three requests, when LifeTime reports the version number the target runs, a version whose plain
        dotted number (V(1.2.10)) is higher than that one and that never ran in the target (in its history) is taken as
        newer without reading its creation date. Any other case is decided by the creation dates.
    type: bool
    default: false
  rollback:
    description:
      - This deployment is a rollback - every application it deploys must go back to a version created before the one the target
        runs. A version that is not older (or an application that does not run in the target) fails the task before anything is
        written, naming it, so a rollback never rolls forward. Implies O(allow_downgrade). The rollback role and playbook set it.
      - Applications that already run the version asked for are left out, as usual.
    type: bool
    version_added: 0.2.0
    default: false
  database_mappings:
    description:
      - Database connections of the target for the logical databases of extensions, for a plan that LifeTime stops in
        C(needs_user_intervention) with C(Info) C(needs_configuration_or_confirmation) because the target lacks them
        (LifeTime 11.21.1 or later).
      - The task reads what LifeTime lists as missing, maps each from these entries, and continues the plan. When an entry is
        missing for one of them, the task fails listing every extension and logical database still unmapped, and the plan is
        left waiting; it is never continued with a guess. Entries for logical databases LifeTime does not ask for are ignored.
      - Two entries for the same extension and logical database (names compared without regard to case) are refused before
        anything is sent, naming both entries.
      - When LifeTime goes on with the plan by itself once the mappings are given (and so refuses the continue that follows), or
        another run or a user answered the pause at the same moment, the task reads the plan's status again and follows it to
        its end.
      - One request before anything is written checks that LifeTime has this API; on a LifeTime without it (older than
        11.21.1) the task fails before writing anything.
    type: list
    elements: dict
    suboptions:
      extension:
        description: Name or key of the extension.
        type: str
        required: true
      logical_database:
        description: Name of the extension's logical database.
        type: str
        required: true
      connection:
        description: Name of the database connection in the target environment.
        type: str
        required: true
  verify:
    description:
      - After a plan with O(applications) finishes successfully, read what the target runs (one request) and fail when an
        application does not run the version deployed, or runs it modified.
    type: bool
    default: true
  deployment_key:
    description:
      - Key of an existing deployment plan to act on, instead of matching one by its applications.
      - With O(state=deployed) a saved plan is started and waited for; a running one is waited for.
    type: str
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.deployment_wait
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.controller
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: Sends no POST, PUT or DELETE. Returns the plan it would create, each application with RV(applications[].from_version),
      RV(applications[].to_version) and whether it would be skipped.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
    details: The versions the target runs before and after, for the applications that are deployed.
notes:
  - Building the plan costs 3 sequential API requests whatever the number of applications (environments, applications with their
    status, the target's deployment plans) when LifeTime reports the running version numbers (C(BaseApplicationVersionLabel));
    otherwise N + 3 for N applications (the versions of each application, read concurrently). An explicit version number,
    V(previous), a named deployment zone, or a version that may be older than the one the target runs adds a lookup. Besides,
    the configuration of each application to deploy is read (is it blocked in the target?), concurrently with the target's plans.
  - The database of the target is not rolled back by O(applications[].version=previous); only the application version is.
  - An application blocked from deployment to the target (a release freeze, see M(outsystems.lifetime.lifetime_application_config))
    fails the task before anything is written, naming each blocked application and the reason, in check mode too (with the same
    sentence). A block set at the very moment makes LifeTime refuse the plan; the task then says the same, and deletes a plan it
    created.
seealso:
  - module: outsystems.lifetime.lifetime_app_version
  - module: outsystems.lifetime.lifetime_environment_info
  - module: outsystems.lifetime.lifetime_binary_publish
'''

EXAMPLES = r'''
- name: Promote EmployeeBackoffice from Development to Production and wait for it
  outsystems.lifetime.lifetime_deployment:
    lifetime_url: https://lifetime.example.com
    lifetime_token: "{{ lifetime_service_account_token }}"
    source_environment: Development
    target_environment: Production
    applications:
      - name: EmployeeBackoffice
    notes: Release 2026.11 (change CHG-1234)

- name: Deploy given versions, two-step (stop when prepared)
  outsystems.lifetime.lifetime_deployment:
    source_environment: Quality Assurance
    target_environment: Production
    applications:
      - name: EmployeeBackoffice
        version: "1.3"
      - name: Directory Mobile
        version: "0.4"
        deployment_zone: Global
    on_user_intervention: stop
  register: prepared

- name: Roll EmployeeBackoffice in Production back to the version that ran before
  outsystems.lifetime.lifetime_deployment:
    source_environment: Quality Assurance
    target_environment: Production
    applications:
      - name: EmployeeBackoffice
        version: previous

- name: Deploy to Production exactly what Quality Assurance tested, from a release manifest
  outsystems.lifetime.lifetime_deployment:
    source_environment: QA
    target_environment: PRD
    manifest: /var/lib/releases/2026.12/manifest.json

- name: Deploy a release manifest to Production, and write the manifest of what Production then runs for the next stage
  outsystems.lifetime.lifetime_deployment:
    source_environment: Quality Assurance
    target_environment: Production
    manifest: /var/lib/releases/2026.12/manifest.json
    manifest_dest: /var/lib/releases/2026.12/production.json

- name: Promote Billing, mapping its extension's logical database to a connection of Production
  outsystems.lifetime.lifetime_deployment:
    source_environment: Quality Assurance
    target_environment: Production
    applications:
      - name: Billing
    database_mappings:
      - extension: BillingDatabase
        logical_database: BillingDB
        connection: BillingProduction

- name: Start a saved plan created in LifeTime
  outsystems.lifetime.lifetime_deployment:
    deployment_key: dce64ad4-2ddf-4e54-a639-3524bcd5b9a1
    state: deployed
    on_user_intervention: continue

- name: Abort the running plan that carries these versions
  outsystems.lifetime.lifetime_deployment:
    source_environment: Development
    target_environment: Production
    applications:
      - name: EmployeeBackoffice
    state: aborted
'''

RETURN = r'''
deployment_key:
  description: Key of the deployment plan created, reused or acted on. Null when nothing had to be deployed.
  returned: always
  type: str
  sample: dce64ad4-2ddf-4e54-a639-3524bcd5b9a1
deployment_status:
  description:
    - Status of the plan when the task ended (saved, running, needs_user_intervention, aborted, aborting, finished_successful,
      finished_with_warnings, finished_with_errors). Null when nothing had to be deployed or the plan was deleted.
  returned: always
  type: str
  sample: finished_successful
info:
  description: LifeTime's C(Info) for a plan in needs_user_intervention (for example deploy_prepared), else empty.
  returned: when a plan was acted on
  type: str
log:
  description: The deployment log of the plan.
  returned: when a plan was acted on
  type: list
  elements: dict
  contains:
    instant:
      description: When LifeTime logged the message.
      type: str
      sample: '2026-11-22T15:36:11.797Z'
    message:
      description: The message.
      type: str
      sample: Deploy completed
applications:
  description: Each requested application, with the version the target ran and the version it is deployed to.
  returned: unless O(deployment_key) is given
  type: list
  elements: dict
  contains:
    name:
      description: Application name.
      type: str
    key:
      description: Application key.
      type: str
    from_version:
      description: Version the target ran before (null when the application did not run there).
      type: str
      sample: '1.2'
    from_version_key:
      description: Key of that version.
      type: str
    to_version:
      description: Version deployed.
      type: str
      sample: '1.3'
    version_key:
      description: Key of the version deployed.
      type: str
    deployment_zone:
      description: Name of the deployment zone given, empty for the default zone.
      type: str
    deployment_zone_key:
      description: Key of the deployment zone given, empty for the default zone.
      type: str
    skipped:
      description: Whether the application was left out of the plan.
      type: bool
    downgrade:
      description: Whether the version deployed is older (created earlier) than the version the target ran.
      type: bool
    tag:
      description:
        - Whether the version deployed was tagged by this task (O(tag_modified)); in check mode, whether it would be. Its
          RV(applications[].version_key) is then null in check mode.
      type: bool
      version_added: 0.2.0
    reason:
      description: Why it was left out (it already runs the version).
      type: str
      sample: EmployeeBackoffice already runs version 1.3
summary:
  description:
    - The result in lines a person reads, for a playbook to print. One line per application (from-version -> to-version and what
      became of it, or why it was skipped; going to a lower version number reads as a roll back), then one line for the plan
      (key, status, duration).
  returned: with O(state=present), O(state=started) or O(state=deployed), unless O(deployment_key) is given
  type: list
  elements: str
  sample:
    - EmployeeBackoffice 1.2 -> 1.3 (deployed)
    - Orders API skipped: already runs 1.0
    - 'plan dce64ad4-2ddf-4e54-a639-3524bcd5b9a1: finished_successful in 84.2 s'
source_environment:
  description: Name of the source environment.
  returned: unless O(deployment_key) is given
  type: str
target_environment:
  description: Name of the target environment.
  returned: unless O(deployment_key) is given
  type: str
conflicts:
  description: LifeTime's C(ApplicationConflicts) for the plan (snake_case keys); empty when there are none.
  returned: when a plan was created or started
  type: list
  elements: dict
applications_to_redeploy:
  description: Applications LifeTime redeploys because the deployment makes them outdated.
  returned: when a plan was created or started
  type: list
  elements: str
configuration_items:
  description:
    - The manifest's C(ConfigurationItems) that have a value for the target, as read (not applied).
  returned: with O(manifest)
  type: list
  elements: dict
  contains:
    module_name:
      description: Module that defines the item.
      type: str
    configuration_item_name:
      description: Name of the site property or other configuration item.
      type: str
    target_value:
      description: The value the manifest gives it in the target.
      type: str
verified:
  description:
    - Whether the target was read after the deployment and runs every version deployed (O(verify)).
    - Null when that read failed after LifeTime reported the deployment ended well; a warning says why, and the task does not fail.
  returned: when a plan with O(applications) finished successfully and O(verify=true)
  type: bool
duration:
  description: Seconds the task spent on the plan (starting, queueing and waiting).
  returned: when a plan was acted on
  type: float
  sample: 84.2
manifest:
  description:
    - The release manifest of what the target runs once the deployment ended well (see O(manifest_dest)), in the format of O(manifest).
  returned: with O(manifest) or O(manifest_dest), when the target runs the versions (not in check mode unless there was nothing to deploy)
  type: dict
  version_added: 0.2.0
manifest_written:
  description:
    - False when the deployment ended well but the manifest could not be made or written to O(manifest_dest) afterwards (the
      directory was removed meanwhile, a disk is full, the read after the deployment failed); a warning says why. The task does
      not fail for it - LifeTime completed the deployment.
  returned: when that happened
  type: bool
  version_added: 0.2.0
manifest_dest:
  description: The absolute path of O(manifest_dest).
  returned: with O(manifest_dest)
  type: str
  sample: /var/lib/releases/2026.12/production.json
  version_added: 0.2.0
diff:
  description:
    - The target's running versions before and after, for the applications deployed; with O(manifest_dest) whose content changes,
      a list of that and the file's content before and after.
  returned: in diff mode, when something is deployed or the manifest file changes
  type: raw
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.deployment import run as deploy
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.runner import WAIT_ARGUMENT_SPEC
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    source_environment=dict(type='str'),
    target_environment=dict(type='str'),
    applications=dict(
        type='list', elements='dict',
        options=dict(
            name=dict(type='str'),
            key=dict(type='str', no_log=False),
            version=dict(type='raw'),
            deployment_zone=dict(type='str'),
        ),
        mutually_exclusive=[('name', 'key')],
        required_one_of=[('name', 'key')],
    ),
    manifest=dict(type='raw'),
    include_test_applications=dict(type='bool', default=False),
    manifest_dest=dict(type='path'),
    manifest_dest_force=dict(type='bool', default=False),
    tag_modified=dict(type='bool', default=False),
    tag_increment=dict(type='str', default='patch', choices=['patch', 'minor', 'major']),
    tag_change_log=dict(type='str', default=''),
    notes=dict(type='str', default=''),
    state=dict(type='str', default='deployed', choices=['present', 'started', 'deployed', 'aborted', 'absent']),
    deployment_key=dict(type='str', no_log=False),
    allow_downgrade=dict(type='bool', default=False),
    rollback=dict(type='bool', default=False),
    verify=dict(type='bool', default=True),
    database_mappings=dict(type='list', elements='dict', options=dict(
        extension=dict(type='str', required=True),
        logical_database=dict(type='str', required=True),
        connection=dict(type='str', required=True),
    )),
    **WAIT_ARGUMENT_SPEC
)
MODULE_OPTIONS = dict(
    mutually_exclusive=[('deployment_key', 'applications', 'manifest'), ('deployment_key', 'manifest_dest')],
    required_one_of=[('deployment_key', 'applications', 'manifest')],
    required_by={'applications': 'target_environment', 'manifest': 'target_environment'},
    supports_check_mode=True,
)


def run(task):
    return deploy(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
