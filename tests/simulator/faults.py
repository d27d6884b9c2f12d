# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Injected failures: error answers, dropped connections and latency per route."""

from __future__ import annotations

import dataclasses
import random
import re
import threading

FAULT_SPEC_HELP = """\
--fault '[METHOD ]PATH=ACTION[,OPTION...]' (repeatable). PATH is relative to the
API base, with {placeholders} or '*' for one segment, e.g. /deployments/*/status/.
ACTION is an HTTP status (500, 502, 503, 429...), 'drop' (close the connection
without an answer) or 'ok' (no failure, with latency=). Append xN to affect only
the first N matching requests and @F to affect each with probability F.
OPTIONs: after (process the request, then fail or drop its answer),
latency=MS (added before answering), retry-after=S (429 only; default 1).
Examples: 'POST /deployments/=503x1'  'GET /deployments/*/status/=500@0.2'
'POST /deployments/=dropx1,after'  'GET /environments/=ok,latency=250'"""


@dataclasses.dataclass
class Fault:
    """One injection rule; see ``Simulator.inject_fault``."""

    method: str
    path: str
    status: int = None
    count: int = None
    fraction: float = None
    latency: float = None
    drop: bool = False
    after_processing: bool = False
    retry_after: int = 1
    matched: int = 0  # how many requests this rule has fired on

    def __post_init__(self):
        self.method = (self.method or '*').upper()
        if self.status is None and not self.drop and not self.latency:
            raise ValueError('a fault needs a status, drop=True or a latency')
        if self.status is not None and not 100 <= int(self.status) <= 599:
            raise ValueError('fault status must be an HTTP status code, got %r' % (self.status,))
        if self.fraction is not None and not 0.0 <= float(self.fraction) <= 1.0:
            raise ValueError('fault fraction must be between 0 and 1, got %r' % (self.fraction,))
        self._segments = path_segments(self.path)

    def matches(self, method, segments):
        if self.method not in ('*', method):
            return False
        if len(segments) != len(self._segments):
            return False
        return all(p == '*' or p.startswith('{') or p == s.lower() for p, s in zip(self._segments, segments))

    def describe(self):
        return {f: getattr(self, f) for f in ('method', 'path', 'status', 'count', 'fraction', 'latency', 'drop',
                                              'after_processing', 'retry_after', 'matched')}


def path_segments(path):
    """Split an API path into lower-case segments, ignoring slashes at either end."""
    return [s.lower() for s in path.strip('/').split('/') if s]


class FaultSet:
    """The active rules; thread-safe, with a seeded RNG so fractions repeat run to run."""

    def __init__(self, seed=0):
        self._lock = threading.Lock()
        self._faults = []
        self._random = random.Random(seed)

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults.clear()

    def list(self):
        with self._lock:
            return [f.describe() for f in self._faults]

    def pick(self, method, segments):
        """Return the first rule that fires for this request, counting it, or None."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, segments):
                    continue
                if fault.count is not None and fault.matched >= fault.count:
                    continue
                if fault.fraction is not None and self._random.random() >= fault.fraction:
                    continue
                fault.matched += 1
                return fault
        return None


_ACTION = re.compile(r'^(?P<action>\d{3}|drop|ok)(?:x(?P<count>\d+))?(?:@(?P<fraction>[0-9.]+))?$')


def parse_fault_spec(spec):
    """Turn a ``--fault`` command-line value into Fault keyword arguments."""
    # The route is what precedes the first '=' (options such as latency=250 have their own).
    target, sep, actions = spec.partition('=')
    if not sep or not target.strip():
        raise ValueError('fault %r: expected [METHOD ]PATH=ACTION' % spec)
    parts = target.split()
    if len(parts) == 1:
        method, path = '*', parts[0]
    elif len(parts) == 2:
        method, path = parts
    else:
        raise ValueError('fault %r: expected [METHOD ]PATH before "="' % spec)
    items = [i.strip() for i in actions.split(',') if i.strip()]
    match = _ACTION.match(items[0].lower()) if items else None
    if not match:
        raise ValueError('fault %r: ACTION must be a status code, drop or ok, optionally followed by xN and @F' % spec)
    kwargs = {'method': method, 'path': path}
    action = match.group('action')
    if action == 'drop':
        kwargs['drop'] = True
    elif action != 'ok':
        kwargs['status'] = int(action)
    if match.group('count'):
        kwargs['count'] = int(match.group('count'))
    if match.group('fraction'):
        kwargs['fraction'] = float(match.group('fraction'))
    for option in items[1:]:
        name, _sep, value = option.partition('=')
        name = name.lower()
        if name == 'after':
            kwargs['after_processing'] = True
        elif name == 'latency':
            kwargs['latency'] = float(value.lower().removesuffix('ms')) / 1000.0
        elif name == 'retry-after':
            kwargs['retry_after'] = int(value)
        else:
            raise ValueError('fault %r: unknown option %r' % (spec, option))
    return kwargs
