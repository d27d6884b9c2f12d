# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: action plugins that run a module's work on the controller, with the module's semantics.

A module cannot print while it runs, and a deployment can take twenty minutes.
When the task runs on the controller anyway (a ``local`` connection, no async,
no become, no other Python asked for), the action plugin validates the arguments
with the module's own argument spec and runs the module's own ``run(task)``
in-process, inside the task's ``environment:``, reporting each progress line as
it happens. Everything else goes to the module path unchanged
(``_execute_module``, with async when asked), so the result and the failure
text are the same either way.

Progress goes to stderr through Display: the default callback shows it live,
ansible-runner (AWX) turns it into job events, and a stdout callback that prints
one JSON document (ansible.posix.json) keeps stdout parseable.
"""

import contextlib
import grp
import os
import pwd
import stat
import sys

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.outsystems.lifetime.plugins.module_utils._connection import TaskConnection, generate_argspec, url_secrets
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError

display = Display()


@contextlib.contextmanager
def task_environment(variables):
    """The task's ``environment:`` in os.environ while its work runs (this is the task's own worker process)."""
    saved = dict(os.environ)
    os.environ.update(dict((str(name), str(value)) for name, value in variables.items()))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def path_info(result):
    """The file facts AnsibleModule.exit_json adds to a result that names a ``dest`` (or ``path``), so both paths return them."""
    path = result.get('path', result.get('dest'))
    if path is None or not os.path.exists(path):
        return result
    info = os.lstat(path)
    result.update(uid=info.st_uid, gid=info.st_gid, mode='0%03o' % stat.S_IMODE(info.st_mode), size=info.st_size)
    try:
        result['owner'] = pwd.getpwuid(info.st_uid)[0]
    except KeyError:
        result['owner'] = str(info.st_uid)
    try:
        result['group'] = grp.getgrgid(info.st_gid)[0]
    except KeyError:
        result['group'] = str(info.st_gid)
    if os.path.islink(path):
        result['state'] = 'link'
    elif os.path.isdir(path):
        result['state'] = 'directory'
    else:
        result['state'] = 'hard' if os.stat(path).st_nlink > 1 else 'file'
    context = _selinux_context(path)
    if context:
        result['secontext'] = context
    return result


def _selinux_context(path):
    try:
        from ansible.module_utils.compat import selinux
        if not selinux.is_selinux_enabled():
            return None
        return selinux.lgetfilecon_raw(path)[1]
    except (ImportError, OSError):
        return None


class ControllerTask(TaskConnection):
    """What a module's ``run(task)`` needs, provided on the controller: params, modes, client, resolver, warn, progress."""

    def __init__(self, params, check_mode, diff, prefix):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.prefix = prefix
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def progress(self, message):
        display.display('%s | %s' % (self.prefix, message), stderr=True)

    def perform(self, work):
        """The module's result for ``work(self)``, as AnsibleModule.run would give it (failed and msg on a LifeTimeError)."""
        try:
            outcome = work(self)
        except LifeTimeError as exc:
            outcome = exc.result()
            outcome.update(failed=True, msg=str(exc))
        finally:
            self.close()
        warnings = list(outcome.pop('warnings', [])) + self.warnings
        outcome.setdefault('changed', False)
        if warnings:
            outcome['warnings'] = warnings
        return outcome


class LifeTimeAction(ActionBase):
    """Run a module file's ``run(task)`` on the controller when the task runs there; else run the module."""

    #: The module file (it defines ARGUMENT_SPEC, MODULE_OPTIONS and run).
    MODULE = None

    _supports_check_mode = True
    _supports_async = True

    @property
    def module_name(self):
        return 'outsystems.lifetime.%s' % self.MODULE.__name__.rsplit('.', 1)[-1]

    def _on_controller(self, task_vars):
        """Whether running in-process gives exactly what the module would: same host, same user, same Python, no async."""
        if getattr(self._connection, 'transport', None) != 'local' or self._task.async_val or self._play_context.become:
            return False
        interpreter = task_vars.get('ansible_python_interpreter')
        if interpreter:
            interpreter = self._templar.template(interpreter)
            if os.path.realpath(str(interpreter)) != os.path.realpath(sys.executable):
                return False
        return True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        if not self._on_controller(task_vars):
            return self._run_module(result, task_vars)
        environment = {}
        self._compute_environment_string(environment)
        with task_environment(environment):
            result.update(self._run_here(task_vars))
        return result

    def _run_module(self, result, task_vars):
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(module_name=self.module_name, module_args=self._task.args,
                                                         task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_here(self, task_vars):
        options = dict((name, value) for name, value in self.MODULE.MODULE_OPTIONS.items() if name != 'supports_check_mode')
        validation = ArgumentSpecValidator(generate_argspec(**self.MODULE.ARGUMENT_SPEC), **options).validate(dict(self._task.args))
        no_log_values = set(validation._no_log_values) | url_secrets(dict(self._task.args)) | url_secrets(validation.validated_parameters)
        if validation.error_messages:
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = 'Unsupported parameters for (%s) module: %s' % (self.module_name, message)
            return remove_values(dict(failed=True, msg=message), no_log_values)
        if not HAS_REQUESTS:
            return dict(failed=True, msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        params = validation.validated_parameters
        task = ControllerTask(params, check_mode=bool(self._task.check_mode), diff=bool(self._task.diff),
                              prefix=task_vars.get('inventory_hostname', 'localhost'))
        outcome = path_info(task.perform(self.MODULE.run))
        outcome['invocation'] = {'module_args': params}
        # As AnsibleModule does: the token (and any no_log value) never leaves in a result.
        return remove_values(outcome, no_log_values)
