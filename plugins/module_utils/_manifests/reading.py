# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a release manifest read and checked (the format: this package's docstring).

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
"""

import copy
import datetime
import json
import os

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-core requires PyYAML
    yaml = None
    HAS_YAML = False

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
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
            if other['EnvironmentLabel'].strip().lower() == definition['EnvironmentLabel'].strip().lower():
                raise _usage('%s.%s has the labels %r and %r, which differ only in case or spaces: a label must name one environment.'
                             % (where, ENVIRONMENT_DEFINITIONS, other['EnvironmentLabel'], definition['EnvironmentLabel']), parameter)
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
