# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: running a LifeTime deployment plan, shared by every module that deploys.

A DeploymentRun starts a saved plan (waiting in a queue while another plan runs
on the same target environment), follows it to a settled status while reporting
each new DeploymentLog line, answers user interventions as the task asks, and
turns the end into a result or a failure that carries the last status and log.
It never aborts a deployment on its own: a timeout leaves the plan as LifeTime has it.
"""

import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
    LifeTimeInvalidStateError,
    LifeTimeTimeoutError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._waiter import LogTail, Waiter

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

NEEDS_CONFIGURATION = 'needs_configuration_or_confirmation'
INTERVENTION_REASONS = {
    'deploy_prepared': 'the deployment is prepared and waits for the go-ahead (two-step deployment)',
    'deployment_prepared': 'the deployment is prepared and waits for the go-ahead (two-step deployment)',
    'business_process_impact': 'the deployment affects running business processes and waits for confirmation',
    'deployment_suspended': 'the deployment was suspended and waits to be resumed',
    NEEDS_CONFIGURATION: 'the target environment needs configuration first (missing database connection mappings)',
}
ON_USER_INTERVENTION = ('fail', 'continue', 'stop')
# LifeTime's way of saying "never": the StartedOn of a saved plan.
NEVER = '1900-01-01'
LAST_LINES = 10

# The wait options every deploying module shares (merged into their argument specs).
WAIT_ARGUMENT_SPEC = dict(
    redeploy_outdated=dict(type='bool', default=True),
    continue_with_errors=dict(type='bool', default=False),
    allow_conflicts=dict(type='bool', default=False),
    on_user_intervention=dict(type='str', default='fail', choices=list(ON_USER_INTERVENTION)),
    wait_timeout=dict(type='int', default=3600),
    queue_timeout=dict(type='int', default=1800),
)


def started(deployment):
    return not str(deployment.get('StartedOn') or NEVER).startswith(NEVER)


def log_lines(status, count=LAST_LINES):
    """The last lines of a deployment log as text."""
    entries = (status or {}).get('DeploymentLog') or []
    return [entry.get('Message', '') for entry in entries[-count:]]


def _describe_status(status):
    return '%s; last log line: %s' % (status.get('DeploymentStatus'), (log_lines(status, 1) or ['none'])[0])


def conflict_lines(conflicts):
    lines = []
    for conflict in conflicts:
        line = conflict.get('Message') or 'conflict'
        module_conflict = conflict.get('ModuleConflict') or {}
        if module_conflict.get('ConflictType'):
            line += ' (%s)' % module_conflict['ConflictType']
        lines.append(line)
    return lines


class DeploymentRun:
    """One deployment plan being started and followed to its end."""

    def __init__(self, task, key, target, label=None):
        self.task = task
        self.client = task.client
        self.key = key
        self.target = target
        # Used mid-sentence; _sentence() capitalises it at the start of one.
        self.label = label or 'deployment plan %s to %s' % (key, target.get('Name'))
        self.params = task.params
        self.status = None
        self.tail = LogTail(self._report)
        self.clock = time.monotonic
        self.began = self.clock()
        self._continued_at = None

    # -- reporting --------------------------------------------------------------------------------

    def _report(self, entry):
        instant = str(entry.get('Instant', ''))
        stamp = instant[11:19] if len(instant) >= 19 else instant
        self.task.progress('[%s %s] %s' % (self.key[:8], stamp, entry.get('Message', '')))

    def attach(self, status):
        """Follow a plan from a status already read: its log so far is reported once, then only new lines."""
        self.status = status
        self.tail.feed(status)

    def fetch_status(self):
        self.status = self.client.get_deployment_status(self.key)
        self.tail.feed(self.status)
        return self.status

    def state(self):
        return (self.status or {}).get('DeploymentStatus')

    def info(self):
        return (self.status or {}).get('Info') or ''

    def result(self):
        """The fields every deploying module returns about the plan."""
        return dict(
            deployment_key=self.key,
            deployment_status=self.state(),
            info=self.info(),
            log=snake((self.status or {}).get('DeploymentLog') or []),
            duration=round(self.clock() - self.began, 3),
        )

    @property
    def title(self):
        """The label at the start of a sentence."""
        return self.label[0].upper() + self.label[1:]

    def failure(self, message):
        return LifeTimeError(message, **self.result())

    def _remaining(self, timeout):
        return max(0.0, timeout - (self.clock() - self.began))

    # -- starting ---------------------------------------------------------------------------------

    def start(self):
        """Start the saved plan; while another plan runs on the target, wait for it (up to queue_timeout)."""
        queue_deadline = self.clock() + self.params['queue_timeout']
        while True:
            try:
                self._command('start')
                self.task.progress('%s started.' % self.title)
                return
            except LifeTimeInvalidStateError as exc:
                blocker = self.find_blocker()
                if blocker is None:
                    raise
                self.wait_for_blocker(blocker, queue_deadline, exc)

    def _command(self, command):
        params = {}
        if command == 'start':
            params = dict(redeploy_outdated=self.params['redeploy_outdated'],
                          continue_with_errors=True if self.params['continue_with_errors'] else None)
        try:
            self.client.deployment_command(self.key, command, **params)
        except LifeTimeAPIError as exc:
            if not exc.ambiguous:
                raise
            # The answer was lost: look before sending it again, as LifeTime may have carried it out.
            before = self.state()
            now = self.fetch_status()['DeploymentStatus']
            if now != before and now != SAVED:
                return
            self.client.deployment_command(self.key, command, **params)

    def find_blocker(self):
        """The plan that keeps this one from starting: another plan running (or paused, or aborting) on the target."""
        for deployment in self.client.list_deployments(target_env_key=self.target['Key']):
            if deployment.get('Key') == self.key or not started(deployment):
                continue
            status = self.client.get_deployment_status(deployment['Key'])
            if status.get('DeploymentStatus') in ACTIVE:
                return dict(deployment, Status=status)
        return None

    def wait_for_blocker(self, blocker, deadline, refused):
        key = blocker['Key']
        describe = '%s (%s)' % (key, blocker['Status'].get('DeploymentStatus'))
        self.task.progress('%s is queued: deployment plan %s runs on %s; waiting for it to finish.'
                           % (self.title, describe, self.target.get('Name')))
        remaining = max(0.0, deadline - self.clock())
        if remaining <= 0:
            raise self.failure('%s could not start within queue_timeout (%d s): deployment plan %s is still %s on %s.'
                               % (self.title, self.params['queue_timeout'], key, blocker['Status'].get('DeploymentStatus'),
                                  self.target.get('Name')))
        waiter = Waiter(fetch=lambda: self.client.get_deployment_status(key),
                        done=lambda status: status.get('DeploymentStatus') not in ACTIVE,
                        timeout=remaining, what='deployment plan %s on %s to finish' % (key, self.target.get('Name')),
                        describe=lambda status: status.get('DeploymentStatus'))
        try:
            waiter.wait(initial_state=blocker['Status'])
        except LifeTimeTimeoutError as exc:
            raise self.failure('%s could not start within queue_timeout (%d s): deployment plan %s is still %s on %s.'
                               % (self.title, self.params['queue_timeout'], key, (exc.details.get('last_state') or {}).get('DeploymentStatus'),
                                  self.target.get('Name')))

    # -- waiting ----------------------------------------------------------------------------------

    def wait(self, resume=False):
        """Follow the plan until it ends, or pauses for the user and the task says to stop there.

        ``resume``: the plan was already waiting for the user when this task began — running the
        task again is the go-ahead (unless on_user_intervention is fail, or LifeTime needs configuration).
        """
        policy = self.params['on_user_intervention']
        while True:
            if self.state() != NEEDS_USER_INTERVENTION:
                self._wait_settled()
            if self.state() != NEEDS_USER_INTERVENTION:
                return self.status
            info = self.info()
            reason = INTERVENTION_REASONS.get(info, 'LifeTime waits for a user (Info %r)' % info)
            if info == NEEDS_CONFIGURATION:
                raise self.failure(
                    '%s needs user intervention on %s: %s (Info %s). Continuing would not fix it: map the database connections of the '
                    'applications for %s in LifeTime, then continue the plan there, or run this task again.'
                    % (self.title, self.target.get('Name'), reason, info, self.target.get('Name')))
            go_ahead = policy == 'continue' or (resume and policy == 'stop')
            if not go_ahead:
                if policy == 'stop':
                    self.task.progress('%s stopped: %s (Info %s).' % (self.title, reason, info))
                    return self.status
                raise self.failure(
                    '%s needs user intervention on %s: %s (Info %s). Continue it in LifeTime, or run the task with '
                    'on_user_intervention: continue (or stop, to return here and continue with a later run).'
                    % (self.title, self.target.get('Name'), reason, info))
            self.task.progress('%s: %s (Info %s); sending continue.' % (self.title, reason, info))
            self._command('continue')
            resume = False
            self._continued_at = (info, len(self.status.get('DeploymentLog') or []))
            self.status = dict(self.status, DeploymentStatus=RUNNING)

    def _settled(self, status):
        if status.get('DeploymentStatus') not in SETTLED:
            return False
        if status.get('DeploymentStatus') == NEEDS_USER_INTERVENTION and self._continued_at:
            # Until LifeTime acts on our continue it still shows the same pause: do not answer it twice.
            info, length = self._continued_at
            if status.get('Info') == info and len(status.get('DeploymentLog') or []) <= length:
                return False
        return True

    def _wait_settled(self):
        waiter = Waiter(fetch=self.fetch_status, done=self._settled,
                        timeout=self._remaining(self.params['wait_timeout']), what=self.label,
                        describe=_describe_status)
        try:
            waiter.wait()
        except LifeTimeTimeoutError as exc:
            raise LifeTimeError('%s Nothing was aborted: the deployment goes on in LifeTime.' % exc.message, **self.result())

    def outcome(self):
        """The result for a settled plan, or the failure for one that ended badly."""
        state = self.state()
        if state in FAILED:
            lines = log_lines(self.status)
            raise self.failure('%s ended %s. Last log lines: %s' % (self.title, state, ' | '.join(lines) if lines else 'none'))
        result = self.result()
        if state == FINISHED_WITH_WARNINGS:
            entries = [line for line in log_lines(self.status, 1000) if 'warn' in line.lower()] or log_lines(self.status, 5)
            result['warnings'] = ['%s finished with warnings: %s' % (self.title, line) for line in entries]
        return result

    # -- aborting ---------------------------------------------------------------------------------

    def abort(self):
        """Abort a running (or paused) plan and wait until LifeTime says it is aborted."""
        self._command('abort')
        self.task.progress('%s: abort sent.' % self.title)
        self.status = dict(self.status or {}, DeploymentStatus=ABORTING)
        waiter = Waiter(fetch=self.fetch_status, done=lambda status: status.get('DeploymentStatus') not in (RUNNING, ABORTING),
                        timeout=self._remaining(self.params['wait_timeout']), what='%s to abort' % self.label,
                        describe=lambda status: status.get('DeploymentStatus'))
        try:
            waiter.wait()
        except LifeTimeTimeoutError as exc:
            raise LifeTimeError(exc.message, **self.result())
        return self.status


def check_conflicts(task, details, plan_key, created):
    """Fail on ApplicationConflicts unless allowed; a plan this task created is deleted first."""
    conflicts = details.get('ApplicationConflicts') or []
    if not conflicts or task.params['allow_conflicts']:
        return conflicts
    lines = conflict_lines(conflicts)
    if created:
        task.client.delete_deployment(plan_key)
        fate = 'The plan was deleted.'
    else:
        fate = 'The plan was left as it was (this task did not create it).'
    raise LifeTimeError('Deployment plan %s has %d conflict(s): %s. %s Solve them, or set allow_conflicts: true to deploy anyway.'
                        % (plan_key, len(conflicts), '; '.join(lines), fate),
                        conflicts=snake(conflicts), deployment_key=None if created else plan_key)
