# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_binary_publish does.

An application package (.oap) or solution package (.osp), possibly from another
LifeTime infrastructure, is uploaded to a target environment as a new
deployment plan (seed 003), checked for conflicts, and started and followed
with the same DeploymentRun as lifetime_deployment.

Idempotency rests on the package's sha256, computed (streamed) before any
upload and written into the notes of the plan the upload creates as
``[outsystems.lifetime package sha256=<hex>]``. The target's recent plans (one
list call) tell what became of an earlier publication of the same bytes.
"""

import os
import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_package, file_sha256, mib
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployment import (
    ACTIVE,
    NEEDS_USER_INTERVENTION,
    SAVED,
    SUCCEEDED,
    DeploymentRun,
    check_conflicts,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployment_plan import History
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key

MARKER = '[outsystems.lifetime package sha256=%s]'
# Fields under which an ApplicationsToDeploy entry may name the version it brings (the reference shows none).
VERSION_KEY_FIELDS = ('ApplicationVersionKey', 'VersionKey', 'BaseApplicationVersionKey')


class Publication:
    """One run of lifetime_binary_publish: the checked file, the target and its deployment history."""

    def __init__(self, task):
        self.task = task
        self.client = task.client
        self.began = time.monotonic()
        self.path, self.size = check_package(task.params['src'])
        self.target = task.resolver.environment(task.params['target_environment'], 'target_environment')
        self.history = History(self.client, self.target)
        self.checksum = None
        self.name = os.path.basename(self.path)
        self._details = {}

    def details(self, key):
        """A plan's details (what it deploys, its conflicts), read once per plan."""
        if key not in self._details:
            self._details[key] = self.client.get_deployment(key)
        return self._details[key]

    @property
    def marker(self):
        return MARKER % self.checksum

    def hash(self):
        started = time.monotonic()
        self.checksum = file_sha256(self.path)
        self.task.progress('%s: %.1f MiB, sha256 %s (%.1f s).' % (self.name, mib(self.size), self.checksum, time.monotonic() - started))

    def label(self, key):
        return 'deployment plan %s (%s) to %s' % (key, self.name, self.target['Name'])

    def result(self, details=None, run=None, **extra):
        details = details or {}
        result = dict(
            src=self.path, checksum=self.checksum, size=self.size, target_environment=self.target['Name'],
            deployment_key=None, deployment_status=None, info='', log=[],
            applications_to_deploy=snake(details.get('ApplicationsToDeploy') or []),
            applications_to_redeploy=snake(details.get('ApplicationsToRedeploy') or []),
            modules_to_delete=snake(details.get('ModulesToDelete') or []),
            conflicts=snake(details.get('ApplicationConflicts') or []),
        )
        if run is not None:
            result.update(run.result())
        result.update(extra)
        result['duration'] = round(time.monotonic() - self.began, 3)
        return result

    # -- what became of earlier publications of these bytes ---------------------------------------

    def records(self):
        """Plans of the target whose notes carry this package's marker, newest first."""
        plans = [plan for plan in self.history.plans() if self.marker in (plan.get('Notes') or '')]
        return sorted(plans, key=lambda plan: str(plan.get('CreatedOn') or ''), reverse=True)

    def package_applications(self, details):
        return [entry.get('ApplicationKey') for entry in details.get('ApplicationsToDeploy') or [] if entry.get('ApplicationKey')]

    def changed_since(self, record, app_keys):
        """Why the target may no longer run what ``record`` deployed: a reason, or None when it still does."""
        for app_key in app_keys:
            application = self.task.resolver.application_by_key(app_key)
            if application is None or self.task.resolver.status_in(application, self.target) is None:
                return 'application %s no longer runs in %s' % (app_key if application is None else application.get('Name'),
                                                                self.target['Name'])
        record_created = str(record.get('CreatedOn') or '')
        for plan in self.history.plans():
            if plan['Key'] == record['Key'] or str(plan.get('CreatedOn') or '') < record_created:
                continue
            if self.history.status(plan).get('DeploymentStatus') not in SUCCEEDED:
                continue
            touched = [op.get('ApplicationKey') for op in plan.get('ApplicationOperations') or []]
            if not touched:
                # A binary plan lists what it deployed in its details only.
                touched = self.package_applications(self.details(plan['Key']))
            if any(same_key(left, right) for left in touched for right in app_keys):
                return 'deployment plan %s changed its applications in %s afterwards' % (plan['Key'], self.target['Name'])
        return None

    def already_running(self, details):
        """True when LifeTime's plan details name, for every application, the version the target already runs.

        The reference lists only ApplicationKey, ApplicationName and IsNew; this applies when LifeTime adds the version.
        """
        entries = details.get('ApplicationsToDeploy') or []
        if not entries or any(entry.get('IsNew') for entry in entries):
            return False
        for entry in entries:
            version_key = next((entry.get(field) for field in VERSION_KEY_FIELDS if entry.get(field)), None)
            application = self.task.resolver.application_by_key(entry.get('ApplicationKey'))
            status = self.task.resolver.status_in(application, self.target) if application else None
            if not version_key or not status or status.get('IsModified') or not same_key(status.get('BaseApplicationVersionKey'), version_key):
                return False
        return True

    # -- writing ----------------------------------------------------------------------------------

    def upload(self):
        """POST the package; when the answer is lost, adopt the one new binary plan LifeTime shows, if there is exactly one."""
        known = set(plan['Key'] for plan in self.history.plans())
        self.task.progress('Uploading %s (%.1f MiB) to %s.' % (self.name, mib(self.size), self.target['Name']))
        started = time.monotonic()
        try:
            key, sent_checksum, sent = self.client.deploy_binary(self.target['Key'], self.path)
        except LifeTimeAPIError as exc:
            if not exc.ambiguous:
                raise
            return self._find_lost_upload(exc, known)
        seconds = max(time.monotonic() - started, 1e-6)
        self.task.progress('Uploaded %.1f MiB in %.1f s (%.0f MiB/s): deployment plan %s.' % (mib(sent), seconds, mib(sent) / seconds, key))
        if sent_checksum != self.checksum:
            self.task.warn('src %s changed while the task ran: its sha256 was %s, the bytes uploaded have %s.'
                           % (self.path, self.checksum, sent_checksum))
            self.checksum = sent_checksum
        return key

    def _find_lost_upload(self, lost, known):
        try:
            fresh = [plan for plan in self.history.plans(refresh=True)
                     if plan['Key'] not in known and not plan.get('SourceEnvironmentKey')
                     and self.history.status(plan).get('DeploymentStatus') == SAVED]
        except LifeTimeAPIError as exc:
            raise LifeTimeError('LifeTime did not answer the upload of %s (%s), and listing the plans of %s failed too (%s): cannot tell '
                                'whether a plan was created. Look in LifeTime for a new saved plan to %s before running the task again.'
                                % (self.name, lost, self.target['Name'], exc, self.target['Name']))
        if len(fresh) == 1:
            self.task.progress('The answer to the upload was lost; found the plan it created: %s.' % fresh[0]['Key'])
            return fresh[0]['Key']
        if not fresh:
            raise LifeTimeError('LifeTime did not answer the upload of %s (%s), and %s has no new saved plan: nothing was created. '
                                'Run the task again.' % (self.name, lost, self.target['Name']))
        raise LifeTimeError('LifeTime did not answer the upload of %s (%s), and %s has several new saved plans: %s. Delete the ones '
                            'you do not want in LifeTime, then run the task again.'
                            % (self.name, lost, self.target['Name'], ', '.join(plan['Key'] for plan in fresh)))

    def record(self, key):
        """Write the package's marker into the notes of the plan; warn when LifeTime does not allow it."""
        try:
            self.client.update_deployment(key, {'Notes': self.marker})
        except LifeTimeAPIError as exc:
            self.task.warn('Could not record the sha256 of %s in the notes of deployment plan %s, so idempotency cannot be recorded: '
                           'publishing the same package again will upload it again, and only what LifeTime reports in the plan '
                           'details can then tell that nothing changed. LifeTime answered: %s' % (self.name, key, exc))
            return False
        return True


def _run_to_end(task, pub, key, details, resume=False, status=None):
    """Start the plan unless it already runs, wait for it, and return the outcome with the publication's fields."""
    run = DeploymentRun(task, key, pub.target, label=pub.label(key))
    if status is None:
        run.start()
    else:
        run.attach(status)
    run.wait(resume=resume)
    outcome = run.outcome()
    result = pub.result(details, run)
    result.update(outcome)
    result['duration'] = round(time.monotonic() - pub.began, 3)
    return result, run


def _existing(task, pub, record, status):
    """A plan that already carries this package: reuse it (saved or active) or report that the package is published."""
    key = record['Key']
    state = status.get('DeploymentStatus')
    details = pub.details(key)
    run = DeploymentRun(task, key, pub.target, label=pub.label(key))
    run.attach(status)
    wanted = task.params['state']
    if state in SUCCEEDED:
        return pub.result(details, run, changed=False, msg='%s is already published to %s: deployment plan %s (%s) deployed these bytes '
                          '(sha256 %s) and nothing deployed since changed its applications.'
                          % (pub.name, pub.target['Name'], key, state, pub.checksum))
    if wanted == 'present':
        return pub.result(details, run, changed=False, msg='Deployment plan %s to %s already carries %s (%s).'
                          % (key, pub.target['Name'], pub.name, state))
    if task.check_mode:
        action = 'start the saved deployment plan %s' % key if state == SAVED else 'wait for deployment plan %s (%s)' % (key, state)
        return pub.result(details, run, changed=True, msg='Check mode: would %s, which carries %s, and wait for it to finish.'
                          % (action, pub.name))
    if state == SAVED:
        task.progress('Reusing the saved deployment plan %s, which carries %s.' % (key, pub.name))
        check_conflicts(task, details, key, created=False)
        result, run = _run_to_end(task, pub, key, details)
    else:
        task.progress('Deployment plan %s, which carries %s, is %s: following it.' % (key, pub.name, state))
        result, run = _run_to_end(task, pub, key, details, resume=state == NEEDS_USER_INTERVENTION, status=status)
    result.update(changed=True, msg=_end_message(run, pub))
    return result


def _end_message(run, pub):
    if run.state() == NEEDS_USER_INTERVENTION:
        return 'Deployment plan %s of %s waits for the user (Info %s): run the task again to continue it.' % (run.key, pub.name, run.info())
    return 'Deployment plan %s of %s to %s: %s.' % (run.key, pub.name, pub.target['Name'], run.state())


def _decide(pub):
    """From the target's plans: (plan, status) to reuse or report, or None to publish anew; with the reason for the log."""
    records = pub.records()
    if not records:
        return None, None
    statuses = [(record, pub.history.status(record)) for record in records]
    for wanted in (ACTIVE, frozenset((SAVED,))):
        for record, status in statuses:
            if status.get('DeploymentStatus') in wanted:
                return record, status
    newest, status = statuses[0]
    if status.get('DeploymentStatus') not in SUCCEEDED:
        pub.task.progress('The last publication of these bytes (deployment plan %s) ended %s: publishing again.'
                          % (newest['Key'], status.get('DeploymentStatus')))
        return None, None
    reason = pub.changed_since(newest, pub.package_applications(pub.details(newest['Key'])))
    if reason:
        pub.task.progress('Deployment plan %s published these bytes, but %s: publishing again.' % (newest['Key'], reason))
        return None, None
    return newest, status


def publish(task):
    """Entry point of lifetime_binary_publish (module and action plugin)."""
    pub = Publication(task)
    pub.hash()
    record, status = _decide(pub)
    if record is not None:
        return _existing(task, pub, record, status)
    state = task.params['state']
    if task.check_mode:
        then = '' if state == 'present' else ', check it for conflicts, start it and wait for it to finish'
        return pub.result(changed=True, msg='Check mode: would upload %s (%.1f MiB, sha256 %s) to %s as a new deployment plan%s.'
                          % (pub.name, mib(pub.size), pub.checksum, pub.target['Name'], then))
    key = pub.upload()
    recorded = pub.record(key)
    details = pub.details(key)
    try:
        if pub.already_running(details):
            task.client.delete_deployment(key)
            return pub.result(details, changed=False, recorded=recorded,
                              msg='The applications of %s already run in %s: LifeTime reports for each the version the target runs. '
                                  'Deployment plan %s was deleted.' % (pub.name, pub.target['Name'], key))
        check_conflicts(task, details, key, created=True)
        if state == 'present':
            run = DeploymentRun(task, key, pub.target, label=pub.label(key))
            run.fetch_status()
            return pub.result(details, run, changed=True, recorded=recorded,
                              msg='Deployment plan %s to %s is saved with %s.' % (key, pub.target['Name'], pub.name))
        result, run = _run_to_end(task, pub, key, details)
    except LifeTimeError as exc:
        # The failure carries what was uploaded, besides the deployment's own fields.
        for field, value in pub.result(details, deployment_key=exc.details.get('deployment_key', key)).items():
            exc.details.setdefault(field, value)
        raise
    result.update(changed=True, recorded=recorded, msg=_end_message(run, pub))
    return result
