# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: applications, their status in each environment and their versions, shaped as module results."""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.outsystems.lifetime.plugins.module_utils._application_config import NOT_BLOCKED, read_configurations
from ansible_collections.outsystems.lifetime.plugins.module_utils._environments import running_entry, select_environments
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake, version_entry
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import VERSIONS_PAGE, WORKERS

# The application fields running_entry() adds that belong to the application, not to its status in one environment.
_APPLICATION_FIELDS = ('key', 'name', 'kind', 'is_system')


def select_applications(resolver, names=None, include_system=False, include_modules=False, parameter='name'):
    """The applications named (by name or key), once each in the order given; else every application sorted by name.

    System applications are left out of the full list unless ``include_system``; an
    application named explicitly is always returned.
    """
    applications = resolver.applications(include_modules=include_modules)
    if names:
        chosen = []
        seen = set()
        for name in names:
            app = resolver.application(name, parameter)
            if app['Key'] not in seen:
                seen.add(app['Key'])
                chosen.append(app)
        return chosen
    listed = [app for app in applications if include_system or not app.get('IsSystem')]
    return sorted(listed, key=lambda app: (str(app.get('Name') or '').lower(), str(app.get('Key'))))


def status_entry(resolver, application, env, include_modules=False):
    """What one environment runs of an application, with the environment's key and name; None when it does not run there."""
    entry = running_entry(resolver, application, env)
    if entry is None:
        return None
    for field in _APPLICATION_FIELDS:
        entry.pop(field, None)
    result = {'environment_key': env.get('Key'), 'environment_name': env.get('Name')}
    result.update(entry)
    if include_modules:
        status = resolver.status_in(application, env) or {}
        result['modules'] = snake(status.get('ModuleStatusInEnvs') or [])
    return result


def _configurations(client, application):
    """{environment key: configuration} of an application, or None when this LifeTime or this account cannot read them."""
    try:
        return read_configurations(client, application)
    except LifeTimeAPIError:
        # An older LifeTime without the operation (405), or a role that may not read it (403): the state is unknown.
        return None


def blocking_of(resolver, applications, environments):
    """{application key: [{environment_key, environment_name, blocked, reason}]} for the environments selected.

    One configuration read per application, concurrently; ``blocked`` and ``reason`` are None when it could not be read.
    """
    if not applications:
        return {}
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(applications))) as pool:
        read = list(pool.map(lambda app: _configurations(resolver.client, app), applications))
    found = {}
    for application, configurations in zip(applications, read):
        entries = []
        for env in environments:
            configuration = None if configurations is None else configurations.get(env['Key'].lower(), NOT_BLOCKED)
            entries.append({'environment_key': env['Key'], 'environment_name': env['Name'],
                            'blocked': None if configuration is None else bool(configuration.get('isBlocked')),
                            'reason': None if configuration is None else configuration.get('isBlockedChangeReason') or ''})
        found[application['Key']] = entries
    return found


def applications_info(resolver, names=None, include_system=False, include_versions=0, include_modules=False, environments=None,
                      include_blocking=True):
    """The result list of lifetime_application_info.

    API requests: the environment list and the application list (with their status in every
    environment) once each; then the versions of each returned application that runs in one of
    the selected environments (to give the number of the running version), or of every returned
    application when ``include_versions`` is set: one request per application, made concurrently.
    """
    include_versions = include_versions or 0
    if include_versions < 0:
        raise LifeTimeUsageError('include_versions must be 0 or more (the number of most recent versions to return), not %d.'
                                 % include_versions, parameter='include_versions')
    selected_envs = select_environments(resolver, environments, parameter='environment')
    selected = select_applications(resolver, names, include_system=include_system, include_modules=include_modules)

    need_versions = [app for app in selected
                     if include_versions or any(resolver.status_in(app, env) for env in selected_envs)]
    # More than the resolver's page: ask for every version at once rather than a page and then everything.
    resolver.prefetch_versions(need_versions, complete=include_versions > VERSIONS_PAGE)

    blocking = blocking_of(resolver, selected, selected_envs) if include_blocking else {}
    items = [_application_item(resolver, app, selected_envs, include_versions, include_modules) for app in selected]
    if include_blocking:
        for app, item in zip(selected, items):
            item['deployment_blocking'] = blocking[app['Key']]
            by_env = dict((entry['environment_key'], entry) for entry in blocking[app['Key']])
            for status in item['environments']:
                entry = by_env.get(status['environment_key']) or {}
                status.update(blocked=entry.get('blocked'), blocked_reason=entry.get('reason'))
    return items


def _application_item(resolver, app, environments, include_versions, include_modules):
    item = {
        'key': app.get('Key'),
        'name': app.get('Name'),
        'kind': app.get('Kind'),
        'team': app.get('Team') or '',
        'description': app.get('Description') or '',
        'url_path': app.get('URLPath') or '',
        'icon_hash': app.get('IconHash') or '',
        'icon_url': app.get('IconURL') or '',
        'is_system': bool(app.get('IsSystem')),
    }
    entries = (status_entry(resolver, app, env, include_modules=include_modules) for env in environments)
    item['environments'] = [entry for entry in entries if entry]
    if include_versions:
        versions = resolver.versions(app, complete=include_versions > VERSIONS_PAGE)
        item['versions'] = [version_entry(version, include_modules) for version in versions[:include_versions]]
    return item
