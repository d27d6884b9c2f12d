# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: release manifests written to a file, and lifetime_manifest.

``manifest_text(data)`` -> the file's content: JSON, 4-space indent, sorted keys, ASCII only, final newline.

``check_manifest_dest(path, parameter='dest', force=False, force_option='force')`` -> the absolute path
    Checked before anything is sent: a file check_dest accepts, and, unless ``force``, one that is absent, empty or a
    release manifest (a JSON object with only the fields of the format, in every entry too: another file may hold secrets).

``write_manifest(path, data, check_mode=False, parameter='dest', force=False, force_option='force')`` -> dict(changed, dest,
before, after, before_header)
    Writes ``data`` to ``path`` atomically (a temporary file renamed over it, keeping an existing file's owner, group and
    mode) unless the file already holds the same data (compared parsed, not byte for byte). ``before``/``after`` are the
    file's contents for a diff: ``before`` is '' for a file that is not a manifest (replaced only with ``force``), whose
    content is never shown. Raises LifeTimeUsageError naming ``parameter`` when nothing can be written there.

``write_environment_manifest(task)`` -> lifetime_manifest's result
    The manifest of what the task's environment runs, from its ``source_manifest`` when given, written to ``dest``
    when given. Everything the task gave is checked before LifeTime is asked anything.
"""

import json

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_dest, manifest_data, regular_stat, write_file
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.reading import (
    APPLICATION_TEXT_FIELDS,
    APPLICATION_VERSIONS,
    CONFIGURATION_ITEM_FIELDS,
    CONFIGURATION_ITEMS,
    CONFIGURATION_VALUE_FIELDS,
    DEPLOYMENT_NOTES,
    ENVIRONMENT_DEFINITIONS,
    ENVIRONMENT_FIELDS,
    load_manifest,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.resolving import manifest_of, resolve_environment

# The fields of a release manifest, at the top and in each entry: a JSON object with any other field, at any level, is not
# one (it may hold anything, secrets included), so it is replaced only with force and its content is never shown.
MANIFEST_FIELDS = frozenset((APPLICATION_VERSIONS, ENVIRONMENT_DEFINITIONS, DEPLOYMENT_NOTES, CONFIGURATION_ITEMS))
ENTRY_FIELDS = {
    APPLICATION_VERSIONS: frozenset([field for field, dummy in APPLICATION_TEXT_FIELDS] + ['VersionNumber', 'IsTestApplication']),
    ENVIRONMENT_DEFINITIONS: frozenset(ENVIRONMENT_FIELDS),
}
# Configuration items are carried as the source manifest has them, other fields included (reading.py), so a manifest this
# collection wrote may hold more: an item, and each of its Values, is one when it has every field of the format.
ITEM_FIELDS = frozenset(CONFIGURATION_ITEM_FIELDS + ('Values',))
VALUE_FIELDS = frozenset(CONFIGURATION_VALUE_FIELDS + ('TargetValue',))


def manifest_text(data):
    """The content of a manifest file: the same data always gives the same bytes."""
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=True) + '\n'


def _entries_hold_only(entries, fields):
    """Whether ``entries`` is absent, or a list of mappings with only ``fields``, each a scalar (text, a number, a boolean, null)."""
    if entries is None:
        return True
    if not isinstance(entries, list):
        return False
    for entry in entries:
        if not isinstance(entry, dict) or not set(entry) <= fields:
            return False
        if any(isinstance(value, (dict, list)) for value in entry.values()):
            return False
    return True


def _entries_complete(entries, fields):
    """Whether ``entries`` is absent, or a list of mappings that each have all of ``fields``."""
    return entries is None or (isinstance(entries, list) and all(isinstance(entry, dict) and fields <= set(entry) for entry in entries))


def _is_release_manifest(data):
    """Whether a JSON object holds only what a release manifest holds: its fields, at the top and in every entry."""
    if not set(data) <= MANIFEST_FIELDS or isinstance(data.get(DEPLOYMENT_NOTES), (dict, list)):
        return False
    if not all(_entries_hold_only(data.get(field), fields) for field, fields in ENTRY_FIELDS.items()):
        return False
    items = data.get(CONFIGURATION_ITEMS)
    return _entries_complete(items, ITEM_FIELDS) and all(_entries_complete(item['Values'], VALUE_FIELDS) for item in items or [])


def _existing(dest, parameter='dest'):
    """(text, data) of the file at dest: ('', None) when absent or empty, (None, None) when it is not a manifest."""
    existing = regular_stat(dest, parameter)
    if existing is None or existing.st_size == 0:
        return '', None
    found = manifest_data(dest, parameter)
    if found is None or not _is_release_manifest(found[1]):
        return None, None
    return found


def _checked_dest(path, parameter, force, force_option):
    """(dest, text, data): dest checked as check_dest does and the file there read once (as _existing); unless ``force``, refused
    when it is not a release manifest (not JSON, no ApplicationVersions, or fields the format does not have)."""
    dest = check_dest(path, parameter, example='release.json')
    before, existing = _existing(dest, parameter)
    if before is None and not force:
        raise LifeTimeUsageError('%s %s exists and is not a release manifest (a JSON object with ApplicationVersions and only the fields '
                                 'of the format, as this module writes), so it was left as it is: give another path, or set %s: true '
                                 'to replace it.' % (parameter, dest, force_option), parameter=parameter)
    return dest, before, existing


def check_manifest_dest(path, parameter='dest', force=False, force_option='force'):
    """The absolute path of dest, checked before anything is sent: see the module's docstring."""
    return _checked_dest(path, parameter, force, force_option)[0]


def write_manifest(path, data, check_mode=False, parameter='dest', force=False, force_option='force'):
    """Write the manifest to ``path`` unless it already holds the same data; see the module's docstring."""
    # dest is checked again: it may have changed while LifeTime was asked.
    dest, before, existing = _checked_dest(path, parameter, force, force_option)
    after = manifest_text(data)
    changed = existing != json.loads(after)
    if changed and not check_mode:
        try:
            write_file(dest, after.encode('utf-8'), parameter)
        except OSError as exc:
            raise LifeTimeError('Could not write %s %s: %s.' % (parameter, dest, exc.strerror or exc), parameter=parameter)
    header = dest if before is not None else '%s (not a release manifest: its content is not shown)' % dest
    return dict(changed=changed, dest=dest, before=before or '', after=after, before_header=header)


def _describe(data):
    return ', '.join('%s %s' % (entry['ApplicationName'], entry['VersionNumber']) for entry in data[APPLICATION_VERSIONS]) or 'nothing'


def write_environment_manifest(task):
    """Entry point of lifetime_manifest: the manifest of what the environment runs, written to dest when given."""
    params = task.params
    # Everything the task gave is checked before LifeTime is asked anything.
    template = None
    if params.get('source_manifest') not in (None, ''):
        template = load_manifest(params['source_manifest'], 'source_manifest')
    force = params.get('force')
    dest = check_manifest_dest(params['dest'], force=force) if params.get('dest') else None
    env = resolve_environment(task.resolver, template, params['environment'], 'environment')
    data = manifest_of(task.resolver, env, applications=params.get('applications'), notes=params.get('notes'),
                       template=template, test_applications=params.get('test_applications'))
    what = 'the manifest of what %s runs (%s)' % (env['Name'], _describe(data))
    result = dict(changed=False, manifest=data)
    if dest is None:
        result['msg'] = '%s.' % (what[0].upper() + what[1:])
    else:
        outcome = write_manifest(dest, data, check_mode=task.check_mode, force=force)
        result.update(changed=outcome['changed'], dest=dest)
        if not outcome['changed']:
            result['msg'] = '%s already holds %s: nothing written.' % (dest, what)
        else:
            result['msg'] = '%s %s to %s.' % ('Would write' if task.check_mode else 'Wrote', what, dest)
        if task.diff:
            result['diff'] = dict(before=outcome['before'], after=outcome['after'], before_header=outcome['before_header'], after_header=dest)
    if template is not None and template.configuration_items:
        result['msg'] += ' ' + template.configuration_note(env)
    return result
