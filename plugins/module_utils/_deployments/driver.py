# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the one plan driver.

Whatever the plan's origin — matched by its versions (lifetime_deployment), given
by key, or created from an uploaded package (lifetime_binary_publish) — ``drive``
takes it from where it is to the state the task wants: present (saved), started,
deployed, aborted or absent, with check mode, queueing, user interventions and the
log. The origin answers the questions only it can answer (``Origin`` below).

Two runs at once (two AWX jobs, two pipelines) end in one plan and two successes:
after creating, a run reads the equivalent plans again and every run agrees on
the same winner (the running one, else the one LifeTime created first, then the
smallest key); a loser deletes its own still-saved plan and follows the winner.
A plan that another run started at the same moment is followed, not an error,
and a plan queued behind an equivalent running plan follows that one instead of
deploying the same versions twice. A saved plan this run found but did not create
may be deleted before this run starts it (its creator lost the agreement above):
the run then reads the equivalent plans again and follows the winner, or creates
the plan when none is left.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.blocking import blocked_error
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.runner import DeploymentRun
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ACTIVE,
    FAILED,
    NEEDS_USER_INTERVENTION,
    RUNNING,
    SAVED,
    SUCCEEDED,
    conflict_lines,
    log_lines,
    state_of,
    winner,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeInvalidStateError,
    LifeTimeNotFoundError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake

WANTED = ('present', 'started', 'deployed', 'aborted', 'absent')
# How many times a run looks again for the plan to follow when the saved plan it found is deleted under it.
REJOINS = 3


class Origin:
    """Where a plan comes from. The driver asks it what only it knows; these defaults fit a plan given by key."""

    #: What creating the plan means, for check mode ("create a deployment plan from A to B (...)"); None: it cannot be created.
    creation = None
    #: What the plan carries, for messages.
    what = ''

    def create(self):
        """Send the write that creates the plan; return its key (lost answers are the origin's to recover)."""
        raise NotImplementedError

    def prepare(self, key, created):
        """Check a plan before it is started (conflicts...); return extra result fields."""
        return {}

    def redundant(self, key):
        """Right after creating: a result when the new plan turns out to have nothing to do (the origin removed it), else None."""
        return None

    def blocked_applications(self, key=None):
        """(name, reason) of each application of the plan (``key`` once it exists) blocked from deployment to the target."""
        return []

    def rivals(self):
        """After creating: (plan, status) of every usable plan equivalent to the one created, read again."""
        return []

    def is_equivalent(self, plan):
        """Whether a plan from the target's list deploys the same thing as this one."""
        return False

    def label(self, key):
        return None


def check_conflicts(task, details, key, created):
    """Fail on ApplicationConflicts unless allowed; a plan this run created is deleted first. Returns the conflicts."""
    conflicts = details.get('ApplicationConflicts') or []
    if not conflicts or task.params['allow_conflicts']:
        return conflicts
    if created:
        task.client.delete_deployment(key)
        fate = 'The plan was deleted.'
    else:
        fate = 'The plan was left as it was (this task did not create it).'
    raise LifeTimeError('Deployment plan %s has %d conflict(s): %s. %s Solve them, or set allow_conflicts: true to deploy anyway.'
                        % (key, len(conflicts), '; '.join(conflict_lines(conflicts)), fate),
                        conflicts=snake(conflicts), deployment_key=None if created else key)


def drive(task, target, origin, wanted, plan=None, status=None):
    """Take a plan (``plan`` and its ``status``, or none yet) to ``wanted``; the result fields with changed and msg."""
    run = DeploymentRun(task, plan['Key'], target, label=origin.label(plan['Key'])) if plan else None
    if run is not None:
        run.attach(status)
    if wanted in ('absent', 'aborted'):
        return _remove(task, run, wanted)
    return _Drive(task, target, origin, wanted, run).go()


class _Drive:
    """present, started or deployed: the steps in order, each a short method."""

    def __init__(self, task, target, origin, wanted, run):
        self.task = task
        self.target = target
        self.origin = origin
        self.wanted = wanted
        self.run = run
        self.created = False
        self.fields = {}

    def go(self):
        if self.run is None:
            if self.task.check_mode:
                return self._would('%s%s' % (self.origin.creation, '' if self.wanted == 'present' else ' and start it'))
            redundant = self._create()
            if redundant is not None:
                return redundant
        current = self.run.state()
        if current in SUCCEEDED:
            return dict(self.run.result(), changed=False, msg='%s is %s.' % (self.run.title, current))
        if current in FAILED or current not in (SAVED, RUNNING, NEEDS_USER_INTERVENTION):
            lines = log_lines(self.run.status)
            raise self.run.failure('%s is %s: it cannot be deployed again; create a new plan. Last log lines: %s'
                                   % (self.run.title, current, ' | '.join(lines) if lines else 'none'))
        if self.task.check_mode:
            return self._check_existing(current)
        return self._advance_or_rejoin(current)

    def _advance_or_rejoin(self, current):
        for dummy in range(REJOINS):
            try:
                return self._advance(current)
            except LifeTimeNotFoundError:
                if self.created or self.origin.creation is None or not self._vanished():
                    raise
            redundant = self._rejoin()
            if redundant is not None:
                return redundant
            current = self.run.state()
        return self._advance(current)

    def _vanished(self):
        """Whether the plan this run was about to use no longer exists (LifeTime answers 404 for it)."""
        try:
            self.run.fetch_status()
        except LifeTimeNotFoundError:
            return True
        return False

    def _rejoin(self):
        """The saved plan found was deleted before this run started it: follow the equivalent plan that won, or create one."""
        gone = self.run.key
        # What was read of the deleted plan (its conflicts) is not the next plan's.
        self.fields = {}
        rivals = self.origin.rivals()
        if rivals:
            plan, status = winner(rivals)
            self.task.progress('Deployment plan %s was deleted before this run started it (another run made the same plan at the same '
                               'moment): following %s.' % (gone, plan['Key']))
            self._follow(plan, status)
            return None
        self.task.progress('Deployment plan %s was deleted before this run started it, and no other plan carries the same: creating one.'
                           % gone)
        self.run = None
        return self._create()

    def _advance(self, current):
        """From saved, running or paused to the wanted state, for real."""
        startable = self.created or current == SAVED
        if startable:
            self.fields.update(self.origin.prepare(self.run.key, self.created))
        if self.wanted == 'present':
            self.run.fetch_status()
            return self._result(self.created, '%s is saved' % self.run.title)
        if startable:
            self._start()
        if self.wanted == 'started':
            self.run.fetch_status()
            return self._result(startable, '%s is %s' % (self.run.title, self.run.state()))
        self.run.wait(resume=current == NEEDS_USER_INTERVENTION)
        outcome = self.run.outcome()
        outcome.update(self.fields, changed=True)
        if self.run.state() == NEEDS_USER_INTERVENTION:
            outcome['msg'] = '%s waits for the user (Info %s): run the task again to continue it.' % (self.run.title, self.run.info())
        else:
            outcome['msg'] = self._sentence('%s %s' % (self.run.title, self.run.state()))
        return outcome

    # -- creating, and agreeing with concurrent runs on one plan ----------------------------------

    def _create(self):
        key = self.origin.create()
        redundant = self.origin.redundant(key)
        if redundant is not None:
            return redundant
        self.created = True
        self.run = DeploymentRun(self.task, key, self.target, label=self.origin.label(key))
        rivals = self.origin.rivals()
        own = next((item for item in rivals if same_key(item[0]['Key'], key)), None)
        if own is not None:
            self.run.attach(own[1])
        if len(rivals) > 1 or (rivals and own is None):
            self._converge(rivals)
        if self.run.status is None:
            self.run.fetch_status()
        return None

    def _converge(self, rivals):
        chosen = winner(rivals)
        own = self.run.key
        if same_key(chosen[0]['Key'], own):
            return
        try:
            self.task.client.delete_deployment(own)
        except LifeTimeInvalidStateError:
            # Not saved any more: another run adopted ours and started it. Ours is the one to follow.
            return
        self.task.progress('Another run created deployment plan %s with the same content at the same moment: deleted ours (%s) '
                           'and following %s.' % (chosen[0]['Key'], own, chosen[0]['Key']))
        self._follow(*chosen)

    def _follow(self, plan, status):
        """Follow another plan instead of ours; it was not created by this run."""
        self.created = False
        self.run = DeploymentRun(self.task, plan['Key'], self.target, label=self.origin.label(plan['Key']))
        self.run.attach(status)

    def _refuse_blocked(self, fate, **details):
        blocked = self.origin.blocked_applications(self.run.key if self.run else None)
        if blocked:
            raise blocked_error(blocked, self.target, fate, **details)

    def _start(self):
        try:
            equivalent = self.run.start(equivalent=self.origin.is_equivalent)
        except LifeTimeInvalidStateError:
            if self.created and self.origin.blocked_applications(self.run.key):
                self.task.client.delete_deployment(self.run.key)
                self._refuse_blocked('LifeTime refused to start the plan; it was deleted.', deployment_key=None)
            self._refuse_blocked('LifeTime refused to start the plan; it was left saved (this task did not create it).', **self.run.result())
            raise
        if equivalent is None:
            return
        own = self.run.key
        if self.created:
            self.task.client.delete_deployment(own)
        self.task.progress('Deployment plan %s, which deploys the same, is %s on %s: %sfollowing it instead.'
                           % (equivalent['Key'], state_of(equivalent['Status']), self.target.get('Name'),
                              'deleted ours (%s) and ' % own if self.created else ''))
        self._follow(equivalent, equivalent['Status'])

    # -- results ----------------------------------------------------------------------------------

    def _sentence(self, text):
        return '%s%s.' % (text, ': %s' % self.origin.what if self.origin.what else '')

    def _result(self, changed, text):
        return dict(self.run.result(), changed=changed, msg=self._sentence(text), **self.fields)

    def _would(self, action):
        waits = ', and wait for it to finish' if self.wanted == 'deployed' else ''
        return dict(changed=True, deployment_key=None, deployment_status=None, msg='Check mode: would %s%s.' % (action, waits))

    def _check_existing(self, current):
        run = self.run
        if current == SAVED and self.wanted != 'present':
            result = self._would('start the saved %s' % self._with_what(run.label))
        elif current == SAVED:
            result = dict(changed=False, msg='%s is saved.' % self._with_what(run.title))
        else:
            result = self._would('wait for the %s %s' % (current, self._with_what(run.label))) if self.wanted == 'deployed' else dict(
                changed=False, msg='%s is %s.' % (self._with_what(run.title), current))
        result.update(run.result())
        return result

    def _with_what(self, label):
        return '%s (%s)' % (label, self.origin.what) if self.origin.what else label


def _remove(task, run, wanted):
    """Delete a saved plan (absent) or abort a running or paused one (aborted)."""
    if run is None:
        kind = 'saved' if wanted == 'absent' else 'running'
        return dict(changed=False, deployment_key=None, deployment_status=None, msg='No %s deployment plan carries these versions.' % kind)
    current = run.state()
    if wanted == 'absent':
        if current != SAVED:
            raise LifeTimeError('%s is %s: LifeTime deletes only saved plans.%s'
                                % (run.title, current, ' Abort it first (state: aborted).' if current in ACTIVE else ''), **run.result())
        if not task.check_mode:
            task.client.delete_deployment(run.key)
        return dict(run.result(), changed=True, deployment_status=None,
                    msg='%s the saved deployment plan %s.' % ('Check mode: would delete' if task.check_mode else 'Deleted', run.key))
    if current not in (RUNNING, NEEDS_USER_INTERVENTION):
        return dict(run.result(), changed=False, msg='%s is %s: nothing to abort.' % (run.title, current))
    if task.check_mode:
        return dict(run.result(), changed=True, msg='Check mode: would abort %s (%s).' % (run.label, current))
    run.abort()
    return dict(run.result(), changed=True, msg='%s aborted.' % run.title)
