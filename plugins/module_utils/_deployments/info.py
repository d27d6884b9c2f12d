# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the deployment plans of a target (or of every target) created between two moments.

One GET /deployments/ for the window: LifeTime's MinDate and MaxDate are dates, so
a day wider on each side is asked for and the exact window is applied to CreatedOn
here. Names come from the resolver. A plan's status is read only for plans that were
started (eight at a time): a plan never started is saved. An application's versions
are read only for an operation whose label ("Deploy 1.5") does not give its number.
Nothing here reads a plan's details (GET /deployments/{key}/), which validates a
saved plan and may change its status.
"""

import datetime
import re

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import (
    ABORTED,
    ABORTING,
    FINISHED_SUCCESSFUL,
    FINISHED_WITH_ERRORS,
    FINISHED_WITH_WARNINGS,
    NEEDS_USER_INTERVENTION,
    NEVER,
    RUNNING,
    SAVED,
    started,
    state_of,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeNotFoundError, LifeTimeResponseError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._moments import UTC, created_on, in_utc, iso, parse_moment, shifted
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import WORKERS, same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake

# LifeTime's definition also documents force_finished (a plan finished by force from LifeTime's interface).
FORCE_FINISHED = 'force_finished'
STATUSES = (SAVED, RUNNING, NEEDS_USER_INTERVENTION, ABORTING, ABORTED, FINISHED_SUCCESSFUL, FINISHED_WITH_WARNINGS,
            FINISHED_WITH_ERRORS, FORCE_FINISHED)
DEFAULT_DAYS = 7
# The label LifeTime gives an operation that deploys a version (API reference: "Deploy 1.5").
_DEPLOY_LABEL = re.compile(r'\s*Deploy\s+(\S+)\s*$')
EVENTS = ('Created', 'Saved', 'Started', 'Aborted')


def _shown(text):
    """The value as a message quotes it: cut when long (a whole file pasted into an option is not echoed back)."""
    return repr(text) if len(text) <= 60 else '%r... (%d characters)' % (text[:60], len(text))


def _moment(params, name):
    text = params.get(name)
    if text is None or not str(text).strip():
        return None
    parsed = parse_moment(text)
    if parsed is None:
        raise LifeTimeUsageError('%s %s is not a date: give an ISO date such as 2026-01-15, or a date and time such as '
                                 '2026-01-15T10:00:00Z (UTC unless it names its offset).' % (name, _shown(str(text))), parameter=name)
    moment, bare = parsed
    if in_utc(moment) is None:
        raise LifeTimeUsageError('%s %s is outside the calendar once read in UTC (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z): give a '
                                 'moment within it, or leave %s out.' % (name, _shown(str(text)), name), parameter=name)
    if bare and name == 'to':
        # A date as the end of the window includes that whole day.
        moment = shifted(moment, datetime.timedelta(days=1) - datetime.timedelta(microseconds=1))
    return in_utc(moment)


def window(params, now=None):
    """(from, to) as aware datetimes: the parameters, else the DEFAULT_DAYS days up to ``to`` (or now)."""
    end = _moment(params, 'to') or (now or datetime.datetime.now(UTC))
    start = _moment(params, 'from') or shifted(end, -datetime.timedelta(days=DEFAULT_DAYS))
    if start > end:
        raise LifeTimeUsageError('from (%s) is after to (%s): the window of creation dates would be empty.' % (iso(start), iso(end)),
                                 parameter='from')
    return start, end


def check_query(params):
    """Everything the task asks for that needs no request: the window, the statuses, include_log."""
    start, end = window(params)
    if params.get('target_environment') is not None and not str(params['target_environment']).strip():
        raise LifeTimeUsageError('target_environment is empty: give the name or key of an environment, or leave it out for every target.',
                                 parameter='target_environment')
    return dict(start=start, end=end, statuses=frozenset(params.get('status') or ()), include_log=bool(params.get('include_log')))


def _never(value):
    return not value or str(value).startswith(NEVER)


def _in_window(plan, query):
    created = created_on(plan)
    # A plan whose creation date cannot be read is kept: LifeTime listed it for the dates asked.
    return created is None or query['start'] <= created <= query['end']


def _carries(plan, app_keys):
    return any(same_key(op.get('ApplicationKey'), key) for op in _operations(plan) for key in app_keys)


def _operations(plan):
    operations = plan.get('ApplicationOperations') or []
    return [op for op in operations if isinstance(op, dict)] if isinstance(operations, list) else []


class DeploymentReport:
    """lifetime_deployment_info's report: the plans of the window, filtered, each with its status read at most once."""

    def __init__(self, task, query, target=None, app_keys=None):
        self.task = task
        self.client = task.client
        self.resolver = task.resolver
        self.query = query
        self.target = target
        self.app_keys = app_keys or []
        self.statuses = {}

    def plans(self):
        """The plans LifeTime lists for the window (a day wider on each side), then the exact window and the filters."""
        plans = _with_keys(self.client.list_deployments(target_env_key=self.target['Key'] if self.target else None,
                                                        min_date=shifted(self.query['start'], -datetime.timedelta(days=1)).date().isoformat(),
                                                        max_date=shifted(self.query['end'], datetime.timedelta(days=1)).date().isoformat()))
        return [plan for plan in plans if _in_window(plan, self.query) and self._wanted(plan)]

    def _wanted(self, plan):
        if self.target and not same_key(plan.get('TargetEnvironmentKey'), self.target['Key']):
            return False
        return not self.app_keys or _carries(plan, self.app_keys)

    def _needs_status(self, plan):
        if self.query['include_log']:
            return True
        # A plan never started is saved; a started one can only be asked about when some other status is wanted.
        return started(plan) and (not self.query['statuses'] or bool(self.query['statuses'] - {SAVED}))

    def _keeps_unread(self, plan):
        """Whether a plan whose status is not read belongs in the answer."""
        if started(plan):
            return False
        return not self.query['statuses'] or SAVED in self.query['statuses']

    def read_statuses(self, plans):
        """Read the status of the plans that need it, WORKERS at a time; returns the plans to keep."""
        pending = [plan['Key'] for plan in plans if self._needs_status(plan)]
        if pending:
            with ThreadPoolExecutor(max_workers=min(WORKERS, len(pending))) as pool:
                # list() re-raises the first failed read.
                for key, status in zip(pending, list(pool.map(self.client.get_deployment_status, pending))):
                    self.statuses[key] = status
        kept = []
        for plan in plans:
            if plan['Key'] in self.statuses:
                if not self.query['statuses'] or state_of(self.statuses[plan['Key']]) in self.query['statuses']:
                    kept.append(plan)
            elif self._keeps_unread(plan):
                kept.append(plan)
        return kept

    def _environment(self, key):
        if not key:
            return None, None
        env = next((item for item in self.resolver.environments() if same_key(item.get('Key'), key)), None)
        return (env or {}).get('Name'), key

    def _version(self, op, application):
        found = _DEPLOY_LABEL.match(str(op.get('DeploymentOperation') or ''))
        if found:
            return found.group(1)
        if application is None or not op.get('ApplicationVersionKey'):
            return None
        try:
            return self.resolver.version_by_key(application, op['ApplicationVersionKey']).get('Version')
        except LifeTimeNotFoundError:
            # The version was deleted since.
            return None

    def _applications(self, plan):
        items = []
        for op in _operations(plan):
            application = self.resolver.application_by_key(op.get('ApplicationKey')) if op.get('ApplicationKey') else None
            items.append(dict(name=(application or {}).get('Name'), key=op.get('ApplicationKey'), version=self._version(op, application),
                              version_key=op.get('ApplicationVersionKey'), operation=op.get('DeploymentOperation') or '',
                              deployment_zone_key=op.get('DeploymentZoneKey') or ''))
        return items

    def entry(self, plan):
        """A plan as the module returns it."""
        source, source_key = self._environment(plan.get('SourceEnvironmentKey'))
        target, target_key = self._environment(plan.get('TargetEnvironmentKey'))
        entry = dict(key=plan.get('Key'), details_url=plan.get('DetailsURL') or '', notes=plan.get('Notes') or '',
                     source_environment=source, source_environment_key=source_key,
                     target_environment=target, target_environment_key=target_key)
        entry.update(_events(plan))
        status = self.statuses.get(plan['Key'])
        entry['status'] = state_of(status) if status is not None else SAVED
        entry['info'] = (status or {}).get('Info') or ''
        entry['applications'] = self._applications(plan)
        if self.query['include_log']:
            entry['log'] = _log(status)
        return entry


def _with_keys(plans):
    """The plans, each with a Key, or an error naming the first that has none."""
    for index, plan in enumerate(plans):
        if not isinstance(plan.get('Key'), str) or not plan['Key']:
            raise LifeTimeResponseError('GET', '/deployments/', status=200, reason='deployment plan %d of the list has no Key: is '
                                        'lifetime_url the address of the LifeTime API?' % index)
    return plans


def _events(plan):
    """created_on, created_by, created_by_username... of a plan; None for what never happened (LifeTime's 1900-01-01)."""
    fields = {}
    for event in EVENTS:
        happened = not _never(plan.get(event + 'On'))
        prefix = event.lower()
        fields[prefix + '_on'] = plan.get(event + 'On') if happened else None
        fields[prefix + '_by'] = (plan.get(event + 'By') or None) if happened else None
        fields[prefix + '_by_username'] = (plan.get(event + 'ByUsername') or None) if happened else None
    return fields


def _log(status):
    log = (status or {}).get('DeploymentLog') or []
    return snake([line for line in log if isinstance(line, dict)]) if isinstance(log, list) else []


def _application_keys(resolver, refs):
    keys = []
    for index, ref in enumerate(refs or []):
        keys.append(resolver.application(ref, 'applications[%d]' % index)['Key'])
    return keys


def deployment_info(task):
    """Entry point of lifetime_deployment_info."""
    params = task.params
    query = check_query(params)
    resolver = task.resolver
    target = resolver.environment(params['target_environment'], 'target_environment') if params.get('target_environment') else None
    report = DeploymentReport(task, query, target, _application_keys(resolver, params.get('applications')))
    plans = report.read_statuses(report.plans())
    return dict(changed=False, deployments=[report.entry(plan) for plan in plans], target_environment=(target or {}).get('Name'),
                **{'from': iso(query['start']), 'to': iso(query['end'])})
