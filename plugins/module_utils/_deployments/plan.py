# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_deployment asks for, resolved against LifeTime.

The desired state is "the target runs these application versions". The
request becomes a Plan: the source and target environments, each application
with the version the target runs now and the version it should run, the
deployment zone, and whether it is left out because it already runs. Every check
that a read can make happens here, before the driver writes anything: names,
versions, "previous", and that no application goes back to an older version
unless the task allows it.

Cost before the create, for N applications: the environments, the applications
with their status in every environment, and the target's recent plans. When
LifeTime gives ``BaseApplicationVersionLabel`` (the number of what runs), that is
all (3 requests, whatever N); a version is looked up only where it is needed (an
explicit number, ``previous``, or to confirm by creation date a version that may
be older than what the target runs). Without the label, the versions of each
application are read too (N + 3 requests), concurrently. lifetime_deployment then
reads each application's configuration (the freeze check, deployment.py), at the
same time as the target's plans.
"""

import re
import uuid

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.blocking import blocked_error, blocked_in
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.driver import Origin, check_conflicts
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.history import HISTORY_DAYS, RecentPlans
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ACTIVE,
    REUSABLE,
    SAVED,
    SUCCEEDED,
    aborted,
    started,
    state_of,
    version_keys,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.tags import is_pending, pending_tag
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeBadRequestError,
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import load_manifest, resolve_environment, resolve_versions
from ansible_collections.outsystems.lifetime.plugins.module_utils._moments import created_before, creation_order
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import running_record, same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import compare, version_text
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

PREVIOUS = 'previous'
# Version numbers whose order is not in doubt; any other shape (1.0-hotfix, 2024.01.15_1) is ordered by creation date.
PLAIN_NUMBER = re.compile(r'\d+(\.\d+)*')
MARKER = '[outsystems.lifetime run %s]'


def is_previous(version):
    return bool(version) and str(version).strip().lower() == PREVIOUS


class PlannedApplication:
    """One application of the request: the version the target runs now and the version it should run."""

    def __init__(self, application, to_version, from_version, target_status, zone, previous=False):
        self.application = application
        # Asked for as "previous": going back is the point.
        self.previous = previous
        self.to_version = to_version
        self.from_version = from_version
        self.modified_in_target = bool(target_status and target_status.get('IsModified'))
        self.zone = zone
        self.downgrade = False
        # A version still to be tagged from what runs in the source (tag_modified); True once this run tagged it.
        self.tagged = False
        self.skip_reason = None
        if from_version and same_key(from_version.get('Key'), to_version.get('Key')) and not self.modified_in_target:
            self.skip_reason = '%s already runs version %s' % (application['Name'], to_version.get('Version'))

    @property
    def name(self):
        return self.application['Name']

    def operation(self):
        return {'ApplicationVersionKey': self.to_version['Key'], 'DeploymentZoneKey': (self.zone or {}).get('Key', '')}

    def result(self):
        return dict(
            name=self.name,
            key=self.application['Key'],
            from_version=(self.from_version or {}).get('Version'),
            from_version_key=(self.from_version or {}).get('Key'),
            to_version=self.to_version.get('Version'),
            version_key=self.to_version.get('Key'),
            deployment_zone=(self.zone or {}).get('Name', ''),
            deployment_zone_key=(self.zone or {}).get('Key', ''),
            skipped=self.skip_reason is not None,
            reason=self.skip_reason,
            downgrade=self.downgrade,
            tag=self.tagged or is_pending(self.to_version),
        )


class Plan(Origin):
    """The request resolved against LifeTime: source, target and each application's versions; the driver's origin of the plan."""

    def __init__(self, task):
        self.task = task
        params = task.params
        # A release manifest names the versions by key, and its environments may be given by their labels.
        self._created = None
        self._details = None
        self.manifest = load_manifest(params['manifest']) if params.get('manifest') is not None else None
        # Both lists are needed whatever the request: read them at the same time.
        task.resolver.prefetch_lists()
        self.target = resolve_environment(task.resolver, self.manifest, params['target_environment'], 'target_environment')
        self.source = self._source(params.get('source_environment'))
        self.history = RecentPlans(task.client, self.target)
        if self.manifest is not None:
            self.applications = self._plan_manifest(params.get('include_test_applications'))
        else:
            self.applications = self._plan_applications(params.get('applications') or [])
        # The freeze check (one configuration read per application to deploy) runs while the target's plans are read
        # and the direction is checked: its answer is known before anything could be written.
        wanted = params.get('state') in ('present', 'started', 'deployed')
        with ThreadPoolExecutor(max_workers=1) as pool:
            blocked = pool.submit(self.blocked_applications) if wanted and self.to_deploy else None
            self.history.plans()
            self.check_direction(params.get('allow_downgrade'))
            self.blocked = blocked.result() if blocked is not None else []

    def _plan_manifest(self, include_test_applications):
        """Exactly the manifest's versions (test applications only when asked), each checked against LifeTime."""
        resolver = self.task.resolver
        planned = []
        for application, version, entry in resolve_versions(resolver, self.manifest, include_test_applications):
            zone = None
            if entry.get('deployment_zone_key'):
                zone = resolver.deployment_zone(self.target, entry['deployment_zone_key'],
                                                'manifest.ApplicationVersions[%d].DeploymentZoneKey' % entry['index'])
            target_status = resolver.status_in(application, self.target)
            from_version = running_record(target_status) or resolver.running_version(application, self.target)
            planned.append(PlannedApplication(application, version, from_version, target_status, zone))
        if not planned:
            raise LifeTimeUsageError('The manifest has only test applications: set include_test_applications to deploy them.',
                                     parameter='manifest')
        return planned

    def configuration_items(self):
        """The manifest's ConfigurationItems for the target, reported (applying them needs OutSystems' Properties API)."""
        return self.manifest.configuration_items_for(self.target['Key']) if self.manifest is not None else []

    def _source(self, ref):
        resolver = self.task.resolver
        if ref:
            source = resolve_environment(resolver, self.manifest, ref, 'source_environment')
        else:
            source = resolver.environment_before(self.target)
            if source is None:
                raise LifeTimeUsageError('%s is the first environment in LifeTime: set source_environment.' % self.target['Name'],
                                         parameter='source_environment')
        if same_key(source['Key'], self.target['Key']):
            raise LifeTimeUsageError('source_environment and target_environment are both %s: LifeTime cannot deploy an environment '
                                     'to itself. To go back to an earlier version, deploy it from another environment.'
                                     % self.target['Name'], parameter='source_environment')
        return source

    def _plan_applications(self, specs):
        if not specs:
            raise LifeTimeUsageError('applications is empty: list the applications to deploy.', parameter='applications')
        specs = [dict(spec, version=version_text(spec['version'], 'applications[%d].version' % index) if spec.get('version') is not None else None)
                 for index, spec in enumerate(specs)]
        resolver = self.task.resolver
        chosen = []
        for index, spec in enumerate(specs):
            field = 'key' if spec.get('key') else 'name'
            application = resolver.application(spec[field], 'applications[%d].%s' % (index, field))
            if any(same_key(application['Key'], earlier['Key']) for earlier, dummy in chosen):
                raise LifeTimeUsageError('applications lists %s twice.' % application['Name'], parameter='applications')
            chosen.append((application, spec))
        # Versions are read (one call per application, concurrently) only for applications whose labels do not say enough.
        resolver.prefetch_versions([application for application, spec in chosen if self._needs_versions(application, spec)])
        return [self._plan_one(index, application, spec) for index, (application, spec) in enumerate(chosen)]

    def _needs_versions(self, application, spec):
        if spec.get('version'):
            return True
        resolver = self.task.resolver
        source_status = resolver.status_in(application, self.source)
        target_status = resolver.status_in(application, self.target)
        if target_status and target_status.get('BaseApplicationVersionKey') and not running_record(target_status):
            return True
        return bool(source_status and source_status.get('BaseApplicationVersionKey')) and not running_record(source_status)

    def _plan_one(self, index, application, spec):
        resolver = self.task.resolver
        zone = None
        if spec.get('deployment_zone'):
            zone = resolver.deployment_zone(self.target, spec['deployment_zone'], 'applications[%d].deployment_zone' % index)
        to_version = self._to_version(index, application, spec.get('version'))
        target_status = resolver.status_in(application, self.target)
        from_version = running_record(target_status) or resolver.running_version(application, self.target)
        return PlannedApplication(application, to_version, from_version, target_status, zone, previous=is_previous(spec.get('version')))

    def _to_version(self, index, application, version):
        resolver = self.task.resolver
        parameter = 'applications[%d].version' % index
        if is_previous(version):
            return self.previous_version(application)
        if version:
            return resolver.version(application, version, parameter)
        status = resolver.status_in(application, self.source)
        if status is None or not status.get('BaseApplicationVersionKey'):
            raise LifeTimeLookupError('%s does not run in %s (source_environment): give %s.'
                                      % (application['Name'], self.source['Name'], parameter), parameter=parameter)
        running = running_record(status) or resolver.version_by_key(application, status['BaseApplicationVersionKey'])
        if status.get('IsModified') and self.task.params.get('tag_modified'):
            return pending_tag(resolver, application, self.task.params.get('tag_increment') or 'patch')
        if status.get('IsModified'):
            raise LifeTimeUsageError(
                '%s is modified in %s since version %s and those changes have no version yet (%s). Tag it first with '
                'outsystems.lifetime.lifetime_app_version (application: %s, environment: %s, state: present), or give %s.'
                % (application['Name'], self.source['Name'], running.get('Version'), status.get('IsModifiedMessage') or 'modified',
                   application['Name'], self.source['Name'], parameter),
                parameter=parameter)
        return running

    def previous_version(self, application):
        """The version that ran in the target before the one running now (Zend Server's applicationRollback).

        The newest version a successful plan of the target's history (the last HISTORY_DAYS days) deployed there that was
        created before the one running now: a rollback never goes forward, so after a rollback the version rolled back from
        is no candidate, and a version that never ran there is none either. None: "No rollback available", before anything
        is written.
        """
        resolver = self.task.resolver
        status = resolver.status_in(application, self.target)
        if status is None or not status.get('BaseApplicationVersionKey'):
            raise LifeTimeLookupError('No rollback available: %s does not run in %s.' % (application['Name'], self.target['Name']),
                                      parameter='version')
        current = resolver.version_by_key(application, status['BaseApplicationVersionKey'])
        for key in deployed_in_history(self.history, application['Key'], current['Key']):
            candidate = resolver.version_by_key(application, key)
            if created_before(candidate, current):
                return candidate
        raise LifeTimeLookupError(
            'No rollback available for %s in %s: it runs version %s, and no version of it created before that one ran there in the '
            'last %d days. Give the version to go back to (to_version, or applications[].version).'
            % (application['Name'], self.target['Name'], current.get('Version'), HISTORY_DAYS), parameter='version')

    # -- no silent downgrade ----------------------------------------------------------------------

    def check_direction(self, allow_downgrade):
        """Fail, before anything is written, when an application would go back to an older version than the target runs.

        Older means created earlier (LifeTime's own order of versions), not a lower number.
        ``previous`` and allow_downgrade allow it.
        """
        rollback = bool(self.task.params.get('rollback'))
        backwards = []
        for item in self.to_deploy:
            # A version still to be tagged will be the newest there is.
            if not item.from_version or is_pending(item.to_version) or not (rollback or self._maybe_older(item)):
                continue
            resolver = self.task.resolver
            to_record = resolver.version_by_key(item.application, item.to_version['Key'])
            from_record = resolver.version_by_key(item.application, item.from_version['Key'])
            item.downgrade = bool(created_before(to_record, from_record))
            if item.downgrade and not (allow_downgrade or item.previous or rollback):
                backwards.append(item)
        if rollback:
            self._check_only_back()
        if backwards:
            lines = ['%s %s is older than the %s %s runs' % (item.name, item.to_version.get('Version'), item.from_version.get('Version'),
                                                             self.target['Name']) for item in backwards]
            raise LifeTimeUsageError(
                'Refusing to go back to older versions: %s. Nothing was changed. To roll back on purpose, use the rollback playbook '
                '(outsystems.lifetime.rollback) or set allow_downgrade: true on lifetime_deployment.' % '; '.join(lines),
                parameter='applications', downgrades=[item.result() for item in backwards])

    def _check_only_back(self):
        """A rollback goes back, never forward: every application to deploy must go to a version created before the one the
        target runs (an application that does not run there has nothing to roll back)."""
        forward = [item for item in self.to_deploy if not item.downgrade]
        if not forward:
            return
        lines = [self._not_back(item) for item in forward]
        raise LifeTimeUsageError(
            'A rollback only goes back to versions created before the ones running: %s. Nothing was changed. To deploy a newer '
            'version, promote it (outsystems.lifetime.promote, or lifetime_deployment without rollback).' % '; '.join(lines),
            parameter='applications', forward=[item.result() for item in forward])

    def _not_back(self, item):
        if not item.from_version:
            return '%s does not run in %s' % (item.name, self.target['Name'])
        return '%s %s is not older than the %s %s runs' % (
            item.name, item.to_version.get('Version'), item.from_version.get('Version'), self.target['Name'])

    def _maybe_older(self, item):
        """Whether the version to deploy may be older than what runs, so its creation date must be read.

        Without a label every version was read anyway. With labels, a version is taken as newer without
        reading it only when both numbers are plain dotted numbers (1.2.10), its number is higher, and the
        target did not run it before (in its history); anything else is decided by the creation dates.
        """
        resolver = self.task.resolver
        known = resolver.cached_version(item.application, item.to_version['Key'])
        if known is not None and known.get('CreatedOn'):
            return True
        numbers = (str(item.to_version.get('Version')), str(item.from_version.get('Version')))
        if not all(PLAIN_NUMBER.fullmatch(number) for number in numbers) or compare(*numbers) <= 0:
            return True
        return ran_in_target_before(self.history, item.to_version['Key'])

    # -- what the plan means ----------------------------------------------------------------------

    @property
    def to_deploy(self):
        return [item for item in self.applications if item.skip_reason is None]

    def operations(self):
        return [item.operation() for item in self.to_deploy]

    def is_equivalent(self, plan):
        """Whether a plan from the list deploys exactly these versions from the same source."""
        return same_key(plan.get('SourceEnvironmentKey'), self.source['Key']) and version_keys(plan) == version_keys(
            {'ApplicationOperations': self.operations()})

    def matching(self, refresh=False):
        """Plans that carry exactly these versions and can still be used: the running or paused one first, then the saved ones, oldest first.

        Finished plans are history, and an aborting plan is on its way to aborted: neither is reused.
        """
        candidates = [plan for plan in self.history.plans(refresh=refresh)
                      if self.is_equivalent(plan) and not (started(plan) and aborted(plan))]
        found = self.history.with_status(candidates, REUSABLE)
        return sorted(found, key=lambda item: (state_of(item[1]) not in ACTIVE, creation_order(item[0])))

    def verify(self, listed=None):
        """After a successful deployment: read what the target runs (one request, unless ``listed`` is that read) and fail on any
        application not at its version. Returns the applications read."""
        listed = listed if listed is not None else self.task.client.list_applications(include_env_status=True)
        applications = dict((str(app.get('Key', '')).lower(), app) for app in listed)
        wrong = []
        for item in self.to_deploy:
            status = self.task.resolver.status_in(applications.get(item.application['Key'].lower()) or {}, self.target) or {}
            if not same_key(status.get('BaseApplicationVersionKey'), item.to_version['Key']) or status.get('IsModified'):
                running = status.get('BaseApplicationVersionLabel') or status.get('BaseApplicationVersionKey') or 'nothing'
                wrong.append('%s runs %s%s, not %s' % (item.name, running, ' (modified)' if status.get('IsModified') else '',
                                                       item.to_version.get('Version')))
        if wrong:
            raise LifeTimeError('LifeTime reports the deployment ended well, but %s: %s. Check the plan and the environment in LifeTime.'
                                % (self.target['Name'], '; '.join(wrong)), verified=False)
        return listed

    def diff(self):
        items = self.to_deploy
        return dict(before={item.name: (item.from_version or {}).get('Version') for item in items},
                    after={item.name: item.to_version.get('Version') for item in items},
                    before_header='%s (running versions)' % self.target['Name'],
                    after_header='%s (after the deployment)' % self.target['Name'])

    def result(self):
        result = dict(source_environment=self.source['Name'], target_environment=self.target['Name'],
                      applications=[item.result() for item in self.applications])
        if self.manifest is not None:
            result['configuration_items'] = self.configuration_items()
        return result

    def describe(self):
        return ', '.join('%s %s -> %s' % (item.name, (item.from_version or {}).get('Version') or '(new)', item.to_version.get('Version'))
                         for item in self.to_deploy)

    # -- the driver's questions -------------------------------------------------------------------

    @property
    def creation(self):
        return 'create a deployment plan from %s to %s' % (self.source['Name'], self.target['Name'])

    @property
    def what(self):
        return self.describe()

    def prepare(self, key, created):
        known = self._details
        details = known[1] if known is not None and same_key(known[0], key) else self.task.client.get_deployment(key)
        conflicts = check_conflicts(self.task, details, key, created)
        return dict(conflicts=snake(conflicts), applications_to_redeploy=details.get('ApplicationsToRedeploy') or [])

    def create(self):
        """POST the plan; if the answer is lost, find it by this run's marker instead of sending it again."""
        marker = MARKER % uuid.uuid4().hex[:12]
        # A release manifest's DeploymentNotes are the notes of the plans made from it, unless the task gives its own.
        notes = self.task.params['notes'] or (self.manifest.notes if self.manifest is not None else '') or ''
        notes = '%s\n%s' % (notes, marker) if notes else marker
        client = self.task.client

        def by_marker():
            found = [plan for plan in self.history.plans(refresh=True) if marker in (plan.get('Notes') or '')]
            if len(found) > 1:
                raise LifeTimeError("Several plans carry this run's marker %s: %s. Delete the extra ones in LifeTime."
                                    % (marker, ', '.join(plan['Key'] for plan in found)))
            return found[0]['Key'] if found else None

        try:
            self._created = send_once(lambda: client.create_deployment(self.source['Key'], self.target['Key'], self.operations(), notes),
                                      by_marker, 'the request that creates the deployment plan (marker %s)' % marker,
                                      progress=self.task.progress)
            return self._created
        except LifeTimeBadRequestError:
            blocked = self.blocked_applications()
            if blocked:
                raise blocked_error(blocked, self.target, 'LifeTime refused to create the plan: nothing was created.')
            raise

    def blocked_applications(self, key=None):
        return blocked_in(self.task.client, [item.application for item in self.to_deploy], self.target)

    def rivals(self):
        """After creating: every usable plan with these versions, read again (another run may have created one at the same moment).

        Two round trips become one: the details of the plan just created (its conflicts, for prepare) are read at the same
        time, and its own status is not read - it was saved a moment ago; a run that adopted and started it meanwhile is
        found when LifeTime refuses this run's start.
        """
        created = self._created
        with ThreadPoolExecutor(max_workers=1) as pool:
            details = pool.submit(self.task.client.get_deployment, created) if created else None
            self.history.plans(refresh=True)
            if created:
                self.history.assume(created, {'DeploymentStatus': SAVED})
            found = self.matching()
            try:
                self._details = (created, details.result()) if details is not None else None
            except LifeTimeError:
                # prepare reads them again, and says what is wrong.
                self._details = None
        return found


def deployed_in_history(history, application_key, current_key):
    """The version keys successful plans of the target deployed for this application, newest plan first, other than ``current_key``.

    A generator: a plan's status is read only when the versions of the newer plans were not taken.
    """
    seen = []
    for plan in history.plans():
        for operation in plan.get('ApplicationOperations') or []:
            key = operation.get('ApplicationVersionKey')
            if not same_key(operation.get('ApplicationKey'), application_key) or same_key(key, current_key):
                continue
            if not any(same_key(key, earlier) for earlier in seen) and state_of(history.status_if_any(plan)) in SUCCEEDED:
                seen.append(key)
                yield key


def ran_in_target_before(history, version_key):
    """Whether a plan of the target's history deployed this version (so it may be older than what runs now)."""
    return any(same_key(operation.get('ApplicationVersionKey'), version_key)
               for plan in history.plans() for operation in plan.get('ApplicationOperations') or [])
