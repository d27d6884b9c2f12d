#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: lifetime_binary_publish
short_description: Publish an OutSystems application (.oap) or solution (.osp) package to a LifeTime environment
version_added: 0.1.0
description:
  - Uploads an application package (.oap) or a solution package (.osp) to a target environment as a new deployment plan,
    reads what LifeTime will do (C(ApplicationsToDeploy), C(ApplicationsToRedeploy), C(ApplicationConflicts),
    C(ModulesToDelete)), fails before starting when there are conflicts, and starts the plan and waits for it to finish.
    The package may come from another LifeTime infrastructure (M(outsystems.lifetime.lifetime_solution), or
    M(outsystems.lifetime.lifetime_app_version) with C(dest)); the target must be registered in its own LifeTime.
  - The package is sent as a stream (C(application/octet-stream)) and its sha256 is computed from the file in chunks;
    nothing holds the whole package in memory, so packages of several gigabytes can be published from an execution
    environment with a small memory limit.
  - Starting and waiting behave exactly as in M(outsystems.lifetime.lifetime_deployment) (the same code). The plan waits
    in a queue while another plan runs on the target, each new line of the deployment log is printed as it arrives when
    the task runs on the controller, user interventions are handled as O(on_user_intervention) says, and a timeout fails
    with the last status and log without aborting anything.
  - Idempotent, by the package's sha256. Before uploading, the task computes the sha256 of O(src) and reads the target's
    deployment plans of the last 90 days (one request). A plan whose notes carry
    C([outsystems.lifetime package sha256=<sha256>]) is an earlier publication of the very same bytes. A saved one is
    reused (started, for O(state=deployed)) and a running one is followed, instead of uploading again. When the newest
    one finished successfully, the package counts as published and nothing is uploaded (V(changed=false)), unless one of
    its applications no longer runs in the target or a later successful plan to the target deployed one of its
    applications; then, and when the newest one failed or was aborted, the package is published again.
  - After an upload, the task writes that marker into the notes of the new plan. If LifeTime refuses to update the plan
    (plans created from a package may be read-only), the task warns that idempotency cannot be recorded, and
    the next run uploads again.
  - After an upload, when the plan details name for every application the version the target already runs (and none
    is new), the plan is deleted and nothing is deployed (V(changed=false)). LifeTime's reference documents no version
    in C(ApplicationsToDeploy), so in practice the sha256 record above is what makes a second publication a no-op.
  - O(src) is checked before any request. A file that is missing, is not a regular file, is empty, is not named C(.oap)
    or C(.osp) (in any case), or does not start with the zip signature C(PK\x03\x04) fails the task with a message saying which.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
options:
  src:
    description:
      - Path of the package to publish, an application package (.oap) or a solution package (.osp).
      - It is read on the host that runs the task. With the action plugin of this module that is the controller when the
        task runs on C(localhost) or is delegated to C(localhost) (recommended, as the package is then read and sent by
        the controller, with the deployment log printed live); on any other host the module runs there and reads O(src) there.
    type: path
    required: true
  target_environment:
    description:
      - Name or key of the environment to publish to, in the LifeTime the connection options point at.
      - An unknown name fails the task and lists the environments that exist.
    type: str
    required: true
  state:
    description:
      - V(deployed) uploads the package (or reuses a plan that carries it), checks the plan, starts it and waits until it ends.
      - V(present) uploads the package and leaves the plan saved, not started. A package already deployed counts as present.
    type: str
    choices: [present, deployed]
    default: deployed
extends_documentation_fragment:
  - outsystems.lifetime.connection
  - outsystems.lifetime.deployment_wait
  - outsystems.lifetime.attributes
  - outsystems.lifetime.attributes.controller
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details:
      - Checks O(src) (and computes its sha256), resolves the target and reads its deployment plans, and says what would be done
        (upload, reuse a plan, or nothing). Uploads nothing and sends no POST, PUT or DELETE.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
notes:
  - Requires LifeTime 11.22.0 or later. Publishing to a production environment must be allowed in the LifeTime settings of the target.
  - Modules protected by Intellectual Property Protection (IPP) fail to publish to another infrastructure.
  - LifeTime does no impact analysis for plans created from a package, and shows them as read-only in its interface.
  - "How a second run is found to be a no-op: the sha256 of O(src) is looked for in the notes of the target's plans of the
    last 90 days, as C([outsystems.lifetime package sha256=<hex>]). Do not remove that line from the notes of a plan if you
    want the next run to recognise the package."
  - "API requests made: C(GET /environments/), C(GET /deployments/?TargetEnvironmentKey=...) once, and a status request
    per plan that carries the package's marker; for an upload C(POST /environments/{key}/deployment/),
    C(PUT /deployments/{key}/) (the marker), C(GET /deployments/{key}/), then the start command and a status request per poll."
seealso:
  - module: outsystems.lifetime.lifetime_solution
  - module: outsystems.lifetime.lifetime_app_version
  - module: outsystems.lifetime.lifetime_deployment
  - name: Publish an app across infrastructures using the LifeTime API
    description: The OutSystems walkthrough this module follows.
    link: https://success.outsystems.com/documentation/11/reference/outsystems_apis/lifetime_deployment_api_v2/
'''

EXAMPLES = r'''
- name: Publish a solution package to Production and wait for the deployment
  outsystems.lifetime.lifetime_binary_publish:
    lifetime_url: https://lifetime.target.example.com
    lifetime_token: "{{ target_lifetime_token }}"
    src: /srv/transfer/Release-2026.11.osp
    target_environment: Production
  register: published

- name: Upload an application package and leave the plan saved for a person to start
  outsystems.lifetime.lifetime_binary_publish:
    src: /srv/transfer/EmployeeBackoffice-2.0.0.oap
    target_environment: Quality Assurance
    state: present

# Across infrastructures in one play: the connection options are per task, each with its own token.
- name: Download the .oap of what runs in Production on the source infrastructure
  outsystems.lifetime.lifetime_app_version:
    lifetime_url: https://lifetime.source.example.com
    lifetime_token: "{{ source_lifetime_token }}"
    application: EmployeeBackoffice
    environment: Production
    dest: /srv/transfer/EmployeeBackoffice.oap

- name: Publish it to the other infrastructure, continuing a two-step deployment
  outsystems.lifetime.lifetime_binary_publish:
    lifetime_url: https://lifetime.target.example.com
    lifetime_token: "{{ target_lifetime_token }}"
    src: /srv/transfer/EmployeeBackoffice.oap
    target_environment: Production
    on_user_intervention: continue
    wait_timeout: 7200
'''

RETURN = r'''
deployment_key:
  description:
    - Key of the deployment plan created, reused or found to have published the package already.
    - Null in check mode when a plan would be created, and when the new plan was deleted (conflicts, or nothing to deploy).
  returned: always
  type: str
  sample: 16e9ad8a-9afa-46f8-8e3d-34f3b3e6d2cd
deployment_status:
  description:
    - Status of the plan when the task ended (saved, running, needs_user_intervention, aborted, finished_successful,
      finished_with_warnings, finished_with_errors). Null when there is no plan.
  returned: always
  type: str
  sample: finished_successful
info:
  description: LifeTime's C(Info) for a plan in needs_user_intervention (for example deploy_prepared), else empty.
  returned: always
  type: str
applications_to_deploy:
  description: LifeTime's C(ApplicationsToDeploy) for the plan, with snake_case keys.
  returned: always
  type: list
  elements: dict
  contains:
    application_key:
      description: Application key (the same in every infrastructure).
      type: str
    application_name:
      description: Application name.
      type: str
    is_new:
      description: Whether the application does not exist yet in the target's LifeTime.
      type: bool
  sample:
    - application_key: 8c9101e2-5ed7-4f20-96a0-e23b435be4d1
      application_name: Google Maps Web
      is_new: true
applications_to_redeploy:
  description: LifeTime's C(ApplicationsToRedeploy) for the plan.
  returned: always
  type: list
  elements: raw
modules_to_delete:
  description: LifeTime's C(ModulesToDelete) for the plan (modules of the target that the package removes).
  returned: always
  type: list
  elements: raw
conflicts:
  description: LifeTime's C(ApplicationConflicts) for the plan (snake_case keys); empty when there are none.
  returned: always
  type: list
  elements: dict
log:
  description: The deployment log of the plan.
  returned: always
  type: list
  elements: dict
  contains:
    instant:
      description: When LifeTime logged the message.
      type: str
      sample: '2024-04-05T10:31:19Z'
    message:
      description: The message.
      type: str
      sample: Deploy completed
checksum:
  description: sha256 of O(src), the record that makes the next run with the same file a no-op.
  returned: always
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
size:
  description: Size of O(src) in bytes.
  returned: always
  type: int
  sample: 536870912
src:
  description: Absolute path of the package.
  returned: always
  type: str
target_environment:
  description: Name of the target environment.
  returned: always
  type: str
  sample: Production
recorded:
  description: Whether the sha256 could be written into the notes of the new plan (see the description).
  returned: when a package was uploaded
  type: bool
duration:
  description: Seconds the task took, from checking O(src) to the end of the deployment (hashing, upload, queueing and waiting).
  returned: always
  type: float
  sample: 84.2
msg:
  description: What the task did, or in check mode would do.
  returned: always
  type: str
summary:
  description: One line a person reads, for a playbook to print - the package, its size and checksum, and what became of it.
  returned: success
  type: str
  sample: 'Release.osp (1048576 bytes, sha256 6a49887bc4b5): plan dce64ad4-2ddf-4e54-a639-3524bcd5b9a1 finished_successful in 12.3 s'
'''

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.publish import run as publish
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.runner import WAIT_ARGUMENT_SPEC
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import main as module_main

ARGUMENT_SPEC = dict(
    src=dict(type='path', required=True),
    target_environment=dict(type='str', required=True),
    state=dict(type='str', default='deployed', choices=['present', 'deployed']),
    **WAIT_ARGUMENT_SPEC
)
MODULE_OPTIONS = dict(supports_check_mode=True)


def run(task):
    return publish(task)


def main():
    module_main(ARGUMENT_SPEC, MODULE_OPTIONS, run)


if __name__ == '__main__':
    main()
