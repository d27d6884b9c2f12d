# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the AnsibleModule of every outsystems.lifetime module.

The only file that imports AnsibleModule. LifeTimeModule merges the connection
argument spec into each module's own, fails with missing_required_lib when
requests is absent, and turns every LifeTimeError into one fail_json with a
plain sentence. It is the "task" the module's ``run(task)`` works with:
``params``, ``check_mode``, ``diff``, ``client``, ``resolver``, ``warn()`` and
``progress()``; the action plugins offer the same on the controller.
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.outsystems.lifetime.plugins.module_utils._connection import TaskConnection, generate_argspec, url_secrets
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError


class LifeTimeModule(TaskConnection, AnsibleModule):
    """AnsibleModule with the LifeTime connection options, client and error handling."""

    def __init__(self, argument_spec=None, **kwargs):
        super().__init__(argument_spec=generate_argspec(**(argument_spec or {})), **kwargs)
        self.no_log_values.update(url_secrets(self.params))
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)

    @property
    def diff(self):
        return bool(self._diff)

    def progress(self, message):
        """Modules cannot print while they run; progress reaches the user through the result."""

    def fail_from_error(self, error, **result):
        """fail_json with the error's plain sentence and its details."""
        result.update(error.result())
        result.pop('msg', None)
        self.fail_json(msg=str(error), **result)

    def run(self, work):
        """exit_json with what ``work(self)`` returns, or fail_json with the LifeTimeError it raises."""
        try:
            result = work(self)
        except LifeTimeError as exc:
            self.fail_from_error(exc)
        finally:
            self.close()
        self.exit_json(**result)


def main(argument_spec, module_options, run):
    """Run a module file's ``run(task)`` as an Ansible module (the module path)."""
    LifeTimeModule(argument_spec=argument_spec, **module_options).run(run)
