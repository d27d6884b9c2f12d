# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stateful LifeTime Deployment API v2 simulator for tests, demos and benchmarks (see README.md)."""

from tests.simulator.simulator import Simulator

__all__ = ['Simulator']
