# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: one deployment plan followed through LifeTime's commands.

A DeploymentRun sends start, continue and abort to one plan, waits in a queue
while another plan runs on the same target, follows the plan to a settled status
while reporting each new DeploymentLog line, answers user interventions as the
task asks, and turns the end into a result or a failure carrying the last status
and log. It never aborts a deployment on its own: a timeout leaves the plan as
LifeTime has it. Which command to send when is the driver's business (driver.py).
"""

import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.database_mappings import map_missing
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ABORTED,
    ABORTING,
    ACTIVE,
    FAILED,
    FINISHED_WITH_WARNINGS,
    NEEDS_CONFIGURATION,
    NEEDS_USER_INTERVENTION,
    RUNNING,
    SAVED,
    SETTLED,
    LogTail,
    describe_status,
    intervention_reason,
    log_excerpt,
    log_lines,
    started,
    state_of,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeInvalidStateError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._waiter import Waiter
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

ON_USER_INTERVENTION = ('fail', 'continue', 'stop')

# The wait options every deploying module shares (merged into their argument specs; doc fragment deployment_wait).
WAIT_ARGUMENT_SPEC = dict(
    redeploy_outdated=dict(type='bool', default=True),
    continue_with_errors=dict(type='bool', default=False),
    allow_conflicts=dict(type='bool', default=False),
    on_user_intervention=dict(type='str', default='fail', choices=list(ON_USER_INTERVENTION)),
    wait_timeout=dict(type='int', default=3600),
    queue_timeout=dict(type='int', default=1800),
)


def check_wait_options(params):
    """Fail, before anything is sent, on wait options no wait can honour."""
    for name in ('wait_timeout', 'queue_timeout'):
        if params.get(name) is not None and params[name] < 0:
            raise LifeTimeUsageError('%s must be 0 or more seconds, not %d.' % (name, params[name]), parameter=name)


class DeploymentRun:
    """One deployment plan being started and followed to its end."""

    def __init__(self, task, key, target, label=None):
        self.task = task
        self.client = task.client
        self.key = key
        self.target = target
        # Used mid-sentence; ``title`` capitalises it at the start of one.
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
        """Follow the plan from a status already read: its log so far is reported once, then only new lines."""
        self.status = status
        self.tail.feed(status)

    def fetch_status(self):
        self.status = self.client.get_deployment_status(self.key)
        self.tail.feed(self.status)
        return self.status

    def state(self):
        return state_of(self.status)

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

    # -- commands ---------------------------------------------------------------------------------

    def command(self, command):
        """Send a command; when its answer is lost, the plan's status says whether LifeTime acted on it."""
        params = {}
        if command == 'start':
            params = dict(redeploy_outdated=self.params['redeploy_outdated'],
                          continue_with_errors=True if self.params['continue_with_errors'] else None)
        before = self.state()

        def acted_on():
            now = state_of(self.fetch_status())
            return True if now not in (before, SAVED) else None

        send_once(lambda: self.client.deployment_command(self.key, command, **params), acted_on,
                  'the %s command for deployment plan %s' % (command, self.key), resend=True)

    def start(self, equivalent=None):
        """Start the saved plan, waiting in the queue while another plan runs on the target (up to queue_timeout).

        Returns None once the plan runs, started by this run or, at the same moment, by another run.
        When the plan that keeps this one waiting is ``equivalent`` (it deploys the same versions),
        returns that plan instead of queueing behind it.
        """
        queue_deadline = self.clock() + self.params['queue_timeout']
        while True:
            try:
                self.command('start')
                self.task.progress('%s started.' % self.title)
                return None
            except LifeTimeInvalidStateError:
                if state_of(self.fetch_status()) != SAVED:
                    self.task.progress('%s was started by another run at the same moment (%s): following it.' % (self.title, self.state()))
                    return None
                blocker = self.find_blocker()
                if blocker is None:
                    raise
                if equivalent is not None and equivalent(blocker):
                    return blocker
                self.wait_for_blocker(blocker, queue_deadline)

    def find_blocker(self):
        """The plan that keeps this one from starting: another plan running (or paused, or aborting) on the target."""
        for deployment in self.client.list_deployments(target_env_key=self.target['Key']):
            if deployment.get('Key') == self.key or not started(deployment):
                continue
            status = self.client.get_deployment_status(deployment['Key'])
            if state_of(status) in ACTIVE:
                return dict(deployment, Status=status)
        return None

    def wait_for_blocker(self, blocker, deadline):
        key = blocker['Key']
        where = self.target.get('Name')
        self.task.progress('%s is queued: deployment plan %s (%s) runs on %s; waiting for it to finish.'
                           % (self.title, key, state_of(blocker['Status']), where))

        def still_running(state, dummy_seconds):
            return ('%s could not start within queue_timeout (%d s): deployment plan %s is still %s on %s.'
                    % (self.title, self.params['queue_timeout'], key, state_of(state), where))

        Waiter(fetch=lambda: self.client.get_deployment_status(key), done=lambda status: state_of(status) not in ACTIVE,
               timeout=max(0.0, deadline - self.clock()), timeout_message=still_running, details=self.result,
               what='deployment plan %s on %s to finish' % (key, where)).wait(initial_state=blocker['Status'])

    # -- waiting ----------------------------------------------------------------------------------

    def wait(self, resume=False):
        """Follow the plan until it ends, or pauses for the user and the task says to stop there.

        ``resume``: the plan was already waiting for the user when this task began — running the
        task again is the go-ahead (unless on_user_intervention is fail, or LifeTime needs configuration).
        """
        while True:
            if self.state() != NEEDS_USER_INTERVENTION:
                self._wait_settled()
            if self.state() != NEEDS_USER_INTERVENTION:
                return self.status
            if not self._answer_intervention(resume):
                return self.status
            resume = False

    def _answer_intervention(self, resume):
        """Continue the paused plan when the task says so; False to stop here; a failure otherwise.

        Missing database mappings are the one pause a plain continue does not fix: they are mapped from
        database_mappings first, or the task fails. When LifeTime refuses the mapping or the continue, the plan's
        status is read again and followed if it left the pause (LifeTime may resume a plan by itself once it is
        configured; another run or a user may answer the pause at the same moment); continue is never sent twice
        for one pause.
        """
        info = self.info()
        if info == NEEDS_CONFIGURATION:
            self._check_mappings_given()
        elif not self._continues(resume):
            return False
        paused = self.status
        try:
            if info == NEEDS_CONFIGURATION and not map_missing(self, self.params['database_mappings']):
                self.task.progress('%s left its pause before this run mapped anything (%s now); following it.' % (self.title, self.state()))
                return True
            self.task.progress('%s: %s (Info %s); sending continue.' % (self.title, intervention_reason(info), info))
            self.command('continue')
        except LifeTimeInvalidStateError:
            if not self.moved_on(paused):
                raise
            self.task.progress('%s: LifeTime refused the command because the plan is %s now; following it.' % (self.title, self.state()))
        else:
            self.status = dict(self.status, DeploymentStatus=RUNNING)
        # Until LifeTime acts on the continue it may still show this pause: _settled does not take it for a new one.
        self._continued_at = (info, len(paused.get('DeploymentLog') or []))
        return True

    def _check_mappings_given(self):
        """A pause for missing database mappings fails the task when it gives none."""
        if not self.params.get('database_mappings'):
            where = self.target.get('Name')
            raise self.failure(
                '%s needs user intervention on %s: %s (Info %s). Continuing would not fix it: give database_mappings, or map the '
                'database connections of the applications for %s in LifeTime and continue the plan there, or run this task again.'
                % (self.title, where, intervention_reason(self.info()), self.info(), where))

    def _continues(self, resume):
        """Whether on_user_intervention says to continue this pause; False to stop here; a failure for fail."""
        policy = self.params['on_user_intervention']
        if policy == 'continue' or (resume and policy == 'stop'):
            return True
        info = self.info()
        reason = intervention_reason(info)
        if policy == 'stop':
            self.task.progress('%s stopped: %s (Info %s).' % (self.title, reason, info))
            return False
        raise self.failure(
            '%s needs user intervention on %s: %s (Info %s). Continue it in LifeTime, or run the task with '
            'on_user_intervention: continue (or stop, to return here and continue with a later run).'
            % (self.title, self.target.get('Name'), reason, info))

    def moved_on(self, paused):
        """After LifeTime refused a command for the pause ``paused``: read the plan again; True when it left that pause.

        A plan that still waits for the user with the same Info is the same pause, whatever its log says
        (a configuration may add a line): the refusal stands. Another Info is another pause, answered anew.
        """
        status = self.fetch_status()
        return state_of(status) != NEEDS_USER_INTERVENTION or status.get('Info') != paused.get('Info')

    def _settled(self, status):
        if state_of(status) not in SETTLED:
            return False
        if state_of(status) == NEEDS_USER_INTERVENTION and self._continued_at:
            # Until LifeTime acts on our continue it still shows the same pause: do not answer it twice.
            info, length = self._continued_at
            if status.get('Info') == info and len(status.get('DeploymentLog') or []) <= length:
                return False
        return True

    def _wait_settled(self):
        Waiter(fetch=self.fetch_status, done=self._settled, timeout=self._remaining(self.params['wait_timeout']), what=self.label,
               describe=describe_status, hint='Nothing was aborted: the deployment goes on in LifeTime.', details=self.result).wait()

    def outcome(self):
        """The result for a settled plan, or the failure for one that ended badly."""
        state = self.state()
        if state in FAILED:
            # A short message: the log was reported line by line as it grew, and the result keeps it whole.
            raise self.failure('%s ended %s. %s' % (self.title, state, log_excerpt(self.status)))
        result = self.result()
        if state == FINISHED_WITH_WARNINGS:
            entries = [line for line in log_lines(self.status, 1000) if 'warn' in line.lower()] or log_lines(self.status, 5)
            result['warnings'] = ['%s finished with warnings: %s' % (self.title, line) for line in entries]
        return result

    # -- aborting ---------------------------------------------------------------------------------

    def abort(self):
        """Abort a running (or paused) plan and wait until LifeTime says it is aborted.

        When LifeTime refuses the abort because the plan is already aborting (another run, or a user, aborted it
        at the same moment), that abort is followed instead.
        """
        try:
            self.command('abort')
            self.task.progress('%s: abort sent.' % self.title)
            self.status = dict(self.status or {}, DeploymentStatus=ABORTING)
        except LifeTimeInvalidStateError:
            if state_of(self.fetch_status()) not in (ABORTING, ABORTED):
                raise
            self.task.progress('%s is %s already (aborted at the same moment elsewhere); following it.' % (self.title, self.state()))
        Waiter(fetch=self.fetch_status, done=lambda status: state_of(status) not in (RUNNING, ABORTING),
               timeout=self._remaining(self.params['wait_timeout']), what='%s to abort' % self.label,
               describe=state_of, details=self.result).wait()
        return self.status
