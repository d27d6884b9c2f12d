# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Without the requests library, every module fails with Ansible's missing_required_lib message and sends nothing."""

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils import _module

MODULES = ['lifetime_environment_info', 'lifetime_application_info', 'lifetime_app_version', 'lifetime_deployment',
           'lifetime_solution', 'lifetime_binary_publish', 'lifetime_application_config', 'lifetime_source_code',
           'lifetime_deployment_info', 'lifetime_manifest']
MINIMAL_ARGS = {
    'lifetime_app_version': dict(application='EmployeeBackoffice', environment='Development'),
    'lifetime_deployment': dict(target_environment='Production', applications=[{'name': 'EmployeeBackoffice'}]),
    'lifetime_solution': dict(environment='Development', applications=['EmployeeBackoffice'], dest='/tmp/x.osp'),
    'lifetime_binary_publish': dict(src='/tmp/x.oap', target_environment='Production'),
    'lifetime_application_config': dict(application='EmployeeBackoffice', environment=['Production'], blocked=True, reason='freeze'),
    'lifetime_source_code': dict(environment='Development', application='EmployeeBackoffice', dest='/tmp/x.zip'),
    'lifetime_manifest': dict(environment='Development'),
}


@pytest.mark.parametrize('name', MODULES)
def test_a_module_without_requests_says_which_library_to_install(run_module, simulator, monkeypatch, name):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'ImportError: No module named requests')
    result = run_module(name, MINIMAL_ARGS.get(name, {}))
    assert result['failed'] is True
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert simulator.requests == []
