# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a release manifest read and checked (the format: this package's docstring).

``load_manifest(value, parameter='manifest') -> Manifest``
    ``value`` is the data (a mapping, or JSON text starting with ``{``) or the path of a JSON or YAML file.
    A manifest is data, bounded: at most MAX_BYTES of text (MAX_NODES values inline), nested at most MAX_DEPTH deep,
    no YAML anchors or aliases; each is checked before anything is built from it (no recursion on what the task gave).
    YAML 1.1 changes no value: an unquoted date or time, and a number written otherwise than in plain decimals (190:20:30,
    0x_FF, 012, 1_000), stay the text the operator wrote; anything else JSON cannot hold (binary data, a set, a key that is
    not text, NaN or Infinity, an integer of more digits than Python reads) is refused naming the field, so the manifest can
    always be written back as it was given.
    Raises LifeTimeUsageError with one sentence naming the field at fault, e.g.
    ``manifest.ApplicationVersions[2].VersionKey is missing``; an unquoted number where a version number belongs
    fails asking to quote it. Reads nothing from LifeTime.

``load_data(value, parameter)`` -> the data, bounded the same way and not checked as a manifest (a release record).

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
import math
import os
import re

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - ansible-core requires PyYAML
    yaml = None
    HAS_YAML = False

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import MAX_MANIFEST_FILE_BYTES
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
# A manifest is a mapping of lists of records: 6 levels with ConfigurationItems' Values. The bounds leave room for a
# TargetValue that is data, and refuse what would make a parser recurse or a result explode.
MAX_DEPTH = 32
MAX_BYTES = MAX_MANIFEST_FILE_BYTES
MAX_NODES = 2000000
# A value shown in a message is cut to this many characters.
SHOWN = 80
# JSON strings (well formed: escapes included) and the brackets outside them, to measure nesting without parsing.
_OPENING = frozenset('[{')
_CLOSING = frozenset(']}')
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# The numbers YAML 1.1 and JSON read the same: others (sexagesimal, hex, octal, binary, underscores) stay the text written.
_DECIMAL_INTEGER = re.compile(r'[-+]?(?:0|[1-9][0-9]*)\Z')
_DECIMAL_FLOAT = re.compile(r'[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z')


class _LongInteger(str):
    """The text of an integer with more digits than Python converts (sys.get_int_max_str_digits): refused naming its field."""


def _json_integer(text):
    try:
        return int(text)
    except ValueError:
        return _LongInteger(text)


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
    shown = repr(value)
    return shown if len(shown) <= SHOWN else '%s... (%d characters)' % (shown[:SHOWN], len(shown))


def _too_deep(origin, parameter):
    return _usage('%s is nested more than %d levels deep: a manifest is a mapping of lists of records (at most 6 levels), so this is '
                  'not one.' % (origin, MAX_DEPTH), parameter)


def _json_depth_holds(text):
    """Whether JSON text stays within MAX_DEPTH: counted on the brackets outside strings, since json.loads recurses.

    For text that is not JSON the count may be off, but json.loads stops at the first error, before any bracket after it
    (and the YAML reading that follows checks the depth on its own events).
    """
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        mark = token.group()
        if mark in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif mark in _CLOSING:
            depth -= 1
    return True


if HAS_YAML:
    class _ManifestLoader(getattr(yaml, 'CSafeLoader', yaml.SafeLoader)):  # pylint: disable=too-many-ancestors
        """The safe loader, except that YAML 1.1 changes no value: a date or time, and a number not written in plain decimals,
        stay the text written (the manifest is written back as JSON, where 190:20:30 would become 685230)."""

        def construct_yaml_timestamp(self, node):
            return self.construct_scalar(node)

        def construct_yaml_int(self, node):
            text = self.construct_scalar(node)
            if not _DECIMAL_INTEGER.match(text):
                return text
            return _json_integer(text)

        def construct_yaml_float(self, node):
            text = self.construct_scalar(node)
            if not _DECIMAL_FLOAT.match(text):
                return text
            return yaml.SafeLoader.construct_yaml_float(self, node)

    _ManifestLoader.add_constructor('tag:yaml.org,2002:timestamp', _ManifestLoader.construct_yaml_timestamp)
    _ManifestLoader.add_constructor('tag:yaml.org,2002:int', _ManifestLoader.construct_yaml_int)
    _ManifestLoader.add_constructor('tag:yaml.org,2002:float', _ManifestLoader.construct_yaml_float)


def _line(event):
    mark = getattr(event, 'start_mark', None)
    return (' (line %d)' % (mark.line + 1)) if mark is not None else ''


def _check_yaml_events(text, parameter, origin):
    """Refuse anchors, aliases and deep nesting on the event stream, before composing (which recurses, in C too)."""
    depth = 0
    for event in yaml.parse(text, Loader=_ManifestLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, 'anchor', None) is not None:
            raise _usage('%s uses a YAML anchor or alias%s: it is read as plain data, so write each value out.' % (origin, _line(event)),
                         parameter)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(origin, parameter)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _parse_yaml(text, parameter, origin):
    if not HAS_YAML:
        raise _usage('%s is not JSON, and reading it as YAML needs the Python library PyYAML, which is not installed on the host that '
                     'runs the task.' % origin, parameter)
    try:
        _check_yaml_events(text, parameter, origin)
        return yaml.load(text, Loader=_ManifestLoader)
    except yaml.YAMLError as exc:
        where = getattr(exc, 'problem_mark', None)
        line = (' (line %d)' % (where.line + 1)) if where is not None else ''
        raise _usage('%s is neither JSON nor YAML%s: %s.' % (origin, line, getattr(exc, 'problem', None) or exc), parameter)
    except (ValueError, KeyError, TypeError) as exc:
        # A value its explicit tag does not allow (!!bool maybe): PyYAML's constructors raise these, not YAMLError.
        raise _usage('%s holds a value its YAML tag does not allow (%s): write it as plain text.' % (origin, _kind(str(exc))), parameter)


def _parse(text, parameter, origin):
    """The data of a manifest's text: JSON, else YAML; nesting and size bounded before either parser runs."""
    if len(text) > MAX_BYTES:
        raise _usage('%s holds %d characters, more than the %d MiB a manifest may have: this is not a manifest.'
                     % (origin, len(text), MAX_BYTES // (1024 * 1024)), parameter)
    # Text too deep for JSON may be YAML whose brackets are text (a plain scalar): the YAML check on events decides.
    if _json_depth_holds(text):
        try:
            return json.loads(text, parse_int=_json_integer)
        except ValueError:
            pass
    return _parse_yaml(text, parameter, origin)


def _field(trail):
    """The path of a value from the trail the walk keeps (built only for a message): ConfigurationItems[0].Values[0].TargetValue."""
    parts = []
    while trail is not None:
        trail, key = trail
        parts.append('[%d]' % key if isinstance(key, int) else '.%s' % key)
    return ''.join(reversed(parts)).lstrip('.')


def _not_json(origin, trail, what, parameter):
    field = _field(trail)
    return _usage('%s holds %s%s, which JSON cannot hold (a release manifest is JSON): write it as text, a number, true or false, a list '
                  'or a mapping with text keys.' % (origin, what, ' at %s' % field if field else ''), parameter)


def _scalar(item, origin, trail, parameter):
    """A value JSON holds as it is; a date or time as the ISO text the operator wrote; anything else refused, naming the field."""
    if isinstance(item, _LongInteger):
        field = _field(trail)
        raise _usage('%s holds an integer of %d digits%s, more than can be read: write it as text (quoted).'
                     % (origin, len(item.lstrip('+-')), ' at %s' % field if field else ''), parameter)
    if item is None or isinstance(item, (str, bool, int)):
        return item
    if isinstance(item, float):
        if math.isfinite(item):
            return item
        raise _not_json(origin, trail, 'the number %r' % item, parameter)
    if isinstance(item, datetime.date):
        return item.isoformat().replace('+00:00', 'Z')
    if isinstance(item, bytes):
        raise _not_json(origin, trail, 'binary data (YAML !!binary)', parameter)
    if isinstance(item, (set, frozenset)):
        raise _not_json(origin, trail, 'a set (YAML !!set)', parameter)
    raise _not_json(origin, trail, 'a value of type %s' % type(item).__name__, parameter)


def _plain_data(value, parameter, origin, inline=False):
    """A copy of the data as JSON holds it, made without recursion (a deep copy would recurse): nesting bounded, and, for data
    given inline (text is bounded by its size), the count of values and characters too. Dates become their ISO text."""
    root = []
    # (value, depth, container of the copy, place in it, trail of the field for messages)
    pending = [(value, 1, root, None, None)]
    nodes = 0
    characters = 0
    while pending:
        item, depth, parent, place, trail = pending.pop()
        nodes += 1
        if inline and nodes > MAX_NODES:
            raise _usage('%s holds more than %d values: this is not a manifest.' % (origin, MAX_NODES), parameter)
        if isinstance(item, (dict, list, tuple)):
            if depth > MAX_DEPTH:
                raise _too_deep(origin, parameter)
            if isinstance(item, dict):
                copied = {}
                for key, child in item.items():
                    if not isinstance(key, str) or isinstance(key, _LongInteger):
                        raise _not_json(origin, trail, 'a key that is not text (%s)' % _kind(key), parameter)
                    characters += len(key)
                    copied[key] = None
                    pending.append((child, depth + 1, copied, key, (trail, key)))
            else:
                copied = [None] * len(item)
                pending.extend((child, depth + 1, copied, index, (trail, index)) for index, child in enumerate(item))
        else:
            copied = _scalar(item, origin, trail, parameter)
            if isinstance(copied, str):
                characters += len(copied)
        if inline and characters > MAX_BYTES:
            raise _usage('%s holds more than %d MiB of text: this is not a manifest.' % (origin, MAX_BYTES // (1024 * 1024)), parameter)
        if place is None:
            root.append(copied)
        else:
            parent[place] = copied
    return root[0]


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
            # One byte more than the bound tells a file that is too big without reading all of it.
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _usage('%s cannot be read: %s.' % (origin, exc.strerror or exc), parameter)
    if len(raw) > MAX_BYTES:
        raise _usage('%s is bigger than the %d MiB a manifest may have: this is not a manifest.' % (origin, MAX_BYTES // (1024 * 1024)),
                     parameter)
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        raise _usage('%s is not UTF-8 text: a manifest is a JSON or YAML file.' % origin, parameter)
    return _plain_data(_parse(text, parameter, origin), parameter, origin), origin


def _read(value, parameter):
    """(data, origin) of what the task gave: a mapping, JSON text, or the path of a file."""
    if isinstance(value, (dict, list)):
        # A list is refused by check_manifest, which says what it looks like.
        origin = 'the %s given inline' % parameter
        return _plain_data(value, parameter, origin, inline=True), origin
    if not isinstance(value, str):
        raise _usage('%s must be the path of a manifest file (JSON or YAML) or the manifest itself (a mapping with ApplicationVersions), '
                     'not %s.' % (parameter, _kind(value)), parameter)
    text = value.strip()
    if not text:
        raise _usage('%s is empty: give the path of a manifest file (JSON or YAML) or the manifest itself.' % parameter, parameter)
    if text.startswith('{'):
        origin = 'the %s given inline' % parameter
        return _plain_data(_parse(text, parameter, origin), parameter, origin), origin
    return _read_file(text, parameter)


def _text(entry, field, where, parameter, required=True):
    """A text field of an entry: None when absent and not required; a date YAML read from an unquoted value becomes text again."""
    value = entry.get(field)
    if value is None:
        if required:
            raise _usage('%s.%s is missing.' % (where, field), parameter)
        return None
    if isinstance(value, datetime.date):
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
    # The index of each application key seen (keys compared as same_key does): one look-up per entry, not one per pair.
    seen = {}
    for index, item in enumerate(items):
        entry = _application(item, '%s.%s[%d]' % (where, APPLICATION_VERSIONS, index), parameter)
        earlier = seen.setdefault(entry['ApplicationKey'].lower(), index)
        if earlier != index:
            raise _usage('%s.%s lists application %s twice (entries %d and %d): a manifest names one version per application.'
                         % (where, APPLICATION_VERSIONS, entry['ApplicationName'], earlier, index), parameter)
        entries.append(entry)
    return entries


def _environments(data, where, parameter):
    items = _list(data, ENVIRONMENT_DEFINITIONS, where, parameter, required=False) or []
    definitions = []
    # Each label seen, by its folded form: a second label that folds the same is refused, whether equal or not.
    seen = {}
    for index, item in enumerate(items):
        place = '%s.%s[%d]' % (where, ENVIRONMENT_DEFINITIONS, index)
        entry = _mapping(item, place, parameter, 'with %s' % ', '.join(ENVIRONMENT_FIELDS))
        definition = dict((field, _text(entry, field, place, parameter)) for field in ENVIRONMENT_FIELDS)
        label = definition['EnvironmentLabel']
        earlier, other = seen.setdefault(label.strip().lower(), (index, label))
        if earlier != index and other == label:
            raise _usage('%s.%s has the label %r twice: a label must name one environment.' % (where, ENVIRONMENT_DEFINITIONS, label), parameter)
        if earlier != index:
            raise _usage('%s.%s has the labels %r and %r, which differ only in case or spaces: a label must name one environment.'
                         % (where, ENVIRONMENT_DEFINITIONS, other, label), parameter)
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


def load_data(value, parameter):
    """The data of a JSON or YAML file (or JSON text, or a mapping), bounded as a manifest is but not checked as one: a release
    record (the promote and rollback playbooks' release_file). Raises LifeTimeUsageError naming ``parameter``."""
    return _read(value, parameter)[0]


def load_manifest(value, parameter='manifest'):
    """The Manifest in ``value``: a mapping, JSON text, or the path of a JSON or YAML file (see the module's docstring)."""
    data, origin = _read(value, parameter)
    return Manifest(check_manifest(data, parameter), origin)
