# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: environments and what runs in them, shaped as module results."""

from ansible_collections.outsystems.lifetime.plugins.module_utils._results import snake


def running_entry(resolver, application, env):
    """What an environment runs of an application, in snake_case, with the running version number.

    None when the application does not run in the environment. The versions of the
    application must already be cached (Resolver.prefetch_versions) to avoid one call each.
    """
    status = resolver.status_in(application, env)
    if status is None:
        return None
    version = resolver.running_version(application, env)
    return {
        'key': application.get('Key'),
        'name': application.get('Name'),
        'kind': application.get('Kind'),
        'is_system': bool(application.get('IsSystem')),
        'version': version.get('Version') if version else None,
        'version_key': status.get('BaseApplicationVersionKey') or None,
        'is_modified': bool(status.get('IsModified')),
        'is_modified_reason': status.get('IsModifiedReason') or '',
        'is_modified_message': status.get('IsModifiedMessage') or '',
        'consistency_status': status.get('ConsistencyStatus') or '',
        'consistency_status_messages': status.get('ConsistencyStatusMessages') or '',
        'deployment_zone_key': status.get('DeploymentZoneKey') or '',
        'mobile_apps_status': snake(status.get('MobileAppsStatus') or []),
    }


def select_environments(resolver, names, parameter='name'):
    """The environments named (by name or key), once each, in LifeTime's order; all when ``names`` is empty."""
    if not names:
        return list(resolver.environments())
    chosen = {}
    for name in names:
        env = resolver.environment(name, parameter)
        chosen[env['Key']] = env
    return [env for env in resolver.environments() if env['Key'] in chosen]


def environments_info(resolver, names=None, include_applications=False, include_deployment_zones=False):
    """The result list of lifetime_environment_info."""
    selected = select_environments(resolver, names)
    if include_applications:
        applications = resolver.applications()
        running = [app for app in applications if any(resolver.status_in(app, env) for env in selected)]
        resolver.prefetch_versions(running)
    result = []
    for env in selected:
        item = snake(env)
        if include_applications:
            entries = (running_entry(resolver, app, env) for app in running)
            item['applications'] = sorted((entry for entry in entries if entry), key=lambda entry: (entry['name'] or '').lower())
        if include_deployment_zones:
            item['deployment_zones'] = snake(resolver.deployment_zones(env))
        result.append(item)
    return result
