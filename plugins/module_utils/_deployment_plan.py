# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_deployment does.

The desired state is "the target runs these application versions". Building it
costs at most N + 3 requests for N applications before anything is created: the
environments, the applications with their status per environment, the versions
of each application (concurrently), and the target's recent deployment plans
(to reuse a plan that already carries the same versions rather than create a
second one). A create whose answer is lost is never sent again: the plan is
found by a marker this run writes in its notes.
"""

import datetime
import uuid

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployment import (
    ACTIVE,
    FINISHED_SUCCESSFUL,
    FINISHED_WITH_WARNINGS,
    NEEDS_USER_INTERVENTION,
    NEVER,
    RUNNING,
    SAVED,
    SUCCEEDED,
    DeploymentRun,
    check_conflicts,
    log_lines,
    started,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeNotFoundError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import compare

PREVIOUS = 'previous'
# How far back the target's deployment plans are read: for plans to reuse and for `version: previous`.
HISTORY_DAYS = 90
MARKER = '[outsystems.lifetime run %s]'
# Plans a run may attach to instead of creating another one.
REUSABLE = frozenset((SAVED, RUNNING, NEEDS_USER_INTERVENTION))


class History:
    """The deployment plans of one target environment, newest first, read once; their statuses read on demand, once each."""

    def __init__(self, client, target):
        self.client = client
        self.target = target
        self._plans = None
        self._statuses = {}

    def plans(self, refresh=False):
        if self._plans is None or refresh:
            today = datetime.date.today()
            self._plans = self.client.list_deployments(
                target_env_key=self.target['Key'],
                min_date=(today - datetime.timedelta(days=HISTORY_DAYS)).isoformat(),
                # "Today" as a date may mean midnight: tomorrow keeps plans created today in the list.
                max_date=(today + datetime.timedelta(days=1)).isoformat())
        return self._plans

    def status(self, plan):
        key = plan['Key']
        if key not in self._statuses:
            self._statuses[key] = self.client.get_deployment_status(key)
        return self._statuses[key]


class PlannedApplication:
    """One application of the request: the version the target runs now and the version it should run."""

    def __init__(self, index, application, to_version, from_version, target_status, zone):
        self.index = index
        self.application = application
        self.to_version = to_version
        self.from_version = from_version
        self.modified_in_target = bool(target_status and target_status.get('IsModified'))
        self.zone = zone
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
        )


class Plan:
    """The request resolved against LifeTime: source, target and each application's versions."""

    def __init__(self, task):
        self.task = task
        params = task.params
        resolver = task.resolver
        self.target = resolver.environment(params['target_environment'], 'target_environment')
        if params['source_environment']:
            self.source = resolver.environment(params['source_environment'], 'source_environment')
        else:
            self.source = resolver.environment_before(self.target)
            if self.source is None:
                raise LifeTimeUsageError('%s is the first environment in LifeTime: set source_environment.' % self.target['Name'],
                                         parameter='source_environment')
        if same_key(self.source['Key'], self.target['Key']):
            raise LifeTimeUsageError('source_environment and target_environment are both %s: LifeTime cannot deploy an environment '
                                     'to itself. To go back to an earlier version, deploy it from another environment.'
                                     % self.target['Name'], parameter='source_environment')
        self.history = History(task.client, self.target)
        self.applications = self._plan_applications(params['applications'] or [])

    def _plan_applications(self, specs):
        if not specs:
            raise LifeTimeUsageError('applications is empty: list the applications to deploy.', parameter='applications')
        resolver = self.task.resolver
        chosen = []
        for index, spec in enumerate(specs):
            field = 'key' if spec.get('key') else 'name'
            application = resolver.application(spec[field], 'applications[%d].%s' % (index, field))
            if any(same_key(application['Key'], earlier['Key']) for earlier, dummy in chosen):
                raise LifeTimeUsageError('applications lists %s twice.' % application['Name'], parameter='applications')
            chosen.append((application, spec))
        # One versions call per application, concurrently: the only per-application cost.
        resolver.prefetch_versions([application for application, dummy in chosen])
        planned = []
        for index, (application, spec) in enumerate(chosen):
            zone = None
            if spec.get('deployment_zone'):
                zone = resolver.deployment_zone(self.target, spec['deployment_zone'], 'applications[%d].deployment_zone' % index)
            to_version = self._to_version(index, application, spec.get('version'))
            planned.append(PlannedApplication(index, application, to_version, resolver.running_version(application, self.target),
                                              resolver.status_in(application, self.target), zone))
        return planned

    def _to_version(self, index, application, version):
        resolver = self.task.resolver
        if version and str(version).strip().lower() == PREVIOUS:
            return self.previous_version(application)
        if version:
            return resolver.version(application, version, 'applications[%d].version' % index)
        status = resolver.status_in(application, self.source)
        if status is None or not status.get('BaseApplicationVersionKey'):
            raise LifeTimeLookupError('%s does not run in %s (source_environment): give applications[%d].version.'
                                      % (application['Name'], self.source['Name'], index), parameter='applications[%d].version' % index)
        running = resolver.version_by_key(application, status['BaseApplicationVersionKey'])
        if status.get('IsModified'):
            raise LifeTimeUsageError(
                '%s is modified in %s since version %s and those changes have no version yet (%s). Tag it first with '
                'outsystems.lifetime.lifetime_app_version (application: %s, environment: %s, state: present), or give applications[%d].version.'
                % (application['Name'], self.source['Name'], running.get('Version'), status.get('IsModifiedMessage') or 'modified',
                   application['Name'], self.source['Name'], index),
                parameter='applications[%d].version' % index)
        return running

    def previous_version(self, application):
        """The version that ran in the target before the one running now (Zend Server's applicationRollback).

        From the target's deployment history: the newest successful plan that deployed another
        version of the application. Without one, the next-older version by creation date.
        """
        resolver = self.task.resolver
        status = resolver.status_in(application, self.target)
        if status is None or not status.get('BaseApplicationVersionKey'):
            raise LifeTimeLookupError('No rollback available: %s does not run in %s.' % (application['Name'], self.target['Name']),
                                      parameter='version')
        current = status['BaseApplicationVersionKey']
        for plan in self.history.plans():
            for operation in plan.get('ApplicationOperations') or []:
                if not same_key(operation.get('ApplicationKey'), application['Key']):
                    continue
                if same_key(operation.get('ApplicationVersionKey'), current):
                    continue
                if self.history.status(plan).get('DeploymentStatus') in SUCCEEDED:
                    return resolver.version_by_key(application, operation['ApplicationVersionKey'])
        versions = sorted(resolver.versions(application, complete=True), key=lambda item: str(item.get('CreatedOn') or ''), reverse=True)
        keys = [str(item.get('Key', '')).lower() for item in versions]
        if current.lower() in keys and keys.index(current.lower()) + 1 < len(versions):
            return versions[keys.index(current.lower()) + 1]
        running = resolver.version_by_key(application, current)
        raise LifeTimeLookupError(
            'No rollback available for %s in %s: it runs version %s, no other version of it was deployed there in the last %d days, '
            'and it has no older version.' % (application['Name'], self.target['Name'], running.get('Version'), HISTORY_DAYS),
            parameter='version')

    # -- what the plan means ----------------------------------------------------------------------

    @property
    def to_deploy(self):
        return [item for item in self.applications if item.skip_reason is None]

    def operations(self):
        return [item.operation() for item in self.to_deploy]

    def matching(self):
        """Plans from source to target that carry exactly these versions and can still be used: running or paused ones first, then saved ones.

        Finished plans are history, and an aborting plan is on its way to aborted: neither is reused.
        """
        wanted = sorted(op['ApplicationVersionKey'].lower() for op in self.operations())
        found = []
        for plan in self.history.plans():
            if not same_key(plan.get('SourceEnvironmentKey'), self.source['Key']):
                continue
            keys = sorted(str(op.get('ApplicationVersionKey', '')).lower() for op in plan.get('ApplicationOperations') or [])
            if keys != wanted or (started(plan) and plan.get('AbortedOn') and not str(plan['AbortedOn']).startswith(NEVER)):
                continue
            status = self.history.status(plan)
            if status.get('DeploymentStatus') in REUSABLE:
                found.append((plan, status))
        return sorted(found, key=lambda item: item[1].get('DeploymentStatus') == SAVED)

    def diff(self):
        items = self.to_deploy
        return dict(before={item.name: (item.from_version or {}).get('Version') for item in items},
                    after={item.name: item.to_version.get('Version') for item in items},
                    before_header='%s (running versions)' % self.target['Name'],
                    after_header='%s (after the deployment)' % self.target['Name'])

    def result(self):
        return dict(source_environment=self.source['Name'], target_environment=self.target['Name'],
                    applications=[item.result() for item in self.applications])

    def summary(self):
        return ', '.join('%s %s -> %s' % (item.name, (item.from_version or {}).get('Version') or '(new)', item.to_version.get('Version'))
                         for item in self.to_deploy)

    # -- writing ----------------------------------------------------------------------------------

    def create(self):
        """POST the plan; if the answer is lost, find it by this run's marker instead of sending it again."""
        marker = MARKER % uuid.uuid4().hex[:12]
        notes = self.task.params['notes']
        notes = '%s\n%s' % (notes, marker) if notes else marker
        client = self.task.client
        try:
            return client.create_deployment(self.source['Key'], self.target['Key'], self.operations(), notes)
        except LifeTimeAPIError as exc:
            if not exc.ambiguous:
                raise
            lost = exc
        try:
            found = [plan for plan in self.history.plans(refresh=True) if marker in (plan.get('Notes') or '')]
        except LifeTimeAPIError as exc:
            raise LifeTimeError('LifeTime did not answer the request that creates the deployment plan (%s), and listing the plans of %s '
                                'failed too (%s): cannot tell whether the plan was created. Look in LifeTime for a plan whose notes '
                                'contain %s before running the task again.' % (lost, self.target['Name'], exc, marker))
        if len(found) == 1:
            self.task.progress('The answer to the create request was lost; found the plan it created: %s.' % found[0]['Key'])
            return found[0]['Key']
        if not found:
            raise LifeTimeError('LifeTime did not answer the request that creates the deployment plan (%s), and no plan carries this '
                                "run's marker %s: nothing was created. Run the task again." % (lost, marker))
        raise LifeTimeError('Several plans carry this run\'s marker %s: %s. Delete the extra ones in LifeTime.'
                            % (marker, ', '.join(plan['Key'] for plan in found)))


def _run_options_result(run, plan, extra=None):
    result = plan.result()
    result.update(run.result())
    result.update(extra or {})
    return result


# How a summary line says what became of an application, by the plan's status.
OUTCOMES = {
    FINISHED_SUCCESSFUL: 'deployed',
    FINISHED_WITH_WARNINGS: 'deployed, with warnings',
    SAVED: 'planned, not started',
    RUNNING: 'deploying',
    NEEDS_USER_INTERVENTION: 'waiting for the user',
}


def summary(result, check_mode):
    """The result in a few lines a person reads: each application from -> to and what became of it, then the plan."""
    lines = []
    status = result.get('deployment_status')
    planned = 0
    for app in result.get('applications') or []:
        if app['skipped']:
            lines.append('%s skipped: already runs %s' % (app['name'], app['to_version']))
            continue
        planned += 1
        backwards = app['from_version'] and compare(app['to_version'], app['from_version']) < 0
        if check_mode:
            outcome = 'would roll back' if backwards else 'would deploy'
        elif backwards and status in SUCCEEDED:
            outcome = 'rolled back'
        else:
            outcome = OUTCOMES.get(status, status)
        lines.append('%s %s -> %s (%s)' % (app['name'], app['from_version'] or '(not running)', app['to_version'], outcome))
    key = result.get('deployment_key')
    if not planned:
        lines.append('plan: none, %s already runs these versions' % result['target_environment'])
    elif check_mode:
        lines.append('plan: would %s' % ('use %s (%s)' % (key, status) if key else 'create one deployment plan for %d application(s)' % planned))
    else:
        line = 'plan %s: %s' % (key, status)
        if result.get('info'):
            line += ' (%s)' % result['info']
        if result.get('duration') is not None:
            line += ' in %.1f s' % result['duration']
        lines.append(line)
    return lines


def deploy(task):
    """lifetime_deployment with state present, started or deployed."""
    result = _deploy(task)
    result['summary'] = summary(result, task.check_mode)
    return result


def _deploy(task):
    params = task.params
    state = params['state']
    plan = Plan(task)
    result = plan.result()
    if not plan.to_deploy:
        result.update(changed=False, deployment_key=None, deployment_status=None,
                      msg='Nothing to deploy: %s.' % '; '.join(item.skip_reason for item in plan.applications))
        return result
    matches = plan.matching()
    existing, existing_status = matches[0] if matches else (None, None)
    if task.diff:
        result['diff'] = plan.diff()
    existing_state = (existing_status or {}).get('DeploymentStatus')
    if task.check_mode:
        if existing is None:
            action = 'create a deployment plan from %s to %s (%s)' % (plan.source['Name'], plan.target['Name'], plan.summary())
            action += '' if state == 'present' else ' and start it'
        elif existing_state == SAVED and state != 'present':
            action = 'start the saved deployment plan %s (%s)' % (existing['Key'], plan.summary())
        else:
            action = 'use the %s deployment plan %s (%s)' % (existing_state, existing['Key'], plan.summary())
        result.update(changed=existing is None or (state != 'present' and existing_state == SAVED),
                      deployment_key=existing and existing['Key'], deployment_status=existing_state,
                      msg='Check mode: would %s%s.' % (action, ', and wait for it to finish' if state == 'deployed' else ''))
        return result

    created = existing is None
    key = plan.create() if created else existing['Key']
    if not created:
        task.progress('Reusing deployment plan %s (%s) which carries the same versions.' % (key, existing_state))
    run = DeploymentRun(task, key, plan.target)
    if created or existing_state == SAVED:
        details = task.client.get_deployment(key)
        result['conflicts'] = snake(check_conflicts(task, details, key, created))
        result['applications_to_redeploy'] = details.get('ApplicationsToRedeploy') or []
    if state == 'present':
        run.fetch_status()
        return _run_options_result(run, plan, dict(changed=created, msg='Deployment plan %s is saved: %s.' % (key, plan.summary())))
    resume = False
    if created or existing_state == SAVED:
        run.start()
    else:
        run.attach(existing_status)
        resume = existing_state == NEEDS_USER_INTERVENTION
    if state == 'started':
        run.fetch_status()
        return _run_options_result(run, plan, dict(changed=created or existing_state == SAVED,
                                                   msg='Deployment plan %s is %s: %s.' % (key, run.state(), plan.summary())))
    run.wait(resume=resume)
    outcome = run.outcome()
    outcome.update(plan.result())
    outcome['changed'] = True
    if run.state() == NEEDS_USER_INTERVENTION:
        outcome['msg'] = 'Deployment plan %s waits for the user (Info %s): run the task again to continue it.' % (key, run.info())
    else:
        outcome['msg'] = 'Deployment plan %s %s: %s.' % (key, run.state(), plan.summary())
    for field in ('conflicts', 'applications_to_redeploy', 'diff'):
        if field in result:
            outcome[field] = result[field]
    return outcome


def remove(task):
    """lifetime_deployment with state absent (delete the saved plan) or aborted (abort the running plan)."""
    plan = Plan(task)
    result = plan.result()
    wanted = SAVED if task.params['state'] == 'absent' else None
    for existing, status in plan.matching() if plan.to_deploy else []:
        current = status.get('DeploymentStatus')
        if (wanted and current == wanted) or (not wanted and current in ACTIVE):
            result.update(_act(task, existing['Key'], plan.target, status))
            return result
    result.update(changed=False, deployment_key=None, deployment_status=None,
                  msg='No %s deployment plan carries these versions.' % ('saved' if wanted else 'running'))
    return result


def _act(task, key, target, status):
    """Delete a saved plan or abort an active one; the result fields."""
    run = DeploymentRun(task, key, target)
    run.attach(status)
    current = status.get('DeploymentStatus')
    if task.params['state'] == 'absent':
        if current != SAVED:
            raise LifeTimeError('Deployment plan %s is %s: LifeTime deletes only saved plans.%s'
                                % (key, current, ' Abort it first (state: aborted).' if current in ACTIVE else ''), **run.result())
        if not task.check_mode:
            task.client.delete_deployment(key)
        return dict(run.result(), changed=True, deployment_status=None, msg='%sDeleted the saved deployment plan %s.'
                    % ('Check mode: would have ' if task.check_mode else '', key))
    if current not in (RUNNING, NEEDS_USER_INTERVENTION):
        return dict(run.result(), changed=False, msg='Deployment plan %s is %s: nothing to abort.' % (key, current))
    if task.check_mode:
        return dict(run.result(), changed=True, msg='Check mode: would abort deployment plan %s (%s).' % (key, current))
    run.abort()
    return dict(run.result(), changed=True, msg='Deployment plan %s aborted.' % key)


def existing_plan(task):
    """lifetime_deployment with deployment_key: act on that plan whatever it carries."""
    params = task.params
    key = params['deployment_key'].strip()
    client = task.client
    try:
        details = client.get_deployment(key)
    except LifeTimeNotFoundError:
        raise LifeTimeLookupError('No deployment plan with key %s (deployment_key).' % key, parameter='deployment_key')
    deployment = details.get('Deployment') or {}
    target_key = deployment.get('TargetEnvironmentKey')
    try:
        target = task.resolver.environment(target_key, 'deployment_key')
    except LifeTimeLookupError:
        # An environment the service account cannot list: name it by its key.
        target = {'Key': target_key, 'Name': target_key}
    status = client.get_deployment_status(key)
    current = status.get('DeploymentStatus')
    state = params['state']
    if state in ('absent', 'aborted'):
        return _act(task, key, target, status)
    run = DeploymentRun(task, key, target)
    run.attach(status)
    result = dict(run.result(), applications_to_redeploy=details.get('ApplicationsToRedeploy') or [],
                  conflicts=snake(details.get('ApplicationConflicts') or []))
    if state == 'present' or current in SUCCEEDED:
        result.update(changed=False, msg='Deployment plan %s is %s.' % (key, current))
        return result
    if current not in (SAVED, RUNNING, NEEDS_USER_INTERVENTION):
        lines = log_lines(status)
        raise run.failure('Deployment plan %s is %s: it cannot be deployed again; create a new plan. Last log lines: %s'
                          % (key, current, ' | '.join(lines) if lines else 'none'))
    if task.check_mode:
        result.update(changed=True, msg='Check mode: would %s deployment plan %s.' % ('start' if current == SAVED else 'wait for', key))
        return result
    if current == SAVED:
        check_conflicts(task, details, key, created=False)
        run.start()
    if state == 'started':
        run.fetch_status()
        return dict(result, **dict(run.result(), changed=current == SAVED, msg='Deployment plan %s is %s.' % (key, run.state())))
    run.wait(resume=current == NEEDS_USER_INTERVENTION)
    outcome = run.outcome()
    outcome.update(changed=True, applications_to_redeploy=result['applications_to_redeploy'], conflicts=result['conflicts'],
                   msg='Deployment plan %s %s.' % (key, run.state()))
    return outcome


def run(task):
    """Entry point of lifetime_deployment (module and action plugin)."""
    if task.params['deployment_key']:
        return existing_plan(task)
    if task.params['state'] in ('absent', 'aborted'):
        return remove(task)
    return deploy(task)
