# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the version of this collection, sent in the User-Agent of every request.

The one place the code reads it from; tests/unit/test_version.py checks that it equals the version in galaxy.yml.
"""

COLLECTION_VERSION = '0.2.0'
