# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest plugin of ``make floor`` (``-p tests.floor_plugin``): the simulator under the oldest Python the collection promises.

``make floor`` runs the client and transport tests under Python 3.8 with requests 2.25 and urllib3 1.26
(tests/requirements-floor.txt). The simulator runs inside the test process, as everywhere else, so that the tests can
read its state and its request log. It is written for Python 3.11 (tests/simulator/README.md), and under 3.8 it makes
one call that 3.8 lacks: ``hashlib.md5(..., usedforsecurity=False)`` in tests/simulator/world.py (the keyword came
with Python 3.9). This plugin hands that module, and only that module, an md5 that takes the keyword: the collection's
own code still meets Python 3.8's hashlib as it is, so a call of its own that needs a newer Python fails the run.
"""

import hashlib
import sys


class _HashlibForTheSimulator:
    """hashlib, with an md5 that accepts (and, like Python 3.8, cannot act on) ``usedforsecurity``."""

    def __getattr__(self, name):
        return getattr(hashlib, name)

    @staticmethod
    def md5(data=b'', **_usedforsecurity):
        return hashlib.md5(data)


def pytest_configure():
    if sys.version_info >= (3, 9):
        return
    from tests.simulator import world  # pylint: disable=import-outside-toplevel

    world.hashlib = _HashlibForTheSimulator()
