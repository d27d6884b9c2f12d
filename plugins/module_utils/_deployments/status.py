# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a deployment plan's statuses, what they mean, and its log.

Pure functions of what LifeTime answers; nothing here sends a request.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._moments import creation_order

SAVED = 'saved'
RUNNING = 'running'
NEEDS_USER_INTERVENTION = 'needs_user_intervention'
ABORTING = 'aborting'
ABORTED = 'aborted'
FINISHED_SUCCESSFUL = 'finished_successful'
FINISHED_WITH_WARNINGS = 'finished_with_warnings'
FINISHED_WITH_ERRORS = 'finished_with_errors'

# Only these keep another plan from starting on the same target; saved plans never do.
ACTIVE = frozenset((RUNNING, NEEDS_USER_INTERVENTION, ABORTING))
SUCCEEDED = frozenset((FINISHED_SUCCESSFUL, FINISHED_WITH_WARNINGS))
FAILED = frozenset((FINISHED_WITH_ERRORS, ABORTED))
# Where a wait stops: the end, or a pause for the user.
SETTLED = SUCCEEDED | FAILED | frozenset((NEEDS_USER_INTERVENTION,))
# Plans a run may attach to instead of creating another one (an aborting plan is on its way to aborted).
REUSABLE = frozenset((SAVED, RUNNING, NEEDS_USER_INTERVENTION))

NEEDS_CONFIGURATION = 'needs_configuration_or_confirmation'
INTERVENTION_REASONS = {
    'deploy_prepared': 'the deployment is prepared and waits for the go-ahead (two-step deployment)',
    'deployment_prepared': 'the deployment is prepared and waits for the go-ahead (two-step deployment)',
    'business_process_impact': 'the deployment affects running business processes and waits for confirmation',
    'deployment_suspended': 'the deployment was suspended and waits to be resumed',
    NEEDS_CONFIGURATION: 'the target environment needs configuration first (missing database connection mappings)',
}
# LifeTime's way of saying "never": the StartedOn of a saved plan.
NEVER = '1900-01-01'
# A message carries the last few lines of a log, each bounded: the whole log is streamed as it grows and kept in the result.
LAST_LINES = 3


def state_of(status):
    """The DeploymentStatus of a status record (None for no record)."""
    return (status or {}).get('DeploymentStatus')


def started(deployment):
    return not str(deployment.get('StartedOn') or NEVER).startswith(NEVER)


def aborted(deployment):
    return bool(deployment.get('AbortedOn')) and not str(deployment['AbortedOn']).startswith(NEVER)


def log_lines(status, count=LAST_LINES):
    """The last lines of a deployment log as text, each bounded for a message."""
    entries = (status or {}).get('DeploymentLog') or []
    return [bounded(entry.get('Message', '')) for entry in entries[-count:]]


def log_excerpt(status):
    """The end of a deployment log for a message: its last lines, and where the whole log is."""
    lines = log_lines(status)
    if not lines:
        return 'The log is empty.'
    total = len((status or {}).get('DeploymentLog') or [])
    whole = '' if total <= len(lines) else ' The whole log (%d lines) is in the result (log).' % total
    return 'Last log lines: %s.%s' % (' | '.join(lines).rstrip('.'), whole)


def describe_status(status):
    return '%s; last log line: %s' % (state_of(status), (log_lines(status, 1) or ['none'])[0])


def intervention_reason(info):
    return INTERVENTION_REASONS.get(info, 'LifeTime waits for a user (Info %r)' % info)


def conflict_lines(conflicts):
    lines = []
    for conflict in conflicts:
        line = conflict.get('Message') or 'conflict'
        module_conflict = conflict.get('ModuleConflict') or {}
        if module_conflict.get('ConflictType'):
            line += ' (%s)' % module_conflict['ConflictType']
        lines.append(line)
    return lines


def version_keys(plan):
    """The application version keys a plan deploys, lower-cased and sorted (empty for a plan made from a package)."""
    return sorted(str(op.get('ApplicationVersionKey', '')).lower() for op in plan.get('ApplicationOperations') or [])


def winner(rivals):
    """Of (plan, status) pairs that deploy the same thing, the one every concurrent run follows: the running or paused one,
    else the one LifeTime created first (then the smallest key)."""
    active = [item for item in rivals if state_of(item[1]) in ACTIVE]
    return active[0] if active else min(rivals, key=lambda item: creation_order(item[0]))


class LogTail:
    """New DeploymentLog entries since the last poll.

    LifeTime returns the whole log on every status call; entries are appended, so
    what is new is what lies past the count already seen.
    """

    def __init__(self, callback=None, seen=0):
        self.callback = callback
        self.seen = seen

    def feed(self, status):
        log = (status or {}).get('DeploymentLog') or []
        if len(log) < self.seen:
            # The log was reset (not expected from LifeTime): report it from the start again.
            self.seen = 0
        fresh = log[self.seen:]
        self.seen = len(log)
        if self.callback:
            for entry in fresh:
                self.callback(entry)
        return fresh
