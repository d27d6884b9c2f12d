# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the doctor's support file, what it saw for a bug report, and no secret, name or key.

It holds field names, the shapes of dates and version numbers (digits written as 9), LifeTime's own status words and
enumerations, statuses of answers by route (as the API definition names it, keys as {placeholders}) and counts. Every
string is checked at the end against the token, the proxy's credentials, lifetime_url's host and every key, name, host
name and free text LifeTime answered: one that holds any of them is replaced by REDACTED.
"""

import json
import re

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_dest, read_head, regular_stat, write_file

FORMAT = 'outsystems.lifetime.doctor/1'
REDACTED = '<redacted>'
# Values of these fields are words of LifeTime's own vocabulary (enumerations, versions), shown as they are.
VOCABULARY = ('Kind', 'Status', 'OSVersion', 'ApplicationServerType', 'ApplicationServer', 'DatabaseProvider', 'IsModifiedReason',
              'ConsistencyStatus', 'DeploymentTechnology')
# Fields whose values name or identify something, or are free text: never shown, and looked for in everything shown.
_IDENTIFYING = re.compile(r'(Key|Name|Names|Username|By|Notes|ChangeLog|Description|Team|Message|Messages|ChangeReason)$')
_SHORTEST = 3
# A support file is a few KiB; a larger file is not one, and is not read to find out.
MAX_SUPPORT_FILE_BYTES = 1024 * 1024
_WORD = re.compile(r'^[A-Za-z0-9_.:+\- /]{1,60}$')


def field_names(records):
    """The sorted field names of a list of records (dict keys), nested records' as Parent.Child."""
    names = set()
    for record in records:
        _names_of(record, '', names)
    return sorted(names)


def _names_of(value, prefix, names):
    if isinstance(value, dict):
        for key, item in value.items():
            name = prefix + str(key)
            names.add(name)
            _names_of(item, name + '.', names)
    elif isinstance(value, list):
        for item in value[:50]:
            _names_of(item, prefix, names)


def shape(text):
    """A date or version number with every digit written as 9: its format, not its value."""
    return re.sub(r'[0-9]', '9', str(text))


def counted(values):
    """{value: how many times} of LifeTime words (anything that is not a short word is counted as 'other')."""
    found = {}
    for value in values:
        if isinstance(value, bool) or value is None:
            word = str(value).lower()
        else:
            word = str(value) if _WORD.match(str(value)) else 'other'
        found[word] = found.get(word, 0) + 1
    return dict(sorted(found.items()))


def identifying_strings(value, found=None):
    """Every string of LifeTime's answers that names or identifies something (keys, names, host names, free text)."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and _IDENTIFYING.search(str(key)):
                found.add(item)
            else:
                identifying_strings(item, found)
    elif isinstance(value, list):
        for item in value:
            identifying_strings(item, found)
    return found


def scrubbed(data, secrets):
    """data with every string (keys included) that holds one of ``secrets`` (ignoring case) replaced by REDACTED."""
    lowered = sorted({str(secret).strip().lower() for secret in secrets if len(str(secret or '').strip()) >= _SHORTEST}, key=len, reverse=True)

    def clean(text):
        low = text.lower()
        return REDACTED if any(secret in low for secret in lowered) else text

    def walk(value):
        if isinstance(value, dict):
            return dict((clean(str(key)), walk(item)) for key, item in value.items())
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, str):
            return clean(value)
        return value
    return walk(data)


def support_text(data):
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


def checked_support_dest(dest):
    """The absolute path of the support file, checked before any request: never a file that is not a support file."""
    path = check_dest(dest, example='lifetime-doctor.json')
    _replaceable_support(path)
    return path


def _replaceable_support(path):
    """The text of the support file at path ('' when there is none, or it is empty); refused when it is another file."""
    existing = regular_stat(path)
    if existing is None or existing.st_size == 0:
        return ''
    text = _existing_support(path)
    if text is None:
        raise LifeTimeUsageError('dest %s exists and is not a support file of lifetime_doctor, so it was left as it is: give another path.'
                                 % path, parameter='dest')
    return text


def _existing_support(path):
    """The text of the support file at path; None when the file is not one (or there is no file)."""
    existing = regular_stat(path)
    if existing is None or existing.st_size > MAX_SUPPORT_FILE_BYTES:
        return None
    try:
        text = read_head(path, MAX_SUPPORT_FILE_BYTES).decode('utf-8')
        data = json.loads(text)
    except (ValueError, RecursionError):
        # Not UTF-8, not JSON, or nested deeper than the decoder goes: not a file this module wrote.
        return None
    return text if isinstance(data, dict) and data.get('format') == FORMAT else None


def write_support(path, data, check_mode):
    """Write the support file as every dest is written (atomic, keeping owner, group and mode); {changed, dest}. Not in check mode.

    _files.write_file is the collection's one rule for a file at dest: the file it replaces gives its owner, group and mode.
    """
    text = support_text(data)
    # Checked again: another file may have been put at dest while LifeTime was asked.
    changed = _replaceable_support(path) != text
    if changed and not check_mode:
        try:
            write_file(path, text.encode('utf-8'))
        except OSError as exc:
            raise LifeTimeUsageError('dest %s cannot be written: %s.' % (path, exc.strerror or exc), parameter='dest')
    return dict(changed=changed, dest=path)
