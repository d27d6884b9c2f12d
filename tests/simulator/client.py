# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A minimal stdlib HTTP client for tests that talk to the simulator directly.

Not the collection's client: tests of the simulator itself use this one, so
they check the server and nothing else.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.parse

_DEFAULT = object()


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    @property
    def text(self):
        return self.body.decode('utf-8')

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return '<Reply %d %r>' % (self.status, self.body[:200])


class Client:
    """``Client(sim).get('/environments/')``: paths are relative to the API base unless they start with http."""

    def __init__(self, sim, token=_DEFAULT, *, prefix='/lifetimeapi/rest/v2', scheme='Bearer', ssl_context=None):
        self.base = sim.url if hasattr(sim, 'url') else sim
        self.token = getattr(sim, 'token', None) if token is _DEFAULT else token
        self.prefix = prefix
        self.scheme = scheme
        self.ssl_context = ssl_context
        if self.ssl_context is None and self.base.startswith('https') and getattr(sim, 'ca_cert_path', None):
            self.ssl_context = ssl.create_default_context(cafile=sim.ca_cert_path)

    def url(self, path):
        return path if path.startswith('http') else self.base + self.prefix + path

    def request(self, method, path, *, body=None, json_body=_DEFAULT, headers=None, query=None, token=_DEFAULT,
                timeout=30):
        url = urllib.parse.urlsplit(self.url(path))
        target = url.path + ('?' + url.query if url.query else '')
        if query:
            target += ('&' if url.query else '?') + urllib.parse.urlencode(query)
        headers = dict(headers or {})
        token = self.token if token is _DEFAULT else token
        if token is not None and 'Authorization' not in headers:
            headers['Authorization'] = '%s %s' % (self.scheme, token) if self.scheme else token
        if json_body is not _DEFAULT:
            body = json.dumps(json_body).encode()
            headers.setdefault('Content-Type', 'application/json')
        if url.scheme == 'https':
            connection = http.client.HTTPSConnection(url.hostname, url.port, timeout=timeout, context=self.ssl_context)
        else:
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, json_body=_DEFAULT, **kwargs):
        return self.request('POST', path, json_body=json_body, **kwargs)

    def put(self, path, json_body=_DEFAULT, **kwargs):
        return self.request('PUT', path, json_body=json_body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)


def key_of(reply):
    """The key a creating call answered, whether bare or in double quotes."""
    text = reply.text.strip()
    return json.loads(text) if text.startswith('"') else text
