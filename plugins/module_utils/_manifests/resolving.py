# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: release manifests against LifeTime: what a manifest names found there, and the manifest of what runs.

``resolve_environment(resolver, manifest, ref, parameter)`` -> LifeTime's environment record
    ``ref`` is a label of the manifest, or LifeTime's name or key, and must mean exactly one environment: a label of one
    environment that is the name of another is refused as ambiguous (LifeTimeUsageError naming both), and so is a
    definition whose key and name are two environments. Raises LifeTimeLookupError when nothing matches.

``resolve_versions(resolver, manifest, include_test_applications=False, parameter='manifest')``
    -> [(application record, version record, entry)]: every version the manifest deploys, found in LifeTime by key.
    Raises LifeTimeLookupError when an application or version does not exist, LifeTimeUsageError when the version key
    and the version number of an entry disagree. Reads the applications once and each application's versions.

``manifest_of(resolver, environment, applications=None, notes=None, template=None, test_applications=None, fresh=False)``
    -> dict: the manifest, in the package's format, of what ``environment`` (a record, name or key) runs for ``applications``
    (records, names or keys; None or empty: ``template``'s applications, or every non-system application that runs
    there), sorted by application name. ``template`` (a Manifest) gives the environment labels (by key), the test flags,
    the notes (unless ``notes``) and the configuration items to carry over; ``test_applications`` (names or keys) marks
    more. ``fresh=True`` reads LifeTime again through a new Resolver (after a deployment the resolver's cached statuses
    are those of before). Raises LifeTimeLookupError for an application that does not run there and LifeTimeUsageError
    for one changed there since its last version (what runs is no version the manifest could name).

``manifest_after_deployment(resolver, environment, applications, template=None, notes=None)`` -> dict
    The complete release manifest after a deployment: ``manifest_of`` for ``applications``, plus ``template``'s test
    applications that were not deployed, carried over unchanged (still IsTestApplication).
"""

import copy

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeNotFoundError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.reading import (
    APPLICATION_VERSIONS,
    CONFIGURATION_ITEMS,
    DEPLOYMENT_NOTES,
    ENVIRONMENT_DEFINITIONS,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver, same_key


def _definition_environment(resolver, manifest, definition, ref, parameter):
    """LifeTime's environment a definition of the manifest names: by its key, else (another LifeTime) by its name.

    A definition whose key is one environment and whose name is another contradicts itself: it is refused rather than
    trusted either way.
    """
    environments = resolver.environments()
    by_key = next((env for env in environments if same_key(env.get('Key'), definition['environment_key'])), None)
    by_name = next((env for env in environments if env.get('Name') == definition['environment_name']), None)
    if by_key is not None and by_name is not None and not same_key(by_key['Key'], by_name['Key']):
        raise LifeTimeUsageError(
            '%s %r is the label of a definition in %s whose key is environment %s but whose name is environment %s: the manifest '
            'contradicts itself, so it cannot say where to deploy. Nothing was changed.'
            % (parameter, ref, manifest.origin, _env_text(by_key), _env_text(by_name)), parameter=parameter)
    found = by_key or by_name
    if found is None:
        raise LifeTimeLookupError(
            '%s %r is the label of environment %s (%s) in %s, and LifeTime has no environment with that key or name. Existing: %s.'
            % (parameter, ref, definition['environment_name'], definition['environment_key'], manifest.origin,
               ', '.join(env.get('Name') for env in environments) or 'none'), parameter=parameter)
    return found


def _env_text(env):
    return '%s (%s)' % (env.get('Name'), env.get('Key'))


def _by_key(records, field='Key'):
    """Records by their key, folded as same_key compares keys (the first one when LifeTime lists a key twice): one look-up per
    entry of a manifest instead of a pass over LifeTime's list."""
    index = {}
    for record in records:
        if record.get(field):
            index.setdefault(str(record[field]).lower(), record)
    return index


def _find(index, key):
    return index.get(str(key).lower()) if key else None


def _shown(items, limit=40):
    """Names for a message: the first ``limit``, then how many more (a manifest may define thousands)."""
    items = list(items)
    if len(items) > limit:
        return ', '.join(items[:limit]) + ' and %d more' % (len(items) - limit)
    return ', '.join(items) or 'none'


def _folded(text):
    return str(text or '').strip().lower()


def _definitions_meaning(manifest, ref):
    """The manifest's definitions whose label, name or key is ``ref``, ignoring case and surrounding spaces."""
    wanted = _folded(ref)
    return [definition for definition in manifest.environments
            if wanted in (_folded(definition['environment_label']), _folded(definition['environment_name']),
                          _folded(definition['environment_key']))]


def resolve_environment(resolver, manifest, ref, parameter):
    """LifeTime's environment for ``ref``: a label of the manifest, or LifeTime's own name or key - exactly one environment.

    Every environment ``ref`` could mean is considered, ignoring case and surrounding spaces: LifeTime's by name or key,
    and each definition of the manifest by label, name or key. When they are not all one environment, ``ref`` is refused as
    ambiguous, naming each: a manifest never redirects a deployment.
    """
    if manifest is None:
        return resolver.environment(ref, parameter)
    meanings = []
    try:
        meanings.append((resolver.environment(ref, parameter), 'in LifeTime'))
    except LifeTimeLookupError as exc:
        if exc.details.get('candidates'):
            raise
    for definition in _definitions_meaning(manifest, ref):
        meanings.append((_definition_environment(resolver, manifest, definition, ref, parameter),
                         'in %s, label %r' % (manifest.origin, definition['environment_label'])))
    distinct = []
    for env, where in meanings:
        if not any(same_key(env['Key'], other['Key']) for other, dummy in distinct):
            distinct.append((env, where))
    if len(distinct) == 1:
        return distinct[0][0]
    if not distinct:
        labels = _shown(repr(item['environment_label']) for item in manifest.environments)
        raise LifeTimeLookupError('No environment %r (%s). Existing: %s; labels in %s: %s.'
                                  % (str(ref).strip(), parameter, _shown(str(env.get('Name')) for env in resolver.environments()),
                                     manifest.origin, labels), parameter=parameter)
    raise LifeTimeUsageError(
        '%s %r is ambiguous: it means %s. Give the key of the environment you mean, or a name or label that means only it. '
        'Nothing was changed.' % (parameter, ref, ' and '.join('environment %s (%s)' % (_env_text(env), where) for env, where in distinct)),
        parameter=parameter, candidates=[dict(name=env.get('Name'), key=env.get('Key')) for env, dummy in distinct])


def _manifest_version(resolver, application, entry, where, parameter):
    version = resolver.cached_version(application, entry['version_key'])
    if version is None:
        try:
            version = resolver.client.get_application_version(application['Key'], entry['version_key'])
        except LifeTimeNotFoundError:
            raise LifeTimeLookupError(
                '%s.VersionKey: LifeTime has no version %s (key %s) of %s. It was deleted after the manifest was made, or the manifest '
                'comes from another LifeTime.' % (where, entry['version_number'], entry['version_key'], application['Name']),
                parameter=parameter)
    if str(version.get('Version')) != entry['version_number']:
        raise LifeTimeUsageError(
            '%s.VersionNumber is %s, but version key %s of %s is version %s: the manifest was changed by hand or is damaged. '
            'Nothing was changed.' % (where, entry['version_number'], entry['version_key'], application['Name'], version.get('Version')),
            parameter=parameter)
    return version


def resolve_versions(resolver, manifest, include_test_applications=False, parameter='manifest'):
    """[(application, version, entry)] for every version the manifest deploys; every one must exist in LifeTime."""
    chosen = []
    applications = _by_key(resolver.applications())
    for entry in manifest.to_deploy(include_test_applications):
        where = '%s.%s[%d]' % (parameter, APPLICATION_VERSIONS, entry['index'])
        application = _find(applications, entry['application_key'])
        if application is None:
            raise LifeTimeLookupError(
                '%s.ApplicationKey: LifeTime has no application %s (key %s). It was deleted, or the manifest comes from another LifeTime.'
                % (where, entry['application_name'], entry['application_key']), parameter=parameter)
        chosen.append((application, entry, where))
    resolver.prefetch_versions([application for application, dummy, dummy2 in chosen])
    return [(application, _manifest_version(resolver, application, entry, where, parameter), entry)
            for application, entry, where in chosen]


def _given_applications(resolver, applications):
    chosen = []
    keys = set()
    known = None
    for index, ref in enumerate(applications):
        if isinstance(ref, dict):
            # A record read by another Resolver may be stale (read before a deployment): this one's, by key.
            known = _by_key(resolver.applications()) if known is None else known
            application = _find(known, ref['Key']) or ref
        else:
            application = resolver.application(ref, 'applications[%d]' % index)
        key = str(application['Key']).lower()
        if key in keys:
            raise LifeTimeUsageError('applications lists %s twice.' % application['Name'], parameter='applications')
        keys.add(key)
        chosen.append(application)
    return chosen


def _chosen_applications(resolver, env, applications, template):
    """The application records the manifest is about: as given, else the template's, else every non-system one running in ``env``."""
    if applications:
        return _given_applications(resolver, applications)
    if template is not None:
        return [pair[0] for pair in _template_applications(resolver, template)]
    return [app for app in resolver.applications() if not app.get('IsSystem') and resolver.status_in(app, env)]


def _template_applications(resolver, template):
    found = []
    known = _by_key(resolver.applications())
    for entry in template.applications:
        application = _find(known, entry['application_key'])
        if application is None:
            raise LifeTimeLookupError('%s names application %s (key %s), which LifeTime does not have.'
                                      % (template.origin, entry['application_name'], entry['application_key']), parameter='applications')
        found.append((application, entry))
    return found


def _running_status(resolver, application, env, index):
    status = resolver.status_in(application, env)
    if not status or not status.get('BaseApplicationVersionKey'):
        raise LifeTimeLookupError('%s does not run in %s (applications[%d]): a manifest names versions that run in the environment.'
                                  % (application['Name'], env['Name'], index), parameter='applications')
    if status.get('IsModified'):
        raise LifeTimeUsageError(
            '%s is modified in %s since its last version (%s): what runs there has no version yet, so no manifest can name it. Tag it '
            'first with outsystems.lifetime.lifetime_app_version (application: %s, environment: %s).'
            % (application['Name'], env['Name'], status.get('IsModifiedMessage') or 'modified', application['Name'], env['Name']),
            parameter='applications')
    return status


def _test_keys(resolver, chosen, test_applications, template):
    keys = set()
    chosen_keys = set(str(other['Key']).lower() for other in chosen)
    for index, ref in enumerate(test_applications or []):
        application = resolver.application(ref, 'test_applications[%d]' % index)
        if str(application['Key']).lower() not in chosen_keys:
            raise LifeTimeUsageError('test_applications[%d] is %s, which is not one of the applications of the manifest.'
                                     % (index, application['Name']), parameter='test_applications')
        keys.add(application['Key'].lower())
    if template is not None:
        keys.update(entry['application_key'].lower() for entry in template.applications if entry['is_test_application'])
    return keys


def _environment_definitions(resolver, template):
    definitions = []
    carried = _by_key(template.environments if template is not None else [], 'environment_key')
    for env in resolver.environments():
        known = _find(carried, env['Key'])
        label = known['environment_label'] if known else env['Name']
        definitions.append({'EnvironmentKey': env['Key'], 'EnvironmentName': env['Name'], 'EnvironmentLabel': label})
    return definitions


def _zone_names(resolver, env, statuses):
    if not any(status.get('DeploymentZoneKey') for status in statuses):
        return {}
    return dict((str(zone.get('Key', '')).lower(), zone.get('Name')) for zone in resolver.deployment_zones(env))


def _entry(application, version, status, zones, tests):
    """One entry of ApplicationVersions, as outsystems-pipeline writes it: LifeTime's values unchanged."""
    zone_key = status.get('DeploymentZoneKey') or ''
    return {
        'ApplicationKey': application['Key'],
        'ApplicationName': application['Name'],
        'VersionKey': version['Key'],
        'VersionNumber': version.get('Version'),
        'CreatedOn': version.get('CreatedOn'),
        'ChangeLog': version.get('ChangeLog'),
        'IsTestApplication': application['Key'].lower() in tests,
        'DeploymentZoneKey': zone_key,
        'DeploymentZoneName': zones.get(zone_key.lower()) if zone_key else None,
    }


def _notes(notes, template):
    if notes is not None:
        return notes
    return template.notes if template is not None and template.notes is not None else ''


def manifest_of(resolver, environment, applications=None, notes=None, template=None, test_applications=None, fresh=False):
    """The manifest (a dict in the pipelines' format) of what ``environment`` runs for ``applications``; see the module's docstring."""
    if fresh:
        resolver = Resolver(resolver.client)
    env = environment if isinstance(environment, dict) else resolver.environment(environment)
    chosen = _chosen_applications(resolver, env, applications, template)
    statuses = [_running_status(resolver, application, env, index) for index, application in enumerate(chosen)]
    tests = _test_keys(resolver, chosen, test_applications, template)
    resolver.prefetch_versions(chosen)
    zones = _zone_names(resolver, env, statuses)
    entries = [_entry(application, resolver.version_by_key(application, status['BaseApplicationVersionKey']), status, zones, tests)
               for application, status in zip(chosen, statuses)]
    entries.sort(key=lambda entry: (str(entry['ApplicationName']).lower(), str(entry['ApplicationKey']).lower()))
    data = {APPLICATION_VERSIONS: entries, ENVIRONMENT_DEFINITIONS: _environment_definitions(resolver, template),
            DEPLOYMENT_NOTES: _notes(notes, template)}
    if template is not None and CONFIGURATION_ITEMS in template.data:
        data[CONFIGURATION_ITEMS] = copy.deepcopy(template.data[CONFIGURATION_ITEMS])
    return data


def manifest_after_deployment(resolver, environment, applications, template=None, notes=None):
    """The complete release manifest once ``environment`` runs ``applications`` (records): what it runs for each of them,
    sorted by name, and, with a ``template`` (the release manifest deployed), its test applications that were not
    deployed, carried over as they are (still marked IsTestApplication), so the file describes the whole release.

    ``resolver`` must know the applications' status after the deployment (Resolver.refreshed).
    """
    data = manifest_of(resolver, environment, applications=applications, notes=notes or None, template=template)
    if template is not None:
        chosen = set(str(application['Key']).lower() for application in applications)
        carried = [copy.deepcopy(entry) for entry in template.data[APPLICATION_VERSIONS]
                   if entry['IsTestApplication'] and entry['ApplicationKey'].lower() not in chosen]
        entries = data[APPLICATION_VERSIONS] + carried
        entries.sort(key=lambda entry: (str(entry['ApplicationName']).lower(), str(entry['ApplicationKey']).lower()))
        data[APPLICATION_VERSIONS] = entries
    return data
