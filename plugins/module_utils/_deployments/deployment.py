# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_deployment does, from its parameters to its result.

With ``applications``: resolve them into a Plan (plan.py), find a plan that already
carries those versions, and let the driver take it (or a new one) to the wanted
state. With ``deployment_key``: the driver takes that plan to the wanted state.
"""

import re

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.blocking import blocked_error
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.database_mappings import check_option, check_supported
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.driver import Origin, check_conflicts, drive
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.plan import Plan
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.release_manifest import check_manifest_dest, release_manifest
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.runner import check_wait_options
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import ACTIVE, SAVED, SUCCEEDED, state_of
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.summary import summary
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.tags import tag_pending
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeNotFoundError,
    LifeTimeUsageError,
    bounded,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake

# A LifeTime key: letters, digits and dashes (a GUID, 36 characters). Anything else cannot name a plan and must not reach a URL path.
_KEY = re.compile(r'[A-Za-z0-9][A-Za-z0-9-]{0,99}')


class KeyedPlan(Origin):
    """A plan given by key: the driver starts it if saved (after a conflicts check) and follows it; it is never created."""

    def __init__(self, task, details):
        self.task = task
        self.details = details

    def prepare(self, key, created):
        check_conflicts(self.task, self.details, key, created=False)
        return {}


def deployment_key(params):
    """The deployment_key parameter, checked: a key of letters, digits and dashes."""
    key = (params.get('deployment_key') or '').strip()
    if not _KEY.fullmatch(key):
        raise LifeTimeUsageError('deployment_key %r is not a LifeTime key: give the key of a deployment plan, for example '
                                 'dce64ad4-2ddf-4e54-a639-3524bcd5b9a1.' % bounded(params.get('deployment_key')), parameter='deployment_key')
    return key


def by_key(task):
    """lifetime_deployment with deployment_key: take that plan to the wanted state, whatever it carries."""
    key = deployment_key(task.params)
    client = task.client
    try:
        details = client.get_deployment(key)
    except LifeTimeNotFoundError:
        raise LifeTimeLookupError('No deployment plan with key %s (deployment_key).' % key, parameter='deployment_key')
    target_key = (details.get('Deployment') or {}).get('TargetEnvironmentKey')
    try:
        target = task.resolver.environment(target_key, 'deployment_key')
    except LifeTimeLookupError:
        # An environment the service account cannot list: name it by its key.
        target = {'Key': target_key, 'Name': target_key}
    status = client.get_deployment_status(key)
    result = dict(applications_to_redeploy=details.get('ApplicationsToRedeploy') or [],
                  conflicts=snake(details.get('ApplicationConflicts') or []))
    result.update(drive(task, target, KeyedPlan(task, details), task.params['state'], {'Key': key}, status))
    return result


def _to_remove(plan, wanted):
    """The plan that carries these versions in the status ``wanted`` asks for: saved to delete, running to abort."""
    statuses = (SAVED,) if wanted == 'absent' else ACTIVE
    return next(((found, status) for found, status in plan.matching() if state_of(status) in statuses), (None, None)) \
        if plan.to_deploy else (None, None)


def _matching_and_unblocked(plan):
    """The plan to reuse (or None), after checking - before any write, in check mode too - that no application is blocked.

    The applications' configurations were read with the target's plans (Plan): LifeTime would refuse the plan (or its
    start) for an application blocked in the target, and check mode must predict that refusal with the same reason.
    A plan already running or waiting for the user is only followed: its applications were not blocked when it started.
    """
    found, status = (plan.matching() or [(None, None)])[0]
    blocked = plan.blocked
    if blocked and (found is None or state_of(status) == SAVED):
        fate = ('Nothing was changed: deployment plan %s, which carries these versions, was left saved.' % found['Key']
                if found is not None else 'Nothing was created.')
        raise blocked_error(blocked, plan.target, fate, **plan.result())
    return found, status


def by_applications(task):
    """lifetime_deployment with applications (or a manifest): make the target run these versions.

    Once the plan is resolved, a failure carries it (source, target, each application with the version the target ran
    and the one to deploy): the promote role hands that to the next workflow node, whose rollback restores exactly it.
    """
    plan = Plan(task)
    result = plan.result()
    try:
        return _deploy(task, plan, result)
    except LifeTimeError as exc:
        # What is known by then: the plan as resolved, and the deployment's key, status and log once there is one.
        for field, value in result.items():
            exc.details.setdefault(field, value)
        if exc.details.get('deployment_status'):
            # The roles' summary says what failed from these lines; the log itself stays in the result (log), once.
            exc.details.setdefault('summary', summary(exc.details, task.check_mode))
        raise


def _deploy(task, plan, result):
    wanted = task.params['state']
    if plan.manifest is not None and plan.manifest.configuration_items:
        task.warn(plan.manifest.configuration_note(plan.target))
    if wanted in ('absent', 'aborted'):
        result.update(drive(task, plan.target, plan, wanted, *_to_remove(plan, wanted)))
        return result
    listed = None
    if not plan.to_deploy:
        result.update(changed=False, deployment_key=None, deployment_status=None,
                      msg='Nothing to deploy: %s.' % '; '.join(item.skip_reason for item in plan.applications))
    else:
        listed = _deploy_planned(task, plan, result, wanted)
    result['summary'] = summary(result, task.check_mode)
    if task.params.get('manifest_dest') or plan.manifest is not None:
        release_manifest(task, plan, result, listed)
    return result


def _deploy_planned(task, plan, result, wanted):
    """Take the plan that carries these versions (found, or new) to the wanted state; the applications read by verify, if any."""
    if task.diff:
        result['diff'] = plan.diff()
    found, status = _matching_and_unblocked(plan)
    if not task.check_mode and wanted in ('present', 'started', 'deployed') and tag_pending(task, plan):
        # The first write: every check of the request was made with the versions still to be tagged in the plan.
        result['applications'] = [item.result() for item in plan.applications]
    if found is not None and not task.check_mode:
        task.progress('Reusing deployment plan %s (%s) which carries the same versions.' % (found['Key'], state_of(status)))
    result.update(drive(task, plan.target, plan, wanted, found, status))
    if task.params.get('verify') and result.get('deployment_status') in SUCCEEDED and not task.check_mode:
        try:
            listed = plan.verify()
        except LifeTimeAPIError as exc:
            # LifeTime completed the deployment: a read that fails afterwards does not make it fail.
            result['verified'] = None
            task.warn('%s, but what %s runs could not be read to verify it: %s' % (_ended(result), plan.target['Name'], exc))
            return None
        result['verified'] = True
        return listed
    return None


def _ended(result):
    return 'Deployment plan %s ended %s' % (result.get('deployment_key'), result.get('deployment_status'))


def run(task):
    """lifetime_deployment: by deployment_key or by applications."""
    params = task.params
    check_wait_options(params)
    check_manifest_dest(params)
    params['database_mappings'] = check_option(params.get('database_mappings'))
    if params['database_mappings']:
        check_supported(task.client)
    if params.get('deployment_key') is not None:
        return by_key(task)
    return by_applications(task)
