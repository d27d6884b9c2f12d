# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a module's main() in-process against the simulator and capture its result.

``run_module(module, args, check_mode=False, diff=False)`` returns the dict the
module passed to exit_json/fail_json, with ``failed`` set on failure. The
connection options default to the simulator given in ``args['_sim']``.
"""

import importlib
import json

import pytest

from ansible.module_utils import basic

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    import contextlib
    from unittest import mock

    from ansible.module_utils.common.text.converters import to_bytes

    @contextlib.contextmanager
    def patch_module_args(args=None):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args or {}}))):
            yield


class ModuleExit(Exception):
    def __init__(self, result):
        super().__init__(result)
        self.result = result


def _exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise ModuleExit(self._return_formatted_for_test(kwargs))


def _fail_json(self, msg, **kwargs):
    kwargs['failed'] = True
    kwargs['msg'] = msg
    raise ModuleExit(self._return_formatted_for_test(kwargs))


def _warn(self, warning, **kwargs):
    self.__dict__.setdefault('_test_warnings', []).append(warning)


def _return_formatted(self, kwargs):
    """What the controller would receive: no_log values removed, warnings attached."""
    from ansible.module_utils.common.parameters import remove_values
    result = remove_values(kwargs, self.no_log_values)
    warnings = list(result.get('warnings', [])) + list(self.__dict__.get('_test_warnings', []))
    if warnings:
        result['warnings'] = warnings
    return result


@pytest.fixture
def run_module(monkeypatch, simulator):
    """Run outsystems.lifetime.<name> with args against the default simulator (or the one in ``sim=``)."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', _warn)
    monkeypatch.setattr(basic.AnsibleModule, '_return_formatted_for_test', _return_formatted, raising=False)

    def run(name, args=None, check_mode=False, diff=False, sim=None, connection=True):
        target = sim or simulator
        module_args = dict(args or {})
        if connection:
            module_args.setdefault('lifetime_url', target.url)
            module_args.setdefault('lifetime_token', target.token)
        if check_mode:
            module_args['_ansible_check_mode'] = True
        if diff:
            module_args['_ansible_diff'] = True
        module = importlib.import_module('ansible_collections.outsystems.lifetime.plugins.modules.%s' % name)
        with patch_module_args(module_args):
            with pytest.raises(ModuleExit) as info:
                module.main()
        result = info.value.result
        # Everything a module returns must survive the JSON trip to the controller.
        return json.loads(json.dumps(result))

    return run
