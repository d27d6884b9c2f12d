# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: action plugins that run a module's work on the controller.

A module cannot print while it runs, and a deployment can take twenty minutes.
When the task runs on the controller anyway (localhost, delegate_to: localhost),
these action plugins validate the arguments with the module's own argument spec
and run the very same work function in-process, printing each progress line as
it happens. On any other host the module runs there as usual and its log comes
back with the result.
"""

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._module import TaskConnection, generate_argspec

display = Display()


class ControllerTask(TaskConnection):
    """What a module's work function needs, provided on the controller: params, modes, client, resolver, warn, progress."""

    def __init__(self, params, check_mode, diff, prefix):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.prefix = prefix
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def progress(self, message):
        display.display('%s | %s' % (self.prefix, message))


class LifeTimeAction(ActionBase):
    """Run ``WORK(task)`` on the controller with the arguments validated by the module's spec."""

    MODULE = None
    ARGUMENT_SPEC = None
    MODULE_OPTIONS = None
    WORK = None

    _supports_check_mode = True
    _supports_async = False

    def _on_controller(self):
        return getattr(self._connection, 'transport', None) == 'local'

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        if not self._on_controller():
            result.update(self._execute_module(module_name=self.MODULE, module_args=self._task.args, task_vars=task_vars))
            return result

        options = dict((name, value) for name, value in (self.MODULE_OPTIONS or {}).items() if name != 'supports_check_mode')
        validator = ArgumentSpecValidator(generate_argspec(**self.ARGUMENT_SPEC), **options)
        validation = validator.validate(dict(self._task.args))
        no_log_values = validation._no_log_values
        if validation.error_messages:
            result.update(failed=True, msg='; '.join(validation.error_messages))
            return remove_values(result, no_log_values)
        if not HAS_REQUESTS:
            result.update(failed=True, msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
            return result

        params = validation.validated_parameters
        task = ControllerTask(params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                              prefix=task_vars.get('inventory_hostname', 'localhost'))
        try:
            outcome = self.WORK(task)
        except LifeTimeError as exc:
            outcome = exc.result()
            outcome.update(failed=True, msg=str(exc))
        finally:
            task.close()
        warnings = list(outcome.pop('warnings', [])) + task.warnings
        result.update(outcome)
        result.setdefault('changed', False)
        if warnings:
            result['warnings'] = warnings
        result['invocation'] = {'module_args': params}
        # As AnsibleModule does: the token (and any no_log value) never leaves in a result.
        return remove_values(result, no_log_values)
