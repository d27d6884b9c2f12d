# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """The options every outsystems.lifetime module uses to reach LifeTime."""

    DOCUMENTATION = r'''
options:
  lifetime_url:
    description:
      - Address of the LifeTime server.
      - V(https://lifetime.example.com), V(https://lifetime.example.com/) and the API base
        V(https://lifetime.example.com/lifetimeapi/rest/v2) are all accepted.
      - When not set, the E(LIFETIME_URL) environment variable is used.
    type: str
    required: true
  lifetime_token:
    description:
      - Token of a LifeTime service account (LifeTime > User Management > Service Accounts).
      - It is sent as a Bearer token and never appears in results, error messages or logs.
      - When not set, the E(LIFETIME_TOKEN) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificate of LifeTime.
      - Set to V(false) only for test servers with self-signed certificates; prefer O(ca_path).
      - When not set, the E(LIFETIME_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the certificate authority (or bundle) that signed the LifeTime certificate.
      - When not set, the E(LIFETIME_CA_PATH) environment variable is used, else the system trust store.
    type: path
  request_timeout:
    description:
      - Seconds to wait for LifeTime to answer one API request (not a whole deployment; see the wait options of each module).
      - When not set, the E(LIFETIME_REQUEST_TIMEOUT) environment variable is used.
    type: float
    default: 60
requirements:
  - requests >= 2.25 (Python library) on the host that runs the task
notes:
  - Requests that only read (GET) and deletes are retried up to five times, with jittered exponential backoff,
    on connection errors and on HTTP 429, 502, 503 and 504. Requests that create or change something are never
    sent twice.
'''
