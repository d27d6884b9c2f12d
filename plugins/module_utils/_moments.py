# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime's dates, read as moments.

LifeTime writes ``2018-10-10T15:36:38.26Z``: milliseconds with their trailing zeros
dropped, so two dates of the same second do not compare as text (``38.2Z`` sorts
after ``38.25Z``, ``38Z`` after ``38.5Z``). Whatever orders records by when LifeTime
created them (the plan concurrent runs agree on, the version a promote must not go
below) compares the moments this file reads.

The calendar ends at 0001-01-01 and 9999-12-31 (.NET's MinValue and MaxValue, which LifeTime may write too): a moment
read from LifeTime is brought to UTC within those ends, and arithmetic on moments (``shifted``) stops at them, so no
date a user or LifeTime gives ends in an overflow.
"""

import datetime
import re

UTC = datetime.timezone.utc
_DATE = re.compile(r'(\d{4})-(\d{2})-(\d{2})$')
_DATETIME = re.compile(r'(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$', re.IGNORECASE)
# Records whose date is missing or unreadable sort before every real date, in the same place for every run.
_UNKNOWN = datetime.datetime.min.replace(tzinfo=UTC)
FIRST = datetime.datetime.min.replace(tzinfo=UTC)
LAST = datetime.datetime.max.replace(tzinfo=UTC)


def _zone(text):
    if not text or text.upper() == 'Z':
        return UTC
    sign = -1 if text[0] == '-' else 1
    digits = text[1:].replace(':', '')
    return datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_moment(text):
    """(aware datetime, True for a bare date) of an ISO date or date and time; None when it is neither.

    A moment without a time zone is UTC, as LifeTime writes its dates.
    """
    value = str(text).strip()
    found = _DATE.match(value)
    try:
        if found:
            return datetime.datetime(*(int(part) for part in found.groups()), tzinfo=UTC), True
        found = _DATETIME.match(value)
        if not found:
            return None
        year, month, day, hour, minute, second, fraction, zone = found.groups()
        micro = int((fraction or '0')[:6].ljust(6, '0'))
        return datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tzinfo=_zone(zone)), False
    except ValueError:
        return None


def in_utc(moment):
    """The moment in UTC, or None when UTC cannot hold it (0001-01-01T00:00:00+05:00 is before the calendar's first moment)."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def shifted(moment, delta):
    """``moment + delta``, stopping at the calendar's ends (in UTC) instead of overflowing."""
    moment = in_utc(moment) or (FIRST if moment.year == 1 else LAST)
    try:
        return moment + delta
    except OverflowError:
        return FIRST if delta < datetime.timedelta(0) else LAST


def created_on(record):
    """When LifeTime created a record (plan, version): an aware datetime in UTC (at the calendar's end when UTC cannot hold it),
    or None when its CreatedOn is missing or unreadable."""
    parsed = parse_moment((record or {}).get('CreatedOn') or '')
    if not parsed:
        return None
    return in_utc(parsed[0]) or (FIRST if parsed[0].year == 1 else LAST)


def created_before(record, than):
    """Whether ``record`` was created before ``than`` (LifeTime's own order); None when either date is missing or unreadable."""
    left, right = created_on(record), created_on(than)
    if left is None or right is None:
        return None
    return left < right


def creation_order(record):
    """Sort key: created first, then the smallest key (the same order for every run that reads the same records)."""
    return created_on(record) or _UNKNOWN, str((record or {}).get('Key') or '').lower()


def iso(moment):
    """2026-01-15T10:00:00Z; isoformat, not strftime, which writes year 1 as "1" on Linux."""
    moment = in_utc(moment) or (FIRST if moment.year == 1 else LAST)
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + 'Z'
