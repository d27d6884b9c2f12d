# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeNotFoundError,
    LifeTimeServerError,
    LifeTimeTimeoutError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._waiter import Backoff, Waiter
from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import LogTail


class FakeClock:
    """A monotonic clock that only moves when the waiter sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def sequence(*states):
    items = list(states)

    def fetch():
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return item
    return fetch


def test_backoff_starts_short_and_grows_to_the_cap():
    backoff = Backoff(first=1.0, factor=2.0, cap=5.0)
    assert [backoff.next() for dummy in range(6)] == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_wait_returns_the_first_done_state_with_duration_and_polls():
    clock = FakeClock()
    waiter = Waiter(sequence('running', 'running', 'finished'), lambda s: s == 'finished', timeout=60,
                    backoff=Backoff(1, 2, 8), clock=clock, sleep=clock.sleep)
    result = waiter.wait()
    assert result.state == 'finished'
    assert result.polls == 3
    assert clock.sleeps == [1, 2]
    assert result.duration == 3


def test_wait_with_an_initial_done_state_makes_no_request():
    calls = []
    waiter = Waiter(lambda: calls.append(1), lambda s: s == 'done', timeout=10)
    assert waiter.wait(initial_state='done').polls == 0
    assert calls == []


def test_timeout_fails_with_the_last_seen_state():
    clock = FakeClock()
    waiter = Waiter(sequence('running'), lambda s: False, timeout=10, describe=lambda s: 'status %s' % s,
                    what='deployment X', backoff=Backoff(1, 2, 4), clock=clock, sleep=clock.sleep)
    with pytest.raises(LifeTimeTimeoutError) as info:
        waiter.wait()
    assert 'deployment X' in str(info.value)
    assert 'status running' in str(info.value)
    assert info.value.details['last_state'] == 'running'
    # The last sleep is cut to the deadline rather than overshooting it.
    assert sum(clock.sleeps) == 10


def test_a_failed_poll_does_not_end_the_wait_when_a_later_one_succeeds():
    clock = FakeClock()
    waiter = Waiter(sequence('running', LifeTimeServerError('GET', '/x', status=503), 'done'), lambda s: s == 'done',
                    timeout=60, clock=clock, sleep=clock.sleep)
    assert waiter.wait().state == 'done'


def test_a_failed_last_poll_ends_the_wait_with_that_error():
    clock = FakeClock()
    error = LifeTimeServerError('GET', '/x', status=503)
    waiter = Waiter(sequence('running', error), lambda s: False, timeout=5, clock=clock, sleep=clock.sleep)
    with pytest.raises(LifeTimeServerError):
        waiter.wait()


def test_a_non_transient_error_ends_the_wait_at_once():
    clock = FakeClock()
    waiter = Waiter(sequence(LifeTimeNotFoundError('GET', '/x', status=404)), lambda s: False, timeout=60,
                    clock=clock, sleep=clock.sleep)
    with pytest.raises(LifeTimeNotFoundError):
        waiter.wait()
    assert clock.sleeps == []


def test_on_poll_sees_every_successful_poll():
    seen = []
    clock = FakeClock()
    Waiter(sequence(1, 2, 3), lambda s: s == 3, timeout=60, on_poll=seen.append, clock=clock, sleep=clock.sleep).wait()
    assert seen == [1, 2, 3]


def test_log_tail_reports_only_new_entries():
    printed = []
    tail = LogTail(printed.append)
    tail.feed({'DeploymentLog': [{'Message': 'a'}]})
    tail.feed({'DeploymentLog': [{'Message': 'a'}, {'Message': 'b'}, {'Message': 'c'}]})
    tail.feed({'DeploymentLog': [{'Message': 'a'}, {'Message': 'b'}, {'Message': 'c'}]})
    assert [entry['Message'] for entry in printed] == ['a', 'b', 'c']
