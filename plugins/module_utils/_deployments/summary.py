# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a deployment's result in the few lines a person reads (a pure function of the result)."""

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ABORTED,
    FINISHED_SUCCESSFUL,
    FINISHED_WITH_ERRORS,
    FINISHED_WITH_WARNINGS,
    NEEDS_USER_INTERVENTION,
    RUNNING,
    SAVED,
    SUCCEEDED,
)

# How a summary line says what became of an application, by the plan's status.
OUTCOMES = {
    FINISHED_SUCCESSFUL: 'deployed',
    FINISHED_WITH_WARNINGS: 'deployed, with warnings',
    SAVED: 'planned, not started',
    RUNNING: 'deploying',
    NEEDS_USER_INTERVENTION: 'waiting for the user',
    FINISHED_WITH_ERRORS: 'the plan finished with errors',
    ABORTED: 'the plan was aborted',
}


def _outcome(app, status, check_mode):
    if check_mode:
        return 'would tag, then deploy' if app.get('tag') else 'would roll back' if app.get('downgrade') else 'would deploy'
    if app.get('downgrade') and status in SUCCEEDED:
        return 'rolled back'
    outcome = OUTCOMES.get(status, status)
    return 'tagged, %s' % outcome if app.get('tag') else outcome


def _plan_line(result, planned, check_mode):
    key = result.get('deployment_key')
    status = result.get('deployment_status')
    if not planned:
        return 'plan: none, %s already runs these versions' % result['target_environment']
    if check_mode:
        return 'plan: would %s' % ('use %s (%s)' % (key, status) if key else 'create one deployment plan for %d application(s)' % planned)
    line = 'plan %s: %s' % (key, status)
    if result.get('info'):
        line += ' (%s)' % result['info']
    if result.get('duration') is not None:
        line += ' in %.1f s' % result['duration']
    return line


def summary(result, check_mode):
    """Each application from -> to and what became of it (a version older than the running one reads as a roll back), then the plan."""
    lines = []
    planned = 0
    for app in result.get('applications') or []:
        if app['skipped']:
            lines.append('%s skipped: already runs %s' % (app['name'], app['to_version']))
            continue
        planned += 1
        lines.append('%s %s -> %s (%s)' % (app['name'], app['from_version'] or '(not running)', app['to_version'],
                                           _outcome(app, result.get('deployment_status'), check_mode)))
    lines.append(_plan_line(result, planned, check_mode))
    if result.get('verified'):
        lines.append('verified: %s runs the versions deployed' % result['target_environment'])
    return lines
