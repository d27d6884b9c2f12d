# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_binary_publish does.

An application package (.oap) or solution package (.osp), possibly from another
LifeTime infrastructure, is uploaded to a target environment as a new
deployment plan, and the driver takes that plan to the wanted state as it does
for lifetime_deployment.

Idempotency rests on the package's sha256, computed (streamed) before any
upload and written into the notes of the plan the upload creates as
``[outsystems.lifetime package sha256=<hex>]``. The target's recent plans (one
list call) tell what became of an earlier publication of the same bytes.
"""

import os
import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.blocking import blocked_in
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.driver import Origin, check_conflicts, drive
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.history import RecentPlans
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.runner import check_wait_options
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ACTIVE,
    REUSABLE,
    SAVED,
    SUCCEEDED,
    state_of,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_package, file_sha256, mib
from ansible_collections.outsystems.lifetime.plugins.module_utils._moments import created_before, creation_order
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

MARKER = '[outsystems.lifetime package sha256=%s]'
# Fields under which an ApplicationsToDeploy entry may name the version it brings (the reference shows none).
VERSION_KEY_FIELDS = ('ApplicationVersionKey', 'VersionKey', 'BaseApplicationVersionKey')


class Publication(Origin):
    """One run of lifetime_binary_publish: the checked file, the target and its deployment history; the driver's origin."""

    def __init__(self, task):
        self.task = task
        self.client = task.client
        self.began = time.monotonic()
        self.path, self.size = check_package(task.params['src'])
        self.target = task.resolver.environment(task.params['target_environment'], 'target_environment')
        self.history = RecentPlans(self.client, self.target)
        self.checksum = None
        self.name = os.path.basename(self.path)
        self._details = {}
        self.recorded = None

    def details(self, key):
        """A plan's details (what it deploys, its conflicts), read once per plan."""
        if key not in self._details:
            self._details[key] = self.client.get_deployment(key)
        return self._details[key]

    def cached_details(self, key):
        """A plan's details if they were read, else None (no request: the plan may be gone)."""
        return self._details.get(key)

    @property
    def marker(self):
        return MARKER % self.checksum

    def hash(self):
        started = time.monotonic()
        self.checksum = file_sha256(self.path)
        self.task.progress('%s: %.1f MiB, sha256 %s (%.1f s).' % (self.name, mib(self.size), self.checksum, time.monotonic() - started))

    def label(self, key):
        return 'deployment plan %s (%s) to %s' % (key, self.name, self.target['Name'])

    def result(self, details=None, **extra):
        details = details or {}
        result = dict(
            src=self.path, checksum=self.checksum, size=self.size, target_environment=self.target['Name'],
            deployment_key=None, deployment_status=None, info='', log=[],
            applications_to_deploy=snake(details.get('ApplicationsToDeploy') or []),
            applications_to_redeploy=snake(details.get('ApplicationsToRedeploy') or []),
            modules_to_delete=snake(details.get('ModulesToDelete') or []),
            conflicts=snake(details.get('ApplicationConflicts') or []),
        )
        if self.recorded is not None:
            result['recorded'] = self.recorded
        result.update(extra)
        result['duration'] = round(time.monotonic() - self.began, 3)
        return result

    # -- what became of earlier publications of these bytes ---------------------------------------

    def records(self, refresh=False):
        """Plans of the target whose notes carry this package's marker, newest first."""
        plans = [plan for plan in self.history.plans(refresh=refresh) if self.marker in (plan.get('Notes') or '')]
        return sorted(plans, key=creation_order, reverse=True)

    @staticmethod
    def package_applications(details):
        return [entry.get('ApplicationKey') for entry in details.get('ApplicationsToDeploy') or [] if entry.get('ApplicationKey')]

    def changed_since(self, record, app_keys):
        """Why the target may no longer run what ``record`` deployed: a reason, or None when it still does."""
        return self._gone(app_keys) or self._replaced(record, app_keys)

    def _gone(self, app_keys):
        resolver = self.task.resolver
        for app_key in app_keys:
            application = resolver.application_by_key(app_key)
            if application is None or resolver.status_in(application, self.target) is None:
                return 'application %s no longer runs in %s' % (app_key if application is None else application.get('Name'),
                                                                self.target['Name'])
        return None

    def _replaced(self, record, app_keys):
        """A reason when a successful plan newer than ``record`` deployed one of its applications."""
        for plan in self.history.plans():
            if plan['Key'] == record['Key'] or created_before(plan, record):
                continue
            if state_of(self.history.status_if_any(plan)) not in SUCCEEDED:
                continue
            # A binary plan lists what it deployed in its details only.
            touched = [op.get('ApplicationKey') for op in plan.get('ApplicationOperations') or []] or \
                self.package_applications(self.details(plan['Key']))
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
        resolver = self.task.resolver
        for entry in entries:
            version_key = next((entry.get(field) for field in VERSION_KEY_FIELDS if entry.get(field)), None)
            application = resolver.application_by_key(entry.get('ApplicationKey'))
            status = resolver.status_in(application, self.target) if application else None
            if not version_key or not status or status.get('IsModified') or not same_key(status.get('BaseApplicationVersionKey'), version_key):
                return False
        return True

    def decide(self):
        """(plan, status) of an earlier publication to reuse or report, or (None, None) to publish anew."""
        statuses = self.history.with_status(self.records())
        if not statuses:
            return None, None
        for wanted in (ACTIVE, frozenset((SAVED,))):
            for record, status in statuses:
                if state_of(status) in wanted:
                    return record, status
        newest, status = statuses[0]
        if state_of(status) not in SUCCEEDED:
            self.task.progress('The last publication of these bytes (deployment plan %s) ended %s: publishing again.'
                               % (newest['Key'], state_of(status)))
            return None, None
        reason = self.changed_since(newest, self.package_applications(self.details(newest['Key'])))
        if reason:
            self.task.progress('Deployment plan %s published these bytes, but %s: publishing again.' % (newest['Key'], reason))
            return None, None
        return newest, status

    # -- the driver's questions -------------------------------------------------------------------

    @property
    def creation(self):
        return 'upload %s (%.1f MiB, sha256 %s) to %s as a new deployment plan, check it for conflicts' % (
            self.name, mib(self.size), self.checksum, self.target['Name'])

    def create(self):
        """POST the package; when the answer is lost, adopt the one new binary plan LifeTime shows, if there is exactly one."""
        known = set(plan['Key'] for plan in self.history.plans())
        self.task.progress('Uploading %s (%.1f MiB) to %s.' % (self.name, mib(self.size), self.target['Name']))
        started = time.monotonic()
        key, sent_checksum, sent = send_once(lambda: self.client.deploy_binary(self.target['Key'], self.path),
                                             lambda: self._new_plan(known), 'the upload of %s' % self.name)
        if sent is not None:
            seconds = max(time.monotonic() - started, 1e-6)
            self.task.progress('Uploaded %.1f MiB in %.1f s (%.0f MiB/s): deployment plan %s.' % (mib(sent), seconds, mib(sent) / seconds, key))
        if sent_checksum and sent_checksum != self.checksum:
            self.task.warn('src %s changed while the task ran: its sha256 was %s, the bytes uploaded have %s.'
                           % (self.path, self.checksum, sent_checksum))
            self.checksum = sent_checksum
        self.recorded = self.record(key)
        return key

    def _new_plan(self, known):
        """The one new saved binary plan of the target (key, None, None); None when there is none; an error for several."""
        fresh = [plan for plan in self.history.plans(refresh=True)
                 if plan['Key'] not in known and not plan.get('SourceEnvironmentKey') and state_of(self.history.status_if_any(plan)) == SAVED]
        if len(fresh) > 1:
            raise LifeTimeError('LifeTime did not answer the upload of %s, and %s has several new saved plans: %s. Delete the ones '
                                'you do not want in LifeTime, then run the task again.'
                                % (self.name, self.target['Name'], ', '.join(plan['Key'] for plan in fresh)))
        return (fresh[0]['Key'], None, None) if fresh else None

    def record(self, key):
        """Write the package's marker into the notes of the plan; warn when LifeTime does not allow it."""
        # LifeTime's definition of the update asks for the whole plan, not only the notes.
        deployment = self.details(key).get('Deployment') or {}
        body = {'Notes': self.marker, 'SourceEnvironmentKey': deployment.get('SourceEnvironmentKey') or '',
                'TargetEnvironmentKey': deployment.get('TargetEnvironmentKey') or self.target['Key'],
                'ApplicationOperations': [dict((field, op.get(field) or '') for field in ('ApplicationVersionKey', 'DeploymentZoneKey'))
                                          for op in deployment.get('ApplicationOperations') or []]}
        try:
            self.client.update_deployment(key, body)
        except LifeTimeAPIError as exc:
            self.task.warn('Could not record the sha256 of %s in the notes of deployment plan %s, so idempotency cannot be recorded: '
                           'publishing the same package again will upload it again, and only what LifeTime reports in the plan '
                           'details can then tell that nothing changed. LifeTime answered: %s' % (self.name, key, exc))
            return False
        return True

    def redundant(self, key):
        """After the upload: when the target already runs what the package brings, delete the plan and say so."""
        details = self.details(key)
        if not self.already_running(details):
            return None
        self.client.delete_deployment(key)
        return self.result(details, changed=False, msg='The applications of %s already run in %s: LifeTime reports for each the version '
                                                       'the target runs. Deployment plan %s was deleted.' % (self.name, self.target['Name'], key))

    def prepare(self, key, created):
        details = self.details(key)
        check_conflicts(self.task, details, key, created)
        return {}

    def blocked_applications(self, key=None):
        """The package's applications blocked in the target: known from the plan's details, so only once it exists."""
        keys = self.package_applications(self.details(key)) if key else []
        applications = [app for app in (self.task.resolver.application_by_key(key) for key in keys) if app]
        return blocked_in(self.client, applications, self.target)

    def rivals(self):
        """Usable plans carrying these bytes, read again: another run may have uploaded the same package at the same moment."""
        return self.history.with_status(self.records(refresh=True), REUSABLE)

    def is_equivalent(self, plan):
        return self.marker in (plan.get('Notes') or '')


def run(task):
    """lifetime_binary_publish: the package published to the target, once."""
    check_wait_options(task.params)
    pub = Publication(task)
    pub.hash()
    record, status = pub.decide()
    if record is not None and state_of(status) in SUCCEEDED:
        message = ('%s is already published to %s: deployment plan %s (%s) deployed these bytes (sha256 %s) and nothing deployed since '
                   'changed its applications.' % (pub.name, pub.target['Name'], record['Key'], state_of(status), pub.checksum))
        result = pub.result(pub.details(record['Key']), changed=False, deployment_key=record['Key'], deployment_status=state_of(status), msg=message)
        result['summary'] = summary_line(result, task.check_mode)
        return result
    if record is not None and not task.check_mode:
        task.progress('Deployment plan %s, which carries %s, is %s: following it.' % (record['Key'], pub.name, state_of(status)))
    try:
        outcome = drive(task, pub.target, pub, task.params['state'], record, status)
    except LifeTimeError as exc:
        # The failure carries what was uploaded, besides the deployment's own fields.
        for field, value in pub.result(pub.cached_details(exc.details.get('deployment_key'))).items():
            exc.details.setdefault(field, value)
        raise
    key = outcome.get('deployment_key')
    result = pub.result(pub.details(key) if key else None)
    result.update(outcome)
    result['duration'] = round(time.monotonic() - pub.began, 3)
    result['summary'] = summary_line(result, task.check_mode)
    return result


def summary_line(result, check_mode):
    """One line a person reads about the package and what became of it."""
    package = '%s (%d bytes, sha256 %s)' % (os.path.basename(result['src']), result['size'], (result.get('checksum') or '')[:12])
    if check_mode:
        return '%s: would %s' % (package, 'be published' if result['changed'] else 'stay as it is, already published')
    if not result['changed']:
        return '%s: already published by plan %s, nothing to do' % (package, result.get('deployment_key'))
    return '%s: plan %s %s in %.1f s' % (package, result.get('deployment_key'), result.get('deployment_status'), result['duration'])
