"""A stateful LifeTime Deployment API v2 simulator for tests, demos and benchmarks (see README.md)."""

from tests.simulator.simulator import Simulator

__all__ = ['Simulator']
