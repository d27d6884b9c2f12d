# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: names or keys given by users, resolved to LifeTime objects.

Environments, applications, application versions (by version number) and
deployment zones are matched the same way: the key, then the exact name, then a
case-insensitive name only when exactly one object has it. Each kind is listed
at most once per Resolver (one module run): later lookups use the cached list.
"""

import difflib
import threading

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeResponseError, bounded

# Versions are listed newest first; most lookups are for recent versions, so ask for a page first
# and for everything only when a number is not in that page.
VERSIONS_PAGE = 100
VERSIONS_ALL = 100000
MAX_LISTED = 40
# The names a failed lookup offers first: the most alike, by difflib's ratio on case-folded names.
CLOSEST = 5
CLOSE_ENOUGH = 0.6
SUBSTRING_LIKENESS = 0.75
# Per-application lookups run in a small pool: enough to hide API latency, few enough not to flood LifeTime.
WORKERS = 8


def same_key(left, right):
    """Whether two LifeTime keys (GUIDs, whatever their case) are the same; never true for empty ones."""
    return bool(left) and bool(right) and str(left).lower() == str(right).lower()


def _describe(item, name_field):
    return '%s (%s)' % (item.get(name_field), item.get('Key'))


def _likeness(wanted, name):
    """How alike two case-folded names are (difflib's ratio); a name holding the other, or held in it, counts as alike."""
    matcher = difflib.SequenceMatcher(None, wanted, name)
    if matcher.real_quick_ratio() < CLOSE_ENOUGH and wanted not in name and name not in wanted:
        return 0.0
    score = matcher.ratio()
    if wanted and (wanted in name or name in wanted):
        score = max(score, SUBSTRING_LIKENESS)
    return score


def closest(wanted, names):
    """Of ``names``, those most like ``wanted`` (case-insensitive), most alike first; at most CLOSEST."""
    folded = str(wanted).casefold()
    scored = [(_likeness(folded, name.casefold()), name) for name in names]
    alike = sorted((item for item in scored if item[0] >= CLOSE_ENOUGH), key=lambda item: (-item[0], item[1]))
    return [name for dummy, name in alike[:CLOSEST]]


def existing_names(wanted, items, name_field='Name'):
    """What exists, for a name that matched nothing: the closest names first, then the others, never more than MAX_LISTED names."""
    names = sorted(set(str(item.get(name_field)) for item in items))
    if not names:
        return 'Existing: none'
    alike = closest(wanted, names)
    rest = [name for name in names if name not in alike]
    if alike:
        text = 'Closest: %s' % ', '.join(bounded(name) for name in alike)
        if len(names) > MAX_LISTED:
            return '%s (and %d more)' % (text, len(rest))
        return '%s; others: %s' % (text, ', '.join(bounded(name) for name in rest) or 'none')
    shown = [bounded(name) for name in names[:MAX_LISTED]]
    return 'Existing: %s%s' % (', '.join(shown), ' and %d more' % (len(names) - len(shown)) if len(names) > len(shown) else '')


def running_record(status):
    """The version an AppStatusInEnv record says runs, as {Key, Version} when LifeTime gives its label, else None."""
    if status and status.get('BaseApplicationVersionKey') and status.get('BaseApplicationVersionLabel'):
        return {'Key': status['BaseApplicationVersionKey'], 'Version': status['BaseApplicationVersionLabel']}
    return None


def checked(records, path, kind, nested=None):
    """LifeTime's records, each with a Key and a Name (and a list of objects under ``nested``), or an error naming the first that is not."""
    for index, record in enumerate(records):
        problem = None
        if not all(isinstance(record.get(field), str) and record.get(field) for field in ('Key', 'Name')):
            problem = 'has no Key or no Name'
        elif nested and record.get(nested) is not None and (not isinstance(record[nested], list)
                                                            or not all(isinstance(item, dict) for item in record[nested])):
            problem = 'has a %s that is not a list of objects' % nested
        if problem:
            raise LifeTimeResponseError('GET', path, reason='%s %d of the list %s: is lifetime_url the address of the LifeTime API?'
                                        % (kind, index, problem))
    return records


def _order(environment):
    """LifeTime's Order of an environment; one without a number sorts first."""
    order = environment.get('Order')
    return order if isinstance(order, (int, float)) and not isinstance(order, bool) else 0


def match_one(items, ref, kind, parameter, name_field='Name', where=''):
    """The one item whose key or name is ``ref``.

    Raises LifeTimeLookupError naming the parameter: for no match it lists what
    exists, for several case-insensitive matches it lists the candidates.
    """
    wanted = str(ref).strip()
    lowered = wanted.lower()
    shown = bounded(wanted)
    for item in items:
        if str(item.get('Key', '')).lower() == lowered:
            return item
    exact = [item for item in items if item.get(name_field) == wanted]
    if len(exact) == 1:
        return exact[0]
    candidates = exact or [item for item in items if str(item.get(name_field, '')).lower() == lowered]
    if len(candidates) == 1:
        return candidates[0]
    suffix = (' ' + where) if where else ''
    if candidates:
        raise LifeTimeLookupError(
            '%s %r is ambiguous%s: it matches %s. Use the exact name or the key.'
            % (parameter, shown, suffix, ', '.join(_describe(item, name_field) for item in candidates)),
            parameter=parameter, candidates=[dict(name=item.get(name_field), key=item.get('Key')) for item in candidates])
    raise LifeTimeLookupError(
        'No %s %r%s (%s). %s.' % (kind, shown, suffix, parameter, existing_names(wanted, items, name_field)),
        parameter=parameter)


class Resolver:
    """Cached lookups of LifeTime objects by name or key, for one module run."""

    def __init__(self, client):
        self.client = client
        self._lock = threading.Lock()
        # One lock per list, so the environments and the applications can be read at the same time.
        self._list_locks = {'environments': threading.Lock(), 'applications': threading.Lock()}
        self._environments = None
        self._applications = None
        self._applications_index = None
        self._applications_with_modules = False
        self._zones = {}
        self._versions = {}

    def refreshed(self, applications):
        """A Resolver that knows ``applications`` (just read again, with their status in each environment) and keeps what
        does not change meanwhile: the environments, the versions and the deployment zones already read."""
        fresh = Resolver(self.client)
        with self._lock:
            fresh._environments = self._environments
            fresh._versions = dict(self._versions)
            fresh._zones = dict(self._zones)
        fresh._applications = checked(applications, '/applications/', 'application', nested='AppStatusInEnvs')
        return fresh

    # -- environments -----------------------------------------------------------------------------

    def environments(self):
        """Every environment, in LifeTime's Order."""
        with self._list_locks['environments']:
            if self._environments is None:
                environments = checked(self.client.list_environments(), '/environments/', 'environment')
                self._environments = sorted(environments, key=_order)
            return self._environments

    def prefetch_lists(self):
        """Read the environments and the applications at the same time (one round trip instead of two)."""
        with ThreadPoolExecutor(max_workers=2) as pool:
            # list() re-raises the first error of either read.
            list(pool.map(lambda read: read(), (self.environments, self.applications)))

    def environment(self, ref, parameter='environment'):
        return match_one(self.environments(), ref, 'environment', parameter)

    def environment_before(self, env):
        """The environment just before ``env`` in LifeTime's order, or None for the first one."""
        ordered = self.environments()
        index = next(i for i, item in enumerate(ordered) if item['Key'] == env['Key'])
        return ordered[index - 1] if index > 0 else None

    # -- applications -----------------------------------------------------------------------------

    def applications(self, include_modules=False):
        """Every application with its status in each environment (one list call, cached)."""
        with self._list_locks['applications']:
            if self._applications is None or (include_modules and not self._applications_with_modules):
                self._applications = checked(self.client.list_applications(include_env_status=True, include_modules=include_modules),
                                             '/applications/', 'application', nested='AppStatusInEnvs')
                self._applications_with_modules = include_modules
            return self._applications

    def application(self, ref, parameter='application'):
        return match_one(self.applications(), ref, 'application', parameter)

    def application_by_key(self, key):
        """The application with this key, or None when LifeTime has none (a package may bring a new one).

        An index by key, made once per list read: callers ask once per plan operation or manifest entry.
        """
        if not key:
            return None
        applications = self.applications()
        if self._applications_index is None or self._applications_index[0] is not applications:
            index = {}
            for app in applications:
                if app.get('Key'):
                    index.setdefault(str(app['Key']).lower(), app)
            self._applications_index = (applications, index)
        return self._applications_index[1].get(str(key).lower())

    @staticmethod
    def status_in(application, env):
        """The application's AppStatusInEnv record for an environment, or None when it does not run there."""
        for status in application.get('AppStatusInEnvs') or []:
            if str(status.get('EnvironmentKey', '')).lower() == env['Key'].lower():
                return status
        return None

    # -- application versions ---------------------------------------------------------------------

    def versions(self, application, complete=False):
        """Versions of an application, newest first; only a recent page unless ``complete``."""
        key = application['Key']
        with self._lock:
            cached = self._versions.get(key)
        if cached is not None and (cached[1] or not complete):
            return cached[0]
        items = self.client.list_application_versions(key, maximum=VERSIONS_ALL if complete else VERSIONS_PAGE)
        whole = complete or len(items) < VERSIONS_PAGE
        with self._lock:
            self._versions[key] = (items, whole)
        return items

    def version(self, application, ref, parameter='version'):
        """An application version by version number or key."""
        where = 'of application %s' % application.get('Name')
        try:
            return match_one(self.versions(application), ref, 'version', parameter, name_field='Version', where=where)
        except LifeTimeLookupError as exc:
            if exc.details.get('candidates') or self._versions[application['Key']][1]:
                raise
        return match_one(self.versions(application, complete=True), ref, 'version', parameter, name_field='Version', where=where)

    def prefetch_versions(self, applications, complete=False):
        """List the versions of several applications at once (one call each, concurrently); all of them when ``complete``."""
        with self._lock:
            pending = [app for app in applications if app['Key'] not in self._versions or (complete and not self._versions[app['Key']][1])]
        if len(pending) == 1:
            self.versions(pending[0], complete)
        elif pending:
            with ThreadPoolExecutor(max_workers=min(WORKERS, len(pending))) as pool:
                # list() re-raises the first error of any lookup.
                list(pool.map(lambda app: self.versions(app, complete), pending))

    def running_version(self, application, env):
        """The version record an environment runs of an application (its base version when modified), or None."""
        status = self.status_in(application, env)
        if not status or not status.get('BaseApplicationVersionKey'):
            return None
        return self.version_by_key(application, status['BaseApplicationVersionKey'])

    def cached_version(self, application, version_key):
        """A version record by key if the versions of the application were already read, else None (no request)."""
        with self._lock:
            cached = self._versions.get(application['Key'])
        for item in (cached or ([], False))[0]:
            if same_key(item.get('Key'), version_key):
                return item
        return None

    def version_by_key(self, application, version_key):
        """A version record by key from the cached list, fetching it alone if it is older than the page."""
        for item in self.versions(application):
            if str(item.get('Key', '')).lower() == str(version_key).lower():
                return item
        return self.client.get_application_version(application['Key'], version_key)

    # -- deployment zones -------------------------------------------------------------------------

    def deployment_zones(self, env):
        key = env['Key']
        with self._lock:
            if key not in self._zones:
                self._zones[key] = self.client.list_deployment_zones(key)
            return self._zones[key]

    def deployment_zone(self, env, ref, parameter='deployment_zone'):
        return match_one(self.deployment_zones(env), ref, 'deployment zone', parameter, where='in environment %s' % env.get('Name'))
