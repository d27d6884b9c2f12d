# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where the tests import the collection from.

Tests import ``ansible_collections.outsystems.lifetime...`` and run
``ansible-playbook``; both must see the same copy of the collection:

* ``make test`` sets OUTSYSTEMS_LIFETIME_COLLECTIONS to the collections root the
  built tarball was installed into, so the tests check what would be shipped;
* otherwise a symlink .tmp/dev-collections/ansible_collections/outsystems/lifetime
  pointing at this work tree is used, so ``.venv/bin/pytest tests/component`` tests
  the code as it is being edited, without a rebuild.

This runs when pytest loads this file, before any test module is imported.
"""

from __future__ import annotations

import os
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _dev_collections_root():
    """Return a collections root whose outsystems/lifetime is this work tree."""
    root = os.path.join(REPO_ROOT, '.tmp', 'dev-collections')
    link = os.path.join(root, 'ansible_collections', 'outsystems', 'lifetime')

    if os.path.realpath(link) != os.path.realpath(REPO_ROOT):
        os.makedirs(os.path.dirname(link), exist_ok=True)

        if os.path.lexists(link):
            os.remove(link)

        try:
            os.symlink(REPO_ROOT, link, target_is_directory=True)
        except FileExistsError:
            pass  # another pytest process made it at the same moment

    return root


COLLECTIONS_ROOT = os.path.abspath(os.environ.get('OUTSYSTEMS_LIFETIME_COLLECTIONS') or _dev_collections_root())

if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)

os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', COLLECTIONS_ROOT)

pytest_plugins = ["tests.simulator.pytest_plugin"]
