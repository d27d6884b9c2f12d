# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the LifeTime Deployment API v2, one method per operation the collection uses.

Each method names its path, query parameters and body as LifeTime's API definition
declares them (tests/contract checks every request the test suite sends); how a
request travels (origins, deadlines, retries, streaming) is the _http package's.

The client remembers the names of the objects LifeTime listed to it (environments,
applications, versions, modules, the plans it created or read), so that a refusal
(403) says what was refused in LifeTime's names ("tag EmployeeBackoffice in
Development"), not only by the keys in the path.
"""

import os

from urllib.parse import quote

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimePermissionError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.streaming import LINK_TYPES
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.transport import Transport


class Names:
    """Names of LifeTime objects by key, as LifeTime listed them during this run (the key itself for one never listed)."""

    def __init__(self):
        self.named = {}
        self.versions = {}
        self.plans = {}

    def learn(self, records, name_field='Name'):
        for record in records if isinstance(records, list) else []:
            if isinstance(record, dict) and record.get('Key') and record.get(name_field):
                self.named[str(record['Key']).lower()] = str(record[name_field])
        return records

    def learn_versions(self, app_key, records):
        for record in records if isinstance(records, list) else [records]:
            if isinstance(record, dict) and record.get('Key'):
                self.versions[str(record['Key']).lower()] = (app_key, record.get('Version'))
        return records

    def learn_running(self, applications):
        """The versions an application list says run (AppStatusInEnvs), so a plan of them names its applications."""
        for application in applications if isinstance(applications, list) else []:
            statuses = application.get('AppStatusInEnvs') if isinstance(application, dict) else None
            for status in statuses if isinstance(statuses, list) else []:
                key = status.get('BaseApplicationVersionKey') if isinstance(status, dict) else None
                if key and application.get('Key'):
                    # A label LifeTime did not send never hides a version number learned from a version list.
                    number = status.get('BaseApplicationVersionLabel') or self.versions.get(str(key).lower(), (None, None))[1]
                    self.versions[str(key).lower()] = (application['Key'], number)
        return applications

    def learn_plan(self, key, target_key, version_keys=()):
        if key and target_key:
            self.plans[str(key).lower()] = (target_key, [self.versions.get(str(item).lower(), (None, None))[0] for item in version_keys])

    def of(self, key):
        return bounded(self.named.get(str(key).lower(), key))

    def version(self, app_key, version_key):
        number = self.versions.get(str(version_key).lower(), (None, None))[1]
        return 'version %s of %s' % (bounded(number or version_key), self.of(app_key))

    def applications(self, app_keys):
        names = [self.of(key) for key in app_keys if key]
        shown = ', '.join(names[:5]) + (' and %d more' % (len(names) - 5) if len(names) > 5 else '')
        return shown or 'the applications of a package'

    def plan(self, key):
        target_key, app_keys = self.plans.get(str(key).lower(), (None, []))
        what = 'deployment plan %s' % bounded(key)
        if app_keys and any(app_keys):
            what += ' (%s)' % self.applications(app_keys)
        return what + (' to %s' % self.of(target_key) if target_key else '')


class LifeTimeClient(Transport):
    """The LifeTime Deployment API v2 operations the modules use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = Names()

    def _for(self, describe, call):
        """``call()``; a refusal (403) says what was refused: ``describe()``, in LifeTime's names."""
        try:
            return call()
        except LifeTimePermissionError as exc:
            exc.about(describe())
            raise

    # -- environments -----------------------------------------------------------------------------

    def list_environments(self):
        return self.names.learn(self.get_list('/environments/'))

    def list_deployment_zones(self, env_key):
        return self._for(lambda: 'list the deployment zones of %s' % self.names.of(env_key),
                         lambda: self.get_list('/environments/%s/deploymentzones/' % _seg(env_key)))

    def running_application_link(self, env_key, app_key, binary_type=None):
        params = {'Type': binary_type} if binary_type else None
        return self._for(lambda: 'download %s as it runs in %s' % (self.names.of(app_key), self.names.of(env_key)),
                         lambda: self.get('/environments/%s/applications/%s/content/' % (_seg(env_key), _seg(app_key)), params=params,
                                          expect=LINK_TYPES))

    def create_application_version(self, env_key, app_key, version, change_log=None, mobile_versions=None):
        body = {'Version': version, 'ChangeLog': change_log or '', 'MobileVersions': mobile_versions or []}
        return self._for(lambda: 'tag %s as version %s in %s' % (self.names.of(app_key), bounded(version), self.names.of(env_key)),
                         lambda: self.create('/environments/%s/applications/%s/versions/' % (_seg(env_key), _seg(app_key)), json_body=body))

    # -- applications -----------------------------------------------------------------------------

    def list_applications(self, include_env_status=True, include_modules=False):
        # LifeTime answers 400 when modules are asked for without the environment status.
        applications = self.get_list('/applications/', params=_flags(IncludeEnvStatus=include_env_status or include_modules,
                                                                     IncludeModules=include_modules))
        return self.names.learn_running(self.names.learn(applications))

    def list_application_versions(self, app_key, maximum=None):
        params = {}
        if maximum is not None:
            params['MaximumVersionsToReturn'] = int(maximum)
        return self.names.learn_versions(app_key, self._for(lambda: 'list the versions of %s' % self.names.of(app_key),
                                                            lambda: self.get_list('/applications/%s/versions/' % _seg(app_key),
                                                                                  params=params or None)))

    def get_application_version(self, app_key, version_key, include_modules=False):
        # IncludeModules is a required parameter of this operation in LifeTime's API definition: always sent.
        return self.names.learn_versions(app_key, self.get('/applications/%s/versions/%s/' % (_seg(app_key), _seg(version_key)),
                                                           params={'IncludeModules': _bool(include_modules)}))

    def delete_application_version(self, app_key, version_key):
        return self._for(lambda: 'delete %s' % self.names.version(app_key, version_key),
                         lambda: self.command('DELETE', '/applications/%s/versions/%s/' % (_seg(app_key), _seg(version_key))))

    def application_version_link(self, app_key, version_key):
        return self._for(lambda: 'download %s' % self.names.version(app_key, version_key),
                         lambda: self.get('/applications/%s/versions/%s/content/' % (_seg(app_key), _seg(version_key)), expect=LINK_TYPES))

    # -- application configurations (deployment blocking) -------------------------------------------

    def get_application_configurations(self, app_key):
        """The ApplicationConfigurations of an application: ``{'configurations': [{environmentKey, isBlocked, isBlockedChangeReason}]}``."""
        return self._for(lambda: 'read the deployment configurations of %s' % self.names.of(app_key),
                         lambda: self.get('/applications/%s/configurations/' % _seg(app_key)))

    def update_application_configurations(self, app_key, configurations):
        """PUT ApplicationConfiguration records (environmentKey, isBlocked, isBlockedChangeReason); LifeTime answers 204."""
        configurations = list(configurations)

        def describe():
            where = ', '.join(self.names.of(item.get('environmentKey')) for item in configurations if isinstance(item, dict))
            return 'change whether %s may be deployed to %s' % (self.names.of(app_key), where or 'its environments')
        return self._for(describe, lambda: self.command('PUT', '/applications/%s/configurations/' % _seg(app_key),
                                                        json_body={'configurations': configurations}, invalid_state=False))

    # -- modules ------------------------------------------------------------------------------------

    def list_modules(self, include_env_status=False):
        return self.names.learn(self.get_list('/modules/', params=_flags(IncludeEnvStatus=include_env_status)))

    # -- deployments ------------------------------------------------------------------------------

    def list_deployments(self, target_env_key=None, min_date=None, max_date=None):
        params = {}
        if target_env_key:
            params['TargetEnvironmentKey'] = target_env_key
        if min_date:
            params['MinDate'] = min_date
        if max_date:
            params['MaxDate'] = max_date
        plans = self.get_list('/deployments/', params=params or None)
        for plan in plans:
            if isinstance(plan, dict):
                self.names.learn_plan(plan.get('Key'), plan.get('TargetEnvironmentKey'))
        return plans

    def create_deployment(self, source_env_key, target_env_key, operations, notes=''):
        body = {
            'ApplicationOperations': [
                {'ApplicationVersionKey': op['ApplicationVersionKey'], 'DeploymentZoneKey': op.get('DeploymentZoneKey') or ''}
                for op in operations
            ],
            'Notes': notes or '',
            'SourceEnvironmentKey': source_env_key,
            'TargetEnvironmentKey': target_env_key,
        }
        version_keys = [op['ApplicationVersionKey'] for op in body['ApplicationOperations']]

        def describe():
            apps = [self.names.versions.get(str(key).lower(), (None, None))[0] for key in version_keys]
            return 'create a deployment plan of %s from %s to %s' % (self.names.applications(apps), self.names.of(source_env_key),
                                                                     self.names.of(target_env_key))
        key = self._for(describe, lambda: self.create('/deployments/', json_body=body))
        self.names.learn_plan(key, target_env_key, version_keys)
        return key

    def get_deployment(self, deployment_key):
        details = self.get('/deployments/%s/' % _seg(deployment_key))
        plan = (details or {}).get('Deployment') if isinstance(details, dict) else None
        if isinstance(plan, dict):
            self.names.learn_plan(deployment_key, plan.get('TargetEnvironmentKey'),
                                  [op.get('ApplicationVersionKey') for op in plan.get('ApplicationOperations') or [] if isinstance(op, dict)])
        return details

    def update_deployment(self, deployment_key, body):
        path = '/deployments/%s/' % _seg(deployment_key)
        return self._for(lambda: 'change %s' % self.names.plan(deployment_key),
                         lambda: self._json('PUT', path, self.send('PUT', path, json_body=body, invalid_state=True)))

    def delete_deployment(self, deployment_key):
        return self._for(lambda: 'delete %s' % self.names.plan(deployment_key),
                         lambda: self.command('DELETE', '/deployments/%s/' % _seg(deployment_key)))

    def deployment_command(self, deployment_key, command, redeploy_outdated=None, continue_with_errors=None):
        params = {}
        if redeploy_outdated is not None:
            params['RedeployOutdated'] = _bool(redeploy_outdated)
        if continue_with_errors is not None:
            params['ContinueWithErrors'] = _bool(continue_with_errors)
        return self._for(lambda: '%s %s' % (bounded(command), self.names.plan(deployment_key)),
                         lambda: self.command('POST', '/deployments/%s/%s/' % (_seg(deployment_key), _seg(command)), params=params or None))

    def get_deployment_status(self, deployment_key):
        return self.get('/deployments/%s/status/' % _seg(deployment_key))

    def missing_database_mappings(self, deployment_key):
        """The extensions' logical databases a paused plan still needs mapped (LifeTime 11.21.1+)."""
        return self.get_list('/deployments/%s/getmissingdbmappings/' % _seg(deployment_key))

    def map_databases(self, deployment_key, mappings):
        """Map logical databases of extensions to database connections of the target: [{ExtensionKey, DBMapping: [...]}]."""
        return self._for(lambda: 'map the databases of %s' % self.names.plan(deployment_key),
                         lambda: self.command('POST', '/deployments/%s/configuration/' % _seg(deployment_key), json_body=mappings))

    def deploy_binary(self, env_key, src):
        """Upload an .oap/.osp as a new deployment plan to an environment; returns (key, sha256, size)."""
        return self._for(lambda: 'deploy the package %s to %s' % (bounded(os.path.basename(str(src))), self.names.of(env_key)),
                         lambda: self.upload('/environments/%s/deployment/' % _seg(env_key), src))

    # -- solutions ---------------------------------------------------------------------------------

    def create_solution(self, env_key, name, app_keys, include_references):
        body = {'SolutionName': name, 'ApplicationKeys': list(app_keys), 'IncludeReferences': 'True' if include_references else 'False'}
        return self._for(lambda: 'build the solution %s of %s in %s' % (bounded(name), self.names.applications(body['ApplicationKeys']),
                                                                        self.names.of(env_key)),
                         lambda: self.create('/environments/%s/solution/' % _seg(env_key), json_body=body))

    def get_solution_status(self, env_key, solution_key):
        return self.get('/environments/%s/solutionstatus/%s/' % (_seg(env_key), _seg(solution_key)))

    def solution_link(self, env_key, solution_key):
        return self.get('/environments/%s/solution/%s/' % (_seg(env_key), _seg(solution_key)), expect=LINK_TYPES)

    # -- source code packages (LifeTime 11.21.1 and later) --------------------------------------------
    # The POST answers a SourceCode_Status record {PackageKey, Status, Messages}, not a bare key.

    def create_application_source_code(self, env_key, app_key):
        path = '/environments/%s/applications/%s/sourcecodeaccess/' % (_seg(env_key), _seg(app_key))
        return self._for(lambda: 'package the source code of %s in %s' % (self.names.of(app_key), self.names.of(env_key)),
                         lambda: self._json('POST', path, self.send('POST', path)))

    def application_source_code_status(self, env_key, app_key, package_key):
        return self.get('/environments/%s/applications/%s/sourcecodeaccess/%s/status/' % (_seg(env_key), _seg(app_key), _seg(package_key)))

    def application_source_code_link(self, env_key, app_key, package_key):
        return self.get('/environments/%s/applications/%s/sourcecodeaccess/%s/download/' % (_seg(env_key), _seg(app_key), _seg(package_key)),
                        expect=LINK_TYPES)

    def create_module_source_code(self, env_key, module_key):
        path = '/environments/%s/modules/%s/sourcecodeaccess/' % (_seg(env_key), _seg(module_key))
        return self._for(lambda: 'package the source code of module %s in %s' % (self.names.of(module_key), self.names.of(env_key)),
                         lambda: self._json('POST', path, self.send('POST', path)))

    def module_source_code_status(self, env_key, module_key, package_key):
        return self.get('/environments/%s/modules/%s/sourcecodeaccess/%s/status/' % (_seg(env_key), _seg(module_key), _seg(package_key)))

    def module_source_code_link(self, env_key, module_key, package_key):
        return self.get('/environments/%s/modules/%s/sourcecodeaccess/%s/download/' % (_seg(env_key), _seg(module_key), _seg(package_key)),
                        expect=LINK_TYPES)


def _seg(value):
    """One URL path segment, escaped: keys come from users and must not add path segments."""
    return quote(str(value), safe='')


def _bool(value):
    return 'true' if value else 'false'


def _flags(**flags):
    params = dict((name, 'true') for name, value in flags.items() if value)
    return params or None
