# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the base of every outsystems.lifetime module.

LifeTimeModule merges the one connection argument spec into each module's own,
fails with missing_required_lib when requests is absent, builds the client and
the resolver, and turns every LifeTimeError into one fail_json with a plain
sentence. The work of a module is a function of a "task" object offering
``params``, ``check_mode``, ``diff``, ``client``, ``resolver``, ``warn()`` and
``progress()``; action plugins offer the same so they can run that function on
the controller.
"""

import copy

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    LifeTimeClient,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver

CONNECTION_ARGUMENT_SPEC = dict(
    lifetime_url=dict(type='str', required=True, fallback=(env_fallback, ['LIFETIME_URL'])),
    lifetime_token=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['LIFETIME_TOKEN'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['LIFETIME_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['LIFETIME_CA_PATH'])),
    request_timeout=dict(type='float', default=60, fallback=(env_fallback, ['LIFETIME_REQUEST_TIMEOUT'])),
)


def generate_argspec(**specific):
    """The connection options plus a module's own options."""
    spec = copy.deepcopy(CONNECTION_ARGUMENT_SPEC)
    spec.update(specific)
    return spec


def snake(value):
    """LifeTime's PascalCase records as the snake_case keys modules return."""
    if isinstance(value, dict):
        return camel_dict_to_snake_dict(value)
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


class TaskConnection:
    """The client and the resolver of one task, made from its connection options (``self.params``) on first use."""

    _client = None
    _resolver = None

    @property
    def client(self):
        if self._client is None:
            self._client = LifeTimeClient.from_params(self.params)
        return self._client

    @property
    def resolver(self):
        if self._resolver is None:
            self._resolver = Resolver(self.client)
        return self._resolver

    def close(self):
        if self._client is not None:
            self._client.close()


class LifeTimeModule(TaskConnection, AnsibleModule):
    """AnsibleModule with the LifeTime connection options, client and error handling."""

    def __init__(self, argument_spec=None, **kwargs):
        super().__init__(argument_spec=generate_argspec(**(argument_spec or {})), **kwargs)
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
