# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the connection options every module shares, and the client and resolver of one task.

One option group, one argument spec, one doc fragment (``outsystems.lifetime.connection``).
Nothing here depends on AnsibleModule: modules and action plugins both use it.
"""

import copy

from urllib.parse import unquote, urlsplit

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver

# lifetime_url and lifetime_token are needed, yet not required=True: Ansible's "missing required arguments" would not say
# that the environment variable serves too; the client refuses them, naming both, before any request.
CONNECTION_ARGUMENT_SPEC = dict(
    lifetime_url=dict(type='str', fallback=(env_fallback, ['LIFETIME_URL'])),
    lifetime_token=dict(type='str', no_log=True, fallback=(env_fallback, ['LIFETIME_TOKEN'])),
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['LIFETIME_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['LIFETIME_CA_PATH'])),
    request_timeout=dict(type='float', default=60, fallback=(env_fallback, ['LIFETIME_REQUEST_TIMEOUT'])),
)


def url_secrets(params):
    """Credentials written into lifetime_url (refused by the client): hidden like the token wherever the arguments are shown.

    The password, and the user name too: a token pasted as http://TOKEN@host is a user name alone.
    """
    try:
        parts = urlsplit(str(params.get('lifetime_url') or ''))
        found = [parts.password, parts.username]
    except ValueError:
        return set()
    secrets = set()
    for value in found:
        if value:
            secrets.update((value, unquote(value)))
    return secrets


def generate_argspec(**specific):
    """The connection options plus a module's own options."""
    spec = copy.deepcopy(CONNECTION_ARGUMENT_SPEC)
    spec.update(specific)
    return spec


class TaskConnection:
    """The client and the resolver of one task, made from its connection options (``self.params``) on first use."""

    _client = None
    _resolver = None

    @property
    def client(self):
        if self._client is None:
            self._client = LifeTimeClient.from_params(self.params)
            if not self.params.get('validate_certs', True) and self._client.server.startswith('https:'):
                self.warn('validate_certs is false: the TLS certificate of %s is not verified, so whoever sits between this host '
                          'and LifeTime can read the token. For a private certificate authority set ca_path instead.' % self._client.server)
        return self._client

    @property
    def resolver(self):
        if self._resolver is None:
            self._resolver = Resolver(self.client)
        return self._resolver

    def close(self):
        if self._client is not None:
            self._client.close()
