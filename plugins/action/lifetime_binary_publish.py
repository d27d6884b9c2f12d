# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs lifetime_binary_publish on the controller, where src is, printing the deployment log as it arrives."""

from ansible_collections.outsystems.lifetime.plugins.modules import lifetime_binary_publish
from ansible_collections.outsystems.lifetime.plugins.plugin_utils._action import LifeTimeAction


class ActionModule(LifeTimeAction):
    MODULE = lifetime_binary_publish
