# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A test connection: the local machine under another name, so tasks take the module path as on a remote host."""

from ansible.plugins.connection.local import Connection as LocalConnection

DOCUMENTATION = r'''
name: outsystems_test_notlocal
short_description: The local connection under another name (tests only)
description:
  - Runs commands on the controller like C(local), but is not C(local), so action plugins treat the host as remote.
author:
  - OutSystems community Ansible maintainers (@outsystems-community)
'''


class Connection(LocalConnection):
    transport = 'outsystems_test_notlocal'
