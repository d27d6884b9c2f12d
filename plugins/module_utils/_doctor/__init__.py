# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the doctor (lifetime_doctor), read-only checks of a LifeTime before the first deployment.

    report.py   a check's verdict (ok, warn, fail), what was found, what to do; the one table
    network.py  the proxy requests would use, and LifeTime's TLS certificate read by a handshake alone (no request, no token)
    api.py      what GET requests reveal: the token, the environments it can read, the features present, the clock
    support.py  the support file: what was seen (field names, formats, status words, counts), never a secret, name or key
    flow.py     the checks in order, and the module's result

Other code imports from the package.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._doctor.flow import examine  # noqa: F401
