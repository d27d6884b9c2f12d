# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Attributes shared by the outsystems.lifetime modules."""

    DOCUMENTATION = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/outsystems.lifetime.lifetime) in C(module_defaults) to set the connection options of every module at once.
    support: full
    membership:
      - outsystems.lifetime.lifetime
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return the same results as without it.
    support: full
    details: This module only reads from LifeTime.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: N/A
    details: This module only reads from LifeTime.
'''

    CONTROLLER = r'''
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details:
      - When the task runs on the controller (a C(local) connection, without C(async), C(become) or another Python in
        C(ansible_python_interpreter)), the action plugin runs the module's own code in-process, within the task's
        C(environment), and prints progress (deployment log lines, solution statuses) on standard error as it happens.
      - Otherwise the module runs as any module does and its progress is in the result. Options, results and failures are the
        same either way; file paths are on the host that runs the task.
  async:
    description: Supports being used with the C(async) keyword.
    support: full
'''
