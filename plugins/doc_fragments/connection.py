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
      - A user name or password in the address (V(https://user:password@host)) is refused; the token goes in O(lifetime_token).
      - The token is sent only to the scheme, host and port of this address. A download link LifeTime hands out on another
        address, including the same host over V(http://) when this address is V(https://), is fetched without the token.
      - When not set, the E(LIFETIME_URL) environment variable is used. One of the two is needed; without either the task fails
        before any request, naming both.
    type: str
  lifetime_token:
    description:
      - Token of a LifeTime service account (LifeTime > User Management > Service Accounts).
      - It is sent as a Bearer token and never appears in results or error messages.
      - White space around it (the line break at the end of a file or a vault value) is ignored.
      - When not set, the E(LIFETIME_TOKEN) environment variable is used. One of the two is needed; without either the task fails
        before any request, naming both.
    type: str
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
      - It is checked before the first request, so a file that does not exist or holds no PEM certificate fails the task
        before anything is sent. A directory prepared with C(openssl rehash) is accepted too.
      - When not set, the E(LIFETIME_CA_PATH) environment variable is used, else the system trust store.
    type: path
  request_timeout:
    description:
      - Seconds one API request may take in all, from connecting to the last byte of the answer; a server that answers a
        byte at a time cannot hold the task longer. It is not the time a whole deployment may take (see the wait options
        of each module).
      - For package uploads and downloads it bounds the wait for the answer and each stall instead of the whole transfer,
        which may take longer. At least 64 KiB must move every O(request_timeout) seconds.
      - A request that runs out of time is not sent again.
      - Must be greater than 0 and at most 86400 (a day).
      - When not set, the E(LIFETIME_REQUEST_TIMEOUT) environment variable is used.
    type: float
    default: 60
requirements:
  - requests >= 2.25 and urllib3 >= 1.26 (Python libraries) on the host that runs the task, with Python 3.8 or later
notes:
  - GET and DELETE requests are retried up to five times, with jittered exponential backoff, on connection errors and on
    HTTP 429, 502, 503 and 504 (after the delay Retry-After asks for, up to 10 seconds). A DELETE that finds nothing after an
    earlier attempt lost its answer counts as done.
  - POST and PUT requests are sent again at once only when the connection failed before anything was sent. When the answer
    to one is lost (a timeout, a broken connection, an HTTP 5xx), it is never resent blindly; the module first looks in
    LifeTime for evidence of what it did (the version, deployment plan or uploaded package it would have created, the status
    a deployment command changes) and goes on from there.
  - Some writes may be sent a second time after that, each because repeating it is harmless. A deployment command (start,
    continue, abort) is sent again when the plan's status shows no sign of it, because LifeTime refuses to act on the same
    command twice. Database mappings are sent again when LifeTime still lists them as missing. The configurations of an
    application (deployment blocking) are sent again when reading them back shows they were not applied; they state the
    wanted value, not a change. The requests that create a solution or a source code package are sent once more without
    looking, because LifeTime cannot list them and a second one is only a duplicate package that is never deployed. Every
    other POST or PUT is sent once. When no evidence is found, a POST fails the task saying nothing was created; the PUT
    that records a package's checksum in the notes of its deployment plan only warns.
  - Requests go through the proxy the task's environment names (E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY), E(NO_PROXY), as
    the Python library requests reads them); to LifeTime over V(https://) the token travels inside the TLS tunnel, never in clear
    to the proxy. A proxy that cannot be reached, asks for credentials (407) or refuses the tunnel fails the task naming the proxy,
    its password masked.
  - A certificate refused because it has expired or is not valid yet fails the task with its dates (read with one more TLS
    handshake that sends nothing), even when O(ca_path) trusts its issuer.
  - API requests never follow HTTP redirects; a 3xx answer fails the task and names where it pointed. Download links follow
    up to five redirects; the token goes only with requests to the scheme, host and port of O(lifetime_url), and with none
    once a redirect has left them.
  - An API answer larger than 64 MiB fails the task (LifeTime's answers are far smaller). Packages are streamed to and from
    disk and have no size limit.
'''
