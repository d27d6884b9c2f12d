# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: roles, users and role permission levels named by a task, resolved to LifeTime's records.

The API (small and stable; the governance modules share it):

``names = GovernanceNames(gov)`` -- ``gov`` a GovernanceClient. Each list is read at most once per run through the
client's cache (``gov.roles()``, ``gov.users()``, the permission levels once), whatever the number of lookups.

``names.role(ref, parameter)``
    The Role record (camelCase: ``key``, ``name``, ...) whose key or name is ``ref``.
``names.user(ref, parameter)``
    The User record (PascalCase: ``Key``, ``Username``, ``Name``, ...) whose key, username or name is ``ref``.
``names.find_role(ref, parameter)``, ``names.find_user(ref, parameter)``
    The same, or None when nothing matches (a role or user the task is about to create); several still fail.
``names.role_level(ref, parameter)``
    The number of a role permission level given by LifeTime's label (``Deploy Applications``, case-insensitive) or its
    number (``3`` or ``"3"``), as LifeTime's permission-levels operation lists them.
``names.role_level_label(level)``
    LifeTime's label of a level number (the number as text when LifeTime lists no such level).
``check_email(value, parameter)``
    The address, stripped; one that does not look like one is refused.

Matching: the key (case-insensitive), then the exact name, then a case-insensitive name when exactly one record has
it; users are matched on their username first, then on their name. Whatever does not resolve raises
LifeTimeLookupError (LifeTimeUsageError for a malformed email) with one sentence that names ``parameter`` and lists
the closest names that exist, before the task writes anything.
"""

import re

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeUsageError, bounded
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import existing_names

# Something@domain.tld, no spaces: what LifeTime's user form accepts, without guessing more of its rules.
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s.]+$')


def check_email(value, parameter='email'):
    """The address, stripped; LifeTimeUsageError naming ``parameter`` when it is not one."""
    text = str(value if value is not None else '').strip()
    if not EMAIL.match(text):
        raise LifeTimeUsageError('%s %r is not an email address (expected name@domain, for example ana.silva@company.com).'
                                 % (parameter, bounded(text)), parameter=parameter)
    return text


def _by_name(records, wanted, field):
    """Records whose ``field`` is ``wanted`` exactly, else case-insensitively."""
    exact = [record for record in records if record.get(field) == wanted]
    if exact:
        return exact
    lowered = wanted.lower()
    return [record for record in records if str(record.get(field) or '').lower() == lowered]


def _match(records, ref, key_field, name_fields):
    """(the one record, None), (None, candidates) when several match, or (None, []) when none does."""
    wanted = str(ref if ref is not None else '').strip()
    if not wanted:
        return None, []
    for record in records:
        if str(record.get(key_field) or '').lower() == wanted.lower():
            return record, None
    for field in name_fields:
        found = _by_name(records, wanted, field)
        if len(found) == 1:
            return found[0], None
        if found:
            return None, found
    return None, []


class GovernanceNames:
    """Cached name-or-key lookups of roles, users and role permission levels, for one task."""

    def __init__(self, gov):
        self.gov = gov
        self._levels = None

    # -- roles --------------------------------------------------------------------------------------

    def find_role(self, ref, parameter='role'):
        record, candidates = _match(self.gov.roles(), ref, 'key', ('name',))
        if candidates:
            raise self._ambiguous('role', ref, candidates, 'name', 'key', parameter)
        return record

    def role(self, ref, parameter='role'):
        found = self.find_role(ref, parameter)
        if found is None:
            raise LifeTimeLookupError('No role %r (%s). %s.' % (bounded(str(ref)), parameter, existing_names(str(ref), self.gov.roles(), 'name')),
                                      parameter=parameter)
        return found

    # -- users --------------------------------------------------------------------------------------

    def find_user(self, ref, parameter='user'):
        record, candidates = _match(self.gov.users(), ref, 'Key', ('Username', 'Name'))
        if candidates:
            raise self._ambiguous('user', ref, candidates, 'Username', 'Key', parameter)
        return record

    def user(self, ref, parameter='user'):
        found = self.find_user(ref, parameter)
        if found is None:
            raise LifeTimeLookupError('No user %r (%s): give a username, a name or a key. %s.'
                                      % (bounded(str(ref)), parameter, existing_names(str(ref), self.gov.users(), 'Username')),
                                      parameter=parameter)
        return found

    # -- role permission levels ---------------------------------------------------------------------

    def role_levels(self):
        """[(number, label)] as LifeTime's permission-levels operation lists them, read once."""
        if self._levels is None:
            levels = []
            for record in self.gov.role_permission_levels():
                number = record.get('level') if isinstance(record, dict) else None
                if isinstance(number, int) and not isinstance(number, bool):
                    levels.append((number, str(record.get('levelLabel') or number)))
            self._levels = sorted(levels)
        return self._levels

    def role_level(self, ref, parameter='level'):
        levels = self.role_levels()
        text = str(ref if ref is not None else '').strip()
        for number, label in levels:
            if text == str(number) or text.lower() == label.lower():
                return number
        raise LifeTimeLookupError('%s %r is not a role permission level LifeTime knows: use one of %s.'
                                  % (parameter, bounded(text), ', '.join('%s (%d)' % (label, number) for number, label in levels) or 'none'),
                                  parameter=parameter)

    def role_level_label(self, level):
        return next((label for number, label in self.role_levels() if number == level), str(level))

    @staticmethod
    def _ambiguous(kind, ref, candidates, name_field, key_field, parameter):
        return LifeTimeLookupError('%s %r is ambiguous: it matches the %ss %s. Use the key.'
                                   % (parameter, bounded(str(ref)), kind,
                                      ', '.join('%s (%s)' % (c.get(name_field), c.get(key_field)) for c in candidates)),
                                   parameter=parameter)
