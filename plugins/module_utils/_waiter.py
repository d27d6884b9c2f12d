# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: waiting for LifeTime to reach a state.

"Done" is a pure predicate of the fetched state, the clock is monotonic, the
poll interval starts short and grows to a cap, a failed poll ends the wait only
if it was the last one before the deadline, and a timeout fails with one
sentence and the last state seen attached. Callers say what the timeout means
for them (``timeout_message``, ``details``) instead of catching and rewording it.
"""

import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeServerError,
    LifeTimeTimeoutError,
    LifeTimeTransportError,
)

# A 10-minute deployment is polled about once every 5 s on average, and the wait ends on
# average half a cap after LifeTime reaches its terminal status.
POLL_FIRST = 1.0
POLL_FACTOR = 1.5
POLL_CAP = 5.25

TRANSIENT_ERRORS = (LifeTimeServerError, LifeTimeTransportError)


class Backoff:
    """Poll intervals: first, first*factor, ... up to cap."""

    def __init__(self, first=POLL_FIRST, factor=POLL_FACTOR, cap=POLL_CAP):
        self.first = first
        self.factor = factor
        self.cap = cap
        self._next = first

    def next(self):
        delay = self._next
        self._next = min(self.cap, self._next * self.factor)
        return delay


class WaitResult:
    """What a wait ended with: the last state, how long it took, how many polls it made."""

    def __init__(self, state, duration, polls):
        self.state = state
        self.duration = duration
        self.polls = polls


class Waiter:
    """Poll ``fetch()`` until ``done(state)`` is true or ``timeout`` seconds have passed.

    ``on_poll(state)`` is called after every successful poll (to print new deployment
    log lines, for instance). ``describe(state)`` turns the last state into the words
    of the timeout message. ``timeout=None`` waits forever; ``timeout=0`` polls once.

    On timeout a LifeTimeTimeoutError is raised with the sentence
    ``timeout_message(state, seconds)`` (default: "Timed out after N seconds waiting
    for <what>; last seen: <describe(state)>."), then ``hint`` (what the timeout
    leaves behind), and the fields of ``details()`` besides last_state, duration and polls.
    """

    def __init__(self, fetch, done, timeout, on_poll=None, describe=None, what='the operation', hint='',
                 timeout_message=None, details=None, backoff=None, clock=time.monotonic, sleep=time.sleep):
        self.fetch = fetch
        self.done = done
        self.timeout = timeout
        self.on_poll = on_poll
        self.describe = describe or repr
        self.what = what
        self.hint = hint
        self.timeout_message = timeout_message or self._default_message
        self.details = details
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.sleep = sleep

    def wait(self, initial_state=None):
        """Wait; ``initial_state`` (already fetched by the caller) ends the wait at once when it is done."""
        start = self.clock()
        if initial_state is not None and self.done(initial_state):
            return WaitResult(initial_state, 0.0, 0)
        deadline = None if self.timeout is None else start + float(self.timeout)
        state = initial_state
        polls = 0
        while True:
            last_error = None
            try:
                state = self.fetch()
                polls += 1
                if self.on_poll:
                    self.on_poll(state)
            except TRANSIENT_ERRORS as exc:
                # One bad poll does not end a long wait; the next one may succeed.
                last_error = exc
            if last_error is None and self.done(state):
                return WaitResult(state, self.clock() - start, polls)
            now = self.clock()
            if deadline is not None and now >= deadline:
                if last_error is not None:
                    raise last_error
                raise self._timeout(state, now - start, polls)
            delay = self.backoff.next()
            if deadline is not None:
                delay = min(delay, max(0.0, deadline - now))
            self.sleep(delay)

    def _default_message(self, state, duration):
        seen = self.describe(state) if state is not None else 'nothing (no poll succeeded)'
        return 'Timed out after %d seconds waiting for %s; last seen: %s.' % (round(duration), self.what, seen)

    def _timeout(self, state, duration, polls):
        message = self.timeout_message(state, duration)
        if self.hint:
            message = '%s %s' % (message, self.hint)
        fields = dict(self.details() if self.details else {})
        fields.update(last_state=state, duration=round(duration, 3), polls=polls)
        return LifeTimeTimeoutError(message, **fields)


class StatusTrail:
    """The distinct statuses a wait sees, in order (an on_poll callback); each new one is reported as progress.

    ``label`` names what is followed in the progress line (``[solution 1a2b3c4d   2.5s] Getting Binaries``).
    """

    def __init__(self, task, label, key):
        self.task = task
        self.label = label
        self.key = key
        self.seen = []
        self.began = time.monotonic()

    def __call__(self, record):
        value = str((record or {}).get('Status') or '')
        if value and (not self.seen or self.seen[-1] != value):
            self.seen.append(value)
            self.task.progress('[%s %s %5.1fs] %s' % (self.label, self.key[:8], time.monotonic() - self.began, value))
