# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The API's structures (seed 002, "Structures", and the Swagger definition): world records as PascalCase dicts."""

from __future__ import annotations

from tests.simulator import sourcecode
from tests.simulator.deployments import operation_view, started_by
from tests.simulator.model import API_USER, API_USERNAME, iso


def details_url(world, page, field, key):
    """A DetailsURL: the LifeTime page of an object (the page names are the simulator's, see README.md)."""
    return '%s/lifetime/%s.aspx?%s=%s' % (world.base_url, page, field, key)


def environment(world, env):
    return {
        'Key': env.key, 'Name': env.name, 'OSVersion': env.os_version, 'Order': env.order,
        'DetailsURL': details_url(world, 'EnvironmentDetails', 'EnvironmentKey', env.key), 'HostName': env.host_name,
        'UseHTTPS': env.use_https, 'EnvironmentType': env.env_type, 'NumberOfFrontEnds': env.number_of_front_ends,
        'ApplicationServerType': env.app_server_type, 'ApplicationServer': env.app_server,
        'DatabaseProvider': env.database_provider, 'IsCloudEnvironment': env.is_cloud, 'IsOffline': env.is_offline,
    }


def deployment_zone(zone):
    return {'Key': zone.key, 'Name': zone.name, 'IsDefault': zone.is_default,
            'DeploymentTechnology': {'Key': zone.technology_key, 'Name': zone.technology_name}}


def application(world, app, *, include_status=False, include_modules=False, env=None):
    """An Application; AppStatusInEnvs is filled only with IncludeEnvStatus, for ``env`` alone when given."""
    statuses = []
    if include_status:
        envs = [env] if env is not None else world.environments()
        for each in envs:
            status = world.status_index.get((each.key.lower(), app.key.lower()))
            if status is not None:
                statuses.append(app_status(world, app, status, include_modules))
    return {
        'Key': app.key, 'Name': app.name, 'Kind': app.kind, 'Team': app.team, 'Description': app.description,
        'URLPath': app.url_path, 'IconHash': app.icon_hash,
        'IconURL': '/LifeTimeSDK/ApplicationIcon.aspx?ApplicationKey=%s' % app.key,
        'DetailsURL': details_url(world, 'ApplicationDetails', 'ApplicationKey', app.key),
        'IsSystem': app.is_system, 'AppStatusInEnvs': statuses,
    }


def app_status(world, app, status, include_modules):
    base = world.version_index[status.base_version_key.lower()]
    mobile = [{
        'EnvironmentKey': status.env_key, 'NativePlatform': m.platform, 'VersionNumber': m.number,
        'HasBinaryAvailable': True, 'IsConfigured': True, 'IsConfigurationChanged': False, 'IsModified': status.modified,
    } for m in base.mobile_versions] if app.is_mobile else []
    modules = [module_status(app.key, status.env_key, mv_key) for mv_key in status.module_versions.values()] \
        if include_modules else []
    entry = {'EnvironmentKey': status.env_key, 'BaseApplicationVersionKey': status.base_version_key}
    if world.supports('base_version_label'):
        entry['BaseApplicationVersionLabel'] = base.number
    entry.update({
        'IsModified': status.modified, 'IsModifiedReason': status.modified_reason,
        'IsModifiedMessage': status.modified_message, 'ConsistencyStatus': '', 'ConsistencyStatusMessages': '',
        'MobileAppsStatus': mobile, 'ModuleStatusInEnvs': modules, 'DeploymentZoneKey': status.zone_key,
    })
    return entry


def module_status(app_key, env_key, module_version_key):
    return {'ApplicationKey': app_key, 'EnvironmentKey': env_key, 'ModuleVersionKey': module_version_key,
            'ConsistencyStatus': '', 'ConsistencyStatusMessages': ''}


def version(world, ver, in_use, *, include_modules=True):
    return {
        'Key': ver.key, 'ApplicationKey': ver.application_key, 'Version': ver.number, 'ChangeLog': ver.change_log,
        'CreatedOn': iso(ver.created_on), 'InUse': ver.key.lower() in in_use,
        'MobileVersions': [mobile_version(m) for m in ver.mobile_versions],
        'PrimaryColor': ver.primary_color, 'NativeHash': ver.native_hash,
        'ModuleVersions': [module_version(world.module_version_index[k.lower()]) for k in ver.module_version_keys]
        if include_modules else [],
        'EnvironmentKey': ver.env_key,
    }


def mobile_version(mobile):
    return {'NativePlatform': mobile.platform, 'VersionNumber': mobile.number, 'VersionDescription': mobile.description}


def module_version(mv):
    return {
        'Key': mv.key, 'ModuleKey': mv.module_key, 'CreatedOn': iso(mv.created_on), 'CreatedBy': mv.created_by,
        'CreatedByUsername': mv.created_by_username, 'GeneralHash': mv.general_hash,
        'DirectUpgradeFromHash': mv.direct_upgrade_from_hash,
    }


def module(world, mod, *, include_status=False):
    statuses = []
    if include_status:
        for env in world.environments():
            status = world.status_index.get((env.key.lower(), mod.application_key.lower()))
            if status is not None and mod.key in status.module_versions:
                statuses.append(module_status(mod.application_key, env.key, status.module_versions[mod.key]))
    return {'Key': mod.key, 'Name': mod.name, 'Description': mod.description, 'Kind': mod.kind,
            'ModuleStatusInEnv': statuses}


def deployment(world, plan):
    """A Deployment (also the DeploymentData answered by PUT)."""
    started = started_by(plan)
    aborted = (API_USER, API_USERNAME) if plan.aborted_on else ('', '')
    return {
        'Key': plan.key, 'SourceEnvironmentKey': plan.source_key, 'TargetEnvironmentKey': plan.target_key,
        'DetailsURL': details_url(world, 'DeploymentDetails', 'DeploymentKey', plan.key), 'Notes': plan.notes,
        'CreatedOn': iso(plan.created_on), 'CreatedBy': API_USER, 'CreatedByUsername': API_USERNAME,
        'SavedOn': iso(plan.saved_on), 'SavedBy': API_USER, 'SavedByUsername': API_USERNAME,
        'StartedOn': iso(plan.started_on), 'StartedBy': started[0], 'StartedByUsername': started[1],
        'AbortedOn': iso(plan.aborted_on), 'AbortedBy': aborted[0], 'AbortedByUsername': aborted[1],
        'ApplicationOperations': [operation_view(world, op) for op in plan.operations],
    }


def deployment_details(world, plan):
    """GET /deployments/{key}/: ApplicationsToDeploy lists what a binary plan's package holds (seed 003), [] otherwise."""
    return {
        'Deployment': deployment(world, plan),
        'ApplicationsToDeploy': [dict(a) for a in plan.applications_to_deploy],
        'ApplicationsToRedeploy': [],
        'ApplicationConflicts': [dict(c) for c in plan.conflicts],
        'ModulesToDelete': [],
    }


def deployment_status(plan):
    return {
        'DeploymentStatus': plan.status,
        'Info': plan.info if plan.status == 'needs_user_intervention' else '',
        'DeploymentLog': [{'Instant': iso(line.instant), 'Message': line.message, 'Type': line.kind} for line in plan.log],
    }


def application_configurations(world, app):
    """ApplicationConfigurations: the deployment blocking of an application in every environment."""
    configurations = []
    for env in world.environments():
        config = world.app_configurations.get((app.key.lower(), env.key.lower()), {'blocked': False, 'reason': ''})
        configurations.append({'environmentKey': env.key, 'isBlocked': config['blocked'],
                               'isBlockedChangeReason': config['reason']})
    return {'configurations': configurations}


def source_code_status(world, package):
    return {'PackageKey': package.key, 'Status': package.status, 'Messages': sourcecode.messages(world, package)}


def download_link(world, link):
    return {'url': world.link_url(link), 'expires': iso(link.expires_on)}
