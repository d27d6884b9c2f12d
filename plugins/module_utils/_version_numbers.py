# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime version numbers, compared and incremented.

Version numbers in the wild are not all semantic versions: ``1.0-hotfix``,
``2024.01.15_1`` and four-part numbers all occur. Comparison never fails:
numbers compare as numbers, words as words, and a number sorts after a word at
the same place. Incrementing works on the leading run of numbers joined by
``.``, ``_`` or ``-`` and keeps the separators and zero-padding it found.
"""

import re

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError, bounded

INCREMENTS = ('patch', 'minor', 'major')
_TOKEN = re.compile(r'\d+|[A-Za-z]+')
_NUMERIC_RUN = re.compile(r'^(\d+(?:[._-]\d+)*)(.*)$')
_SEPARATOR = re.compile(r'[._-]')


def version_text(value, parameter='version'):
    """A version number given in a task, as text; a number fails: YAML reads 1.10 as 1.1, so it cannot be the version meant."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise LifeTimeUsageError('%s must be a version number written as text, such as "1.2.3", not %s.' % (parameter, bounded(repr(value))),
                                 parameter=parameter)
    if not isinstance(value, str):
        raise LifeTimeUsageError('%s is the number %r, not text: YAML reads an unquoted 1.10 as 1.1, so the version meant is unknown. '
                                 'Quote it, for example %s: "1.10".' % (parameter, value, parameter.rsplit('.', 1)[-1]),
                                 parameter=parameter)
    return value


def sort_key(version):
    """A key that orders version numbers sensibly whatever their shape."""
    parts = []
    for token in _TOKEN.findall(str(version or '')):
        if token.isdigit():
            parts.append((1, int(token), ''))
        else:
            parts.append((0, 0, token.lower()))
    return tuple(parts)


def compare(left, right):
    """-1, 0 or 1 as version ``left`` is lower than, equal to or higher than ``right``."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def highest(versions):
    """The highest of some version numbers (None when there are none)."""
    versions = [v for v in versions if v]
    return max(versions, key=sort_key) if versions else None


def increment(version, part='patch'):
    """The next version number after ``version``.

    ``major`` bumps the first number, ``minor`` the second, ``patch`` the last one
    (the third, added when the version has fewer); the numbers after the bumped one
    become 0 and a trailing suffix such as ``-hotfix`` is dropped:
    1.2.3 -> 1.2.4 / 1.3.0 / 2.0.0; 1.2 -> 1.2.1 / 1.3 / 2.0; 1.2.3.4 -> 1.2.3.5 / 1.3.0.0 / 2.0.0.0;
    1.0-hotfix -> 1.0.1; 2024.01.15_1 -> 2024.01.15_2.
    """
    if part not in INCREMENTS:
        raise LifeTimeUsageError('increment must be one of %s, not %s.' % (', '.join(INCREMENTS), bounded(repr(part))), parameter='increment')
    text = str(version or '').strip()
    match = _NUMERIC_RUN.match(text)
    if not match:
        raise LifeTimeUsageError(
            'Cannot derive the next version number from %s: it does not start with a number. Give the version explicitly.' % bounded(repr(text)),
            parameter='version')
    run = match.group(1)
    numbers = re.split(r'[._-]', run)
    separators = _SEPARATOR.findall(run)
    if part == 'major':
        index = 0
    elif part == 'minor':
        index = 1
    else:
        index = max(2, len(numbers) - 1)
    while len(numbers) <= index:
        numbers.append('0')
        separators.append(separators[-1] if separators else '.')
    numbers[index] = str(int(numbers[index]) + 1).zfill(len(numbers[index]))
    for later in range(index + 1, len(numbers)):
        numbers[later] = '0'.zfill(len(numbers[later]))
    out = numbers[0]
    for separator, number in zip(separators, numbers[1:]):
        out += separator + number
    return out


def next_version(existing, part='patch'):
    """The next version number after the highest of ``existing`` that none of them already uses."""
    top = highest(existing)
    if top is None:
        raise LifeTimeUsageError('The application has no version yet to derive the next number from: give the version explicitly.',
                                 parameter='version')
    taken = set(str(v) for v in existing)
    candidate = increment(top, part)
    while candidate in taken:
        candidate = increment(candidate, 'patch')
    return candidate
