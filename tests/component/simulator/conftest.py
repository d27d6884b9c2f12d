# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the simulator's own tests."""

from __future__ import annotations

import pytest

from tests.simulator.client import Client, key_of


@pytest.fixture
def api(simulator):
    """A client of the default-world simulator with its full-access token."""
    return Client(simulator)


@pytest.fixture
def plan_factory(api, simulator):
    """create(app, version, source, target) -> key of a new saved plan (names resolved in the simulator's world)."""

    def create(app='EmployeeBackoffice', version='1.3', source='Development', target='Production', zone=''):
        state = simulator.state
        body = {
            'ApplicationOperations': [{'ApplicationVersionKey': state.version(app, version).key, 'DeploymentZoneKey': zone}],
            'Notes': 'test plan',
            'SourceEnvironmentKey': state.environment(source).key,
            'TargetEnvironmentKey': state.environment(target).key,
        }
        reply = api.post('/deployments/', body)
        assert reply.status == 201, reply
        return key_of(reply)

    return create
