# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: release manifests, so that a later stage deploys exactly the versions an earlier one tested.

The format is the trigger manifest of OutSystems' pipelines (outsystems-pipeline's ``generate_manifest_file`` and
``deploy_tags_to_target_env_with_manifest``; LifeTime's Trigger Pipeline plugin writes the same), a JSON object::

    ApplicationVersions     [{ApplicationKey, ApplicationName, VersionKey, VersionNumber, CreatedOn, ChangeLog,
                              IsTestApplication, DeploymentZoneKey, DeploymentZoneName}]
    EnvironmentDefinitions  [{EnvironmentKey, EnvironmentName, EnvironmentLabel}]   environments are addressed by label
    DeploymentNotes         the notes of the deployment plans
    ConfigurationItems      optional: [{ModuleKey, ModuleName, ConfigurationItemKey, ConfigurationItemName,
                              ConfigurationItemType, Values: [{EnvironmentKey, EnvironmentName, TargetValue}]}]

CreatedOn and ChangeLog are LifeTime's own values of the version, unchanged; DeploymentZoneName is null when the
application runs in no named zone. Configuration items are kept and reported, never applied here (that needs
OutSystems' Properties API).

API:

``load_manifest(value, parameter='manifest') -> Manifest``
    ``value`` is the data (a mapping, or JSON text starting with ``{``) or the path of a JSON or YAML file.
    Raises LifeTimeUsageError with one sentence naming the field at fault, e.g.
    ``manifest.ApplicationVersions[2].VersionKey is missing``; an unquoted number where a version number belongs
    fails asking to quote it. Reads nothing from LifeTime.

``Manifest``
    ``.applications`` [{index, application_key, application_name, version_key, version_number, created_on, change_log,
    is_test_application, deployment_zone_key, deployment_zone_name}] (index: the position in ApplicationVersions);
    ``.environments`` [{environment_key, environment_name, environment_label}]; ``.notes`` (None when absent);
    ``.configuration_items`` (as in the manifest); ``.data`` (the manifest, checked); ``.origin`` (for messages);
    ``.environment(ref)`` the definition whose label, then name, then key is ``ref``, or None;
    ``.to_deploy(include_test_applications=False)``; ``.configuration_items_for(environment_key)``;
    ``.configuration_note(environment)`` a sentence saying which items are carried and not applied ('' when none).

``resolve_environment(resolver, manifest, ref, parameter)`` -> LifeTime's environment record
    ``ref`` is a label of the manifest, or LifeTime's name or key, and must mean exactly one environment: a label of one
    environment that is the name of another is refused as ambiguous (LifeTimeUsageError naming both), and so is a
    definition whose key and name are two environments. Raises LifeTimeLookupError when nothing matches.

``resolve_versions(resolver, manifest, include_test_applications=False, parameter='manifest')``
    -> [(application record, version record, entry)]: every version the manifest deploys, found in LifeTime by key.
    Raises LifeTimeLookupError when an application or version does not exist, LifeTimeUsageError when the version key
    and the version number of an entry disagree. Reads the applications once and each application's versions.

``manifest_of(resolver, environment, applications=None, notes=None, template=None, test_applications=None, fresh=False)``
    -> dict: the manifest, in the format above, of what ``environment`` (a record, name or key) runs for ``applications``
    (records, names or keys; None or empty: ``template``'s applications, or every non-system application that runs
    there), sorted by application name. ``template`` (a Manifest) gives the environment labels (by key), the test flags,
    the notes (unless ``notes``) and the configuration items to carry over; ``test_applications`` (names or keys) marks
    more. ``fresh=True`` reads LifeTime again through a new Resolver (after a deployment the resolver's cached statuses
    are those of before). Raises LifeTimeLookupError for an application that does not run there and LifeTimeUsageError
    for one changed there since its last version (what runs is no version the manifest could name).

``manifest_text(data)`` -> the file's content: JSON, 4-space indent, sorted keys, ASCII only, final newline.

``manifest_after_deployment(resolver, environment, applications, template=None, notes=None)`` -> dict
    The complete release manifest after a deployment: ``manifest_of`` for ``applications``, plus ``template``'s test
    applications that were not deployed, carried over unchanged (still IsTestApplication).

``write_manifest(path, data, check_mode=False, parameter='dest')`` -> dict(changed, dest, before, after)
    Writes ``data`` to ``path`` atomically (a temporary file renamed over it, keeping an existing file's mode) unless
    the file already holds the same data (compared parsed, not byte for byte). ``before``/``after`` are the file's
    contents for a diff. Raises LifeTimeUsageError naming ``parameter`` when nothing can be written there.
"""

import copy
import datetime
import json
import os
import tempfile

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-core requires PyYAML
    yaml = None
    HAS_YAML = False

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeNotFoundError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_dest, umask
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver, same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import version_text

APPLICATION_VERSIONS = 'ApplicationVersions'
ENVIRONMENT_DEFINITIONS = 'EnvironmentDefinitions'
DEPLOYMENT_NOTES = 'DeploymentNotes'
CONFIGURATION_ITEMS = 'ConfigurationItems'

# (field, required) of an entry of ApplicationVersions, in the peer's order; VersionNumber and IsTestApplication have rules of their own.
APPLICATION_TEXT_FIELDS = (('ApplicationKey', True), ('ApplicationName', True), ('VersionKey', True),
                           ('CreatedOn', False), ('ChangeLog', False), ('DeploymentZoneKey', False), ('DeploymentZoneName', False))
ENVIRONMENT_FIELDS = ('EnvironmentKey', 'EnvironmentName', 'EnvironmentLabel')
CONFIGURATION_ITEM_FIELDS = ('ModuleKey', 'ModuleName', 'ConfigurationItemKey', 'ConfigurationItemName', 'ConfigurationItemType')
CONFIGURATION_VALUE_FIELDS = ('EnvironmentKey', 'EnvironmentName')
# Snake_case names of the fields, as Manifest.applications and .environments give them.
SNAKE = {
    'ApplicationKey': 'application_key', 'ApplicationName': 'application_name', 'VersionKey': 'version_key',
    'VersionNumber': 'version_number', 'CreatedOn': 'created_on', 'ChangeLog': 'change_log',
    'IsTestApplication': 'is_test_application', 'DeploymentZoneKey': 'deployment_zone_key',
    'DeploymentZoneName': 'deployment_zone_name', 'EnvironmentKey': 'environment_key',
    'EnvironmentName': 'environment_name', 'EnvironmentLabel': 'environment_label',
}
REQUIRED_APPLICATION_FIELDS = 'ApplicationKey, ApplicationName, VersionKey and VersionNumber'


def _usage(message, parameter):
    return LifeTimeUsageError(message, parameter=parameter)


def _kind(value):
    """What a value is, in words, for messages."""
    if isinstance(value, bool):
        return 'the boolean %s' % ('true' if value else 'false')
    if isinstance(value, (int, float)):
        return 'the number %r' % value
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, dict):
        return 'a mapping'
    return repr(value)


# -- reading ----------------------------------------------------------------------------------------------------------

def _parse(text, parameter, origin):
    """The data of a manifest's text: JSON, else YAML."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    if not HAS_YAML:
        raise _usage('%s is not JSON, and reading it as YAML needs the Python library PyYAML, which is not installed on the host that '
                     'runs the task.' % origin, parameter)
    try:
        return yaml.load(text, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    except yaml.YAMLError as exc:
        where = getattr(exc, 'problem_mark', None)
        line = (' (line %d)' % (where.line + 1)) if where is not None else ''
        raise _usage('%s is neither JSON nor YAML%s: %s.' % (origin, line, getattr(exc, 'problem', None) or exc), parameter)


def _read_file(value, parameter):
    path = os.path.abspath(os.path.expanduser(value))
    origin = '%s %s' % (parameter, path)
    if not os.path.exists(path):
        raise _usage('%s does not exist on the host that runs the task: give the path of a manifest file (JSON or YAML) or the '
                     "manifest's data." % origin, parameter)
    if not os.path.isfile(path):
        raise _usage('%s is not a file: give the path of a manifest file (JSON or YAML).' % origin, parameter)
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except OSError as exc:
        raise _usage('%s cannot be read: %s.' % (origin, exc.strerror or exc), parameter)
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise _usage('%s is not UTF-8 text: a manifest is a JSON or YAML file.' % origin, parameter)
    return _parse(text, parameter, origin), origin


def _read(value, parameter):
    """(data, origin) of what the task gave: a mapping, JSON text, or the path of a file."""
    if isinstance(value, (dict, list)):
        # A list is refused by check_manifest, which says what it looks like.
        return copy.deepcopy(value), 'the %s given inline' % parameter
    if not isinstance(value, str):
        raise _usage('%s must be the path of a manifest file (JSON or YAML) or the manifest itself (a mapping with ApplicationVersions), '
                     'not %s.' % (parameter, _kind(value)), parameter)
    text = value.strip()
    if not text:
        raise _usage('%s is empty: give the path of a manifest file (JSON or YAML) or the manifest itself.' % parameter, parameter)
    if text.startswith('{'):
        origin = 'the %s given inline' % parameter
        return _parse(text, parameter, origin), origin
    return _read_file(text, parameter)


def _text(entry, field, where, parameter, required=True):
    """A text field of an entry: None when absent and not required; a date YAML read from an unquoted value becomes text again."""
    value = entry.get(field)
    if value is None:
        if required:
            raise _usage('%s.%s is missing.' % (where, field), parameter)
        return None
    if isinstance(value, datetime.datetime):
        value = value.isoformat().replace('+00:00', 'Z')
    if not isinstance(value, str):
        raise _usage('%s.%s must be text, not %s.' % (where, field, _kind(value)), parameter)
    if required and not value.strip():
        raise _usage('%s.%s is empty.' % (where, field), parameter)
    return value


def _mapping(value, where, parameter, what):
    if not isinstance(value, dict):
        raise _usage('%s must be a mapping (%s), not %s.' % (where, what, _kind(value)), parameter)
    return value


def _list(data, field, where, parameter, required):
    value = data.get(field)
    if value is None:
        if required:
            raise _usage('%s.%s is missing: a manifest lists the application versions to deploy.' % (where, field), parameter)
        return None
    if not isinstance(value, list):
        raise _usage('%s.%s must be a list, not %s.' % (where, field, _kind(value)), parameter)
    return value


def _application(item, where, parameter):
    entry = _mapping(item, where, parameter, 'with %s' % REQUIRED_APPLICATION_FIELDS)
    checked = {}
    for field, required in APPLICATION_TEXT_FIELDS:
        checked[field] = _text(entry, field, where, parameter, required)
    number = entry.get('VersionNumber')
    if number is None:
        raise _usage('%s.VersionNumber is missing.' % where, parameter)
    checked['VersionNumber'] = version_text(number, '%s.VersionNumber' % where)
    if not checked['VersionNumber'].strip():
        raise _usage('%s.VersionNumber is empty.' % where, parameter)
    flag = entry.get('IsTestApplication', False)
    if flag is None:
        flag = False
    if not isinstance(flag, bool):
        raise _usage('%s.IsTestApplication must be true or false, not %s.' % (where, _kind(flag)), parameter)
    checked['IsTestApplication'] = flag
    return checked


def _applications(data, where, parameter):
    items = _list(data, APPLICATION_VERSIONS, where, parameter, required=True)
    if not items:
        raise _usage('%s.%s is empty: the manifest names no application version to deploy.' % (where, APPLICATION_VERSIONS), parameter)
    entries = []
    for index, item in enumerate(items):
        entry = _application(item, '%s.%s[%d]' % (where, APPLICATION_VERSIONS, index), parameter)
        for earlier, other in enumerate(entries):
            if same_key(other['ApplicationKey'], entry['ApplicationKey']):
                raise _usage('%s.%s lists application %s twice (entries %d and %d): a manifest names one version per application.'
                             % (where, APPLICATION_VERSIONS, entry['ApplicationName'], earlier, index), parameter)
        entries.append(entry)
    return entries


def _environments(data, where, parameter):
    items = _list(data, ENVIRONMENT_DEFINITIONS, where, parameter, required=False) or []
    definitions = []
    for index, item in enumerate(items):
        place = '%s.%s[%d]' % (where, ENVIRONMENT_DEFINITIONS, index)
        entry = _mapping(item, place, parameter, 'with %s' % ', '.join(ENVIRONMENT_FIELDS))
        definition = dict((field, _text(entry, field, place, parameter)) for field in ENVIRONMENT_FIELDS)
        for other in definitions:
            if other['EnvironmentLabel'] == definition['EnvironmentLabel']:
                raise _usage('%s.%s has the label %r twice: a label must name one environment.'
                             % (where, ENVIRONMENT_DEFINITIONS, definition['EnvironmentLabel']), parameter)
        definitions.append(definition)
    return definitions


def _configuration_items(data, where, parameter):
    """The configuration items, checked for the fields a pipeline reads, and otherwise kept as they are."""
    items = _list(data, CONFIGURATION_ITEMS, where, parameter, required=False)
    if items is None:
        return None
    for index, item in enumerate(items):
        place = '%s.%s[%d]' % (where, CONFIGURATION_ITEMS, index)
        entry = _mapping(item, place, parameter, 'with %s and Values' % ', '.join(CONFIGURATION_ITEM_FIELDS))
        for field in CONFIGURATION_ITEM_FIELDS:
            _text(entry, field, place, parameter)
        values = _list(entry, 'Values', place, parameter, required=False)
        if values is None:
            raise _usage('%s.Values is missing: it lists the value of the item in each environment.' % place, parameter)
        for number, value in enumerate(values):
            spot = '%s.Values[%d]' % (place, number)
            _mapping(value, spot, parameter, 'with EnvironmentKey, EnvironmentName and TargetValue')
            for field in CONFIGURATION_VALUE_FIELDS:
                _text(value, field, spot, parameter)
            if 'TargetValue' not in value:
                raise _usage('%s.TargetValue is missing.' % spot, parameter)
    return copy.deepcopy(items)


def check_manifest(data, parameter='manifest'):
    """The manifest's data, checked: the known fields of each entry, and the configuration items as they are."""
    if isinstance(data, list):
        raise _usage('%s is a list, not a mapping: it looks like a deployment manifest (the versions one deployment deployed). Give the '
                     'trigger manifest, a mapping with ApplicationVersions and EnvironmentDefinitions.' % parameter, parameter)
    _mapping(data, parameter, parameter, 'with ApplicationVersions and EnvironmentDefinitions')
    checked = {
        APPLICATION_VERSIONS: _applications(data, parameter, parameter),
        ENVIRONMENT_DEFINITIONS: _environments(data, parameter, parameter),
    }
    notes = _text(data, DEPLOYMENT_NOTES, parameter, parameter, required=False)
    if notes is not None:
        checked[DEPLOYMENT_NOTES] = notes
    items = _configuration_items(data, parameter, parameter)
    if items is not None:
        checked[CONFIGURATION_ITEMS] = items
    return checked


def _snake(entry):
    return dict((SNAKE[field], value) for field, value in entry.items())


def _exactly_one(items, matches):
    found = [item for item in items if matches(item)]
    return found[0] if len(found) == 1 else None


def _plural(count, word):
    return '%d %s%s' % (count, word, '' if count == 1 else 's')


class Manifest:
    """A manifest that was read and checked (see load_manifest)."""

    def __init__(self, data, origin='the manifest'):
        self.data = data
        self.origin = origin

    @property
    def applications(self):
        return [dict(_snake(entry), index=index) for index, entry in enumerate(self.data[APPLICATION_VERSIONS])]

    @property
    def environments(self):
        return [_snake(entry) for entry in self.data[ENVIRONMENT_DEFINITIONS]]

    @property
    def notes(self):
        return self.data.get(DEPLOYMENT_NOTES)

    @property
    def configuration_items(self):
        return self.data.get(CONFIGURATION_ITEMS) or []

    def environment(self, ref):
        """The definition whose label, else name, else key is ``ref`` (exactly, then ignoring case when only one matches), or None."""
        wanted = str(ref or '').strip()
        definitions = self.environments
        found = _exactly_one(definitions, lambda item: item['environment_label'] == wanted)
        found = found or _exactly_one(definitions, lambda item: item['environment_name'] == wanted)
        found = found or next((item for item in definitions if same_key(item['environment_key'], wanted)), None)
        lowered = wanted.lower()
        return found or _exactly_one(definitions, lambda item: lowered in (item['environment_label'].lower(), item['environment_name'].lower()))

    def to_deploy(self, include_test_applications=False):
        """The entries to deploy: all of them, or all but the test applications."""
        return [entry for entry in self.applications if include_test_applications or not entry['is_test_application']]

    def configuration_items_for(self, environment_key):
        """The configuration items that have a value for an environment, one record each (the target's value only)."""
        found = []
        for item in self.configuration_items:
            value = next((value for value in item['Values'] if same_key(value.get('EnvironmentKey'), environment_key)), None)
            if value is not None:
                found.append(dict(module_key=item['ModuleKey'], module_name=item['ModuleName'],
                                  configuration_item_key=item['ConfigurationItemKey'],
                                  configuration_item_name=item['ConfigurationItemName'],
                                  configuration_item_type=item['ConfigurationItemType'],
                                  target_value=value.get('TargetValue'), environment_name=value.get('EnvironmentName')))
        return found

    def configuration_note(self, environment=None):
        """A sentence saying the configuration items are carried, not applied; '' when the manifest has none."""
        items = self.configuration_items
        if not items:
            return ''
        sentence = '%s carries %s' % (self.origin[0].upper() + self.origin[1:], _plural(len(items), 'configuration item'))
        if environment is not None:
            mine = self.configuration_items_for(environment['Key'])
            sentence += ' (%d with a value for %s: %s)' % (len(mine), environment['Name'], ', '.join(
                '%s.%s' % (item['module_name'], item['configuration_item_name']) for item in mine) or 'none')
        return sentence + (": they are not applied (that needs OutSystems' Properties API); set them in Service Center, or with "
                           "outsystems-pipeline's apply_configuration_values_to_target_env.")


def load_manifest(value, parameter='manifest'):
    """The Manifest in ``value``: a mapping, JSON text, or the path of a JSON or YAML file (see the module's docstring)."""
    data, origin = _read(value, parameter)
    return Manifest(check_manifest(data, parameter), origin)


# -- against LifeTime -------------------------------------------------------------------------------------------------

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


def resolve_environment(resolver, manifest, ref, parameter):
    """LifeTime's environment for ``ref``: a label of the manifest, or LifeTime's own name or key - exactly one of them.

    A reference that is a label of the manifest for one environment and the name (or key) of another in LifeTime is
    refused as ambiguous, naming both: a manifest never redirects a deployment.
    """
    definition = manifest.environment(ref) if manifest is not None else None
    if definition is None:
        return resolver.environment(ref, parameter)
    labelled = _definition_environment(resolver, manifest, definition, ref, parameter)
    try:
        named = resolver.environment(ref, parameter)
    except LifeTimeLookupError as exc:
        if exc.details.get('candidates'):
            raise
        return labelled
    if same_key(named['Key'], labelled['Key']):
        return named
    raise LifeTimeUsageError(
        '%s %r is ambiguous: it is environment %s in LifeTime, and in %s it is the label of environment %s. Give the key of the '
        'environment you mean, or a name or label that means only it. Nothing was changed.'
        % (parameter, ref, _env_text(named), manifest.origin, _env_text(labelled)), parameter=parameter,
        candidates=[dict(name=named.get('Name'), key=named.get('Key')), dict(name=labelled.get('Name'), key=labelled.get('Key'))])


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
    for entry in manifest.to_deploy(include_test_applications):
        where = '%s.%s[%d]' % (parameter, APPLICATION_VERSIONS, entry['index'])
        application = resolver.application_by_key(entry['application_key'])
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
    for index, ref in enumerate(applications):
        if isinstance(ref, dict):
            # A record read by another Resolver may be stale (read before a deployment): this one's, by key.
            application = resolver.application_by_key(ref['Key']) or ref
        else:
            application = resolver.application(ref, 'applications[%d]' % index)
        if any(same_key(application['Key'], other['Key']) for other in chosen):
            raise LifeTimeUsageError('applications lists %s twice.' % application['Name'], parameter='applications')
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
    for entry in template.applications:
        application = resolver.application_by_key(entry['application_key'])
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
    for index, ref in enumerate(test_applications or []):
        application = resolver.application(ref, 'test_applications[%d]' % index)
        if not any(same_key(application['Key'], other['Key']) for other in chosen):
            raise LifeTimeUsageError('test_applications[%d] is %s, which is not one of the applications of the manifest.'
                                     % (index, application['Name']), parameter='test_applications')
        keys.add(application['Key'].lower())
    if template is not None:
        keys.update(entry['application_key'].lower() for entry in template.applications if entry['is_test_application'])
    return keys


def _environment_definitions(resolver, template):
    definitions = []
    carried = template.environments if template is not None else []
    for env in resolver.environments():
        known = next((item for item in carried if same_key(item['environment_key'], env['Key'])), None)
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


# -- writing ----------------------------------------------------------------------------------------------------------

def manifest_text(data):
    """The content of a manifest file: the same data always gives the same bytes."""
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=True) + '\n'


def _existing(dest, parameter='dest'):
    """(text, data) of the file at dest: ('', None) when absent, (text, None) when it is not JSON."""
    if not os.path.exists(dest):
        return '', None
    try:
        with open(dest, 'rb') as handle:
            text = handle.read().decode('utf-8-sig', 'replace')
    except OSError as exc:
        raise _usage('%s %s cannot be read: %s.' % (parameter, dest, exc.strerror or exc), parameter)
    try:
        return text, json.loads(text)
    except ValueError:
        return text, None


def _replace(dest, text, parameter='dest'):
    """Write text to a temporary file next to dest and rename it over dest, keeping dest's mode."""
    directory = os.path.dirname(dest)
    mode = (os.stat(dest).st_mode & 0o7777) if os.path.exists(dest) else (0o666 & ~umask())
    try:
        handle, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(dest), suffix='.part')
    except OSError as exc:
        raise LifeTimeError('Could not write next to %s %s: %s.' % (parameter, dest, exc.strerror or exc), parameter=parameter)
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(text.encode('utf-8'))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
    except OSError as exc:
        raise LifeTimeError('Could not write %s %s: %s.' % (parameter, dest, exc.strerror or exc), parameter=parameter)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_manifest(path, data, check_mode=False, parameter='dest'):
    """Write the manifest to ``path`` unless it already holds the same data; see the module's docstring."""
    dest = check_dest(path, parameter)
    after = manifest_text(data)
    before, existing = _existing(dest, parameter)
    changed = existing != json.loads(after)
    if changed and not check_mode:
        _replace(dest, after, parameter)
    return dict(changed=changed, dest=dest, before=before, after=after)
