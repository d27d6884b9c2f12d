# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest fixtures: ``simulator`` (default world) and ``make_simulator(**kwargs)``.

Loaded by tests/conftest.py through ``pytest_plugins``.
"""

from __future__ import annotations

import pytest

from tests.simulator import Simulator

TEST_TOKEN = 'test-token'


@pytest.fixture
def simulator():
    """A started default-scenario simulator on a free port, token "test-token"."""
    with Simulator(TEST_TOKEN) as sim:
        yield sim


@pytest.fixture
def make_simulator():
    """A factory: ``make_simulator(**Simulator kwargs)`` returns a started simulator; all are stopped at teardown."""
    started = []

    def make(**kwargs):
        kwargs.setdefault('token', TEST_TOKEN)
        sim = Simulator(**kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()
