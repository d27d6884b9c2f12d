# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """How the modules that deploy start, follow and finish a LifeTime deployment plan (WAIT_ARGUMENT_SPEC)."""

    DOCUMENTATION = r'''
options:
  redeploy_outdated:
    description:
      - Let LifeTime redeploy applications of the target that the deployment makes outdated (C(RedeployOutdated) of the start command).
    type: bool
    default: true
  continue_with_errors:
    description:
      - Ask LifeTime to go on when an application fails to deploy (C(ContinueWithErrors) of the start command).
    type: bool
    default: false
  allow_conflicts:
    description:
      - When LifeTime reports conflicts for the plan (C(ApplicationConflicts)), the task fails before starting, lists them,
        and deletes the plan it created. Set to V(true) to deploy anyway.
    type: bool
    default: false
  on_user_intervention:
    description:
      - What to do when the deployment stops with status C(needs_user_intervention).
      - V(fail) fails the task and leaves the plan waiting in LifeTime.
      - V(continue) sends the continue command and keeps waiting. This is what two-step deployments need (C(deploy_prepared)
        or C(deployment_prepared)), and it also answers C(business_process_impact) and C(deployment_suspended).
      - V(stop) returns successfully with RV(deployment_status=needs_user_intervention) and RV(info); running the same task again
        continues the plan and waits for it to finish.
      - C(needs_configuration_or_confirmation) (missing database connection mappings in the target) is never continued. The task
        fails and says what LifeTime needs, whatever this option says.
      - When LifeTime refuses the continue because the plan already moved on (a user or another run continued it), the task
        follows the plan instead of failing; continue is sent at most once per pause.
    type: str
    choices: [fail, continue, stop]
    default: fail
  wait_timeout:
    description:
      - Seconds to wait for the deployment to end. On timeout the task fails with the last status and log; the deployment
        itself goes on in LifeTime (it is never aborted by this module).
      - The status is polled every second at first, then less often, up to every 5.25 seconds.
    type: int
    default: 3600
  queue_timeout:
    description:
      - LifeTime runs one deployment at a time per target environment. While another plan runs there (running,
        needs_user_intervention or aborting; saved plans do not count), the task waits up to this many seconds before
        starting, then fails naming the plan that blocks it.
    type: int
    default: 1800
'''
