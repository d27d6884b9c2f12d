# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP layer: keep-alive HTTP/1.1 (optionally TLS), auth, faults, request log.

One thread per connection (daemon threads). Request bodies are read through
BodyReader, which understands Content-Length and chunked transfer encoding,
and is always drained before answering so keep-alive connections stay usable.
"""

from __future__ import annotations

import hmac
import json
import socket
import ssl
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from tests.simulator import inspection, routes
from tests.simulator.governance import redact_passwords
from tests.simulator.model import ApiError
from tests.simulator.routes import Response

API_PREFIXES = (('lifetimeapi', 'rest', 'v2'), ('lifetime', 'rest', 'v2'))
DRAIN_CHUNK = 1 << 20
# JSON request bodies up to this size are kept for the request log (never binary uploads).
LOGGED_BODY_LIMIT = 1 << 20
USER_AGENT_LIMIT = 200
HANDSHAKE_TIMEOUT = 10
IDLE_TIMEOUT = 300
# Errors that only mean the client went away; they are not worth a traceback.
DISCONNECTS = (ConnectionError, TimeoutError, ssl.SSLError)


def api_segments(path):
    """The path's segments after the API base, or None when it is not under either base."""
    segments = [s for s in path.split('/') if s]
    lowered = tuple(s.lower() for s in segments[:3])
    return segments[3:] if lowered in API_PREFIXES else None


class BodyReader:
    """Reads a request body, with Content-Length or chunked, in pieces; keeps a copy of a JSON body for the request log."""

    def __init__(self, rfile, headers):
        self._rfile = rfile
        content_type = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
        self._kept = bytearray() if content_type == 'application/json' or content_type.endswith('+json') else None
        self._chunked = 'chunked' in (headers.get('Transfer-Encoding') or '').lower()
        length = headers.get('Content-Length')
        self._remaining = 0 if self._chunked else int(length or 0)  # ValueError on a bad header: the caller answers 400
        if self._remaining < 0:
            raise ValueError('negative Content-Length')
        self._chunk_left = 0
        self._done = not self._chunked and self._remaining == 0

    def read(self, size):
        data = self._read(size)
        if self._kept is not None and data:
            if len(self._kept) + len(data) > LOGGED_BODY_LIMIT:
                self._kept = None  # too big to log: not kept at all rather than cut
            else:
                self._kept += data
        return data

    def kept_json(self, secrets):
        """The JSON body read so far, with every secret and every password field's value replaced by '********'; None when there is none."""
        if not self._kept:
            return None
        try:
            text = bytes(self._kept).decode('utf-8')
        except UnicodeDecodeError:
            return None
        for secret in secrets:
            if secret:
                text = text.replace(secret, '********')
        try:
            return redact_passwords(json.loads(text))
        except ValueError:
            return None

    def _read(self, size):
        if self._done:
            return b''
        if self._chunked:
            return self._read_chunked(size)
        data = self._rfile.read(min(size, self._remaining))
        if not data:
            raise ConnectionError('the client closed the connection before sending its whole body')
        self._remaining -= len(data)
        self._done = self._remaining == 0
        return data

    def _read_chunked(self, size):
        if self._chunk_left == 0:
            line = self._rfile.readline(65537)
            if not line:
                raise ConnectionError('the client closed the connection in a chunked body')
            self._chunk_left = int(line.split(b';')[0].strip() or b'0', 16)
            if self._chunk_left == 0:
                while self._rfile.readline(65537) not in (b'\r\n', b'\n', b''):
                    pass  # trailer fields
                self._done = True
                return b''
        data = self._rfile.read(min(size, self._chunk_left))
        if not data:
            raise ConnectionError('the client closed the connection in a chunked body')
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self._rfile.readline(3)  # the CRLF after the chunk
        return data

    def drain(self):
        while self.read(DRAIN_CHUNK):
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, simulator, ssl_context=None):
        if ':' in address[0]:
            self.address_family = socket.AF_INET6
        self.simulator = simulator
        self.ssl_context = ssl_context
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        # Runs in the connection's own thread, so a slow TLS handshake never holds up accept().
        if self.ssl_context is not None:
            try:
                request.settimeout(HANDSHAKE_TIMEOUT)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except OSError:
                return
        with self._connections_lock:
            self._connections.add(request)
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            with self._connections_lock:
                self._connections.discard(request)
            if self.ssl_context is not None:
                request.close()

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], DISCONNECTS):
            return
        super().handle_error(request, client_address)

    def close_connections(self):
        """Shut the open keep-alive connections so their threads end with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'LifeTimeSimulator/1.0'
    sys_version = ''
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent: requests go to the simulator's request log, which never holds headers or bodies."""

    def do_GET(self):
        self._serve('GET')

    def do_HEAD(self):
        self._serve('HEAD')

    def do_POST(self):
        self._serve('POST')

    def do_PUT(self):
        self._serve('PUT')

    def do_DELETE(self):
        self._serve('DELETE')

    def do_PATCH(self):
        self._serve('PATCH')

    def _serve(self, method):
        simulator = self.server.simulator
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = {name: values[-1] for name, values in parse_qs(split.query, keep_blank_values=True).items()}
        try:
            body = BodyReader(self.rfile, self.headers)
        except ValueError:
            self.close_connection = True
            self._send(Response.error(400, 'The Content-Length header is not a valid length.'), method)
            return
        if path.startswith('/_simulator'):
            response = inspection.handle(simulator, method, path, body)
            body.drain()
            self._send(response, method)
            return
        started = time.time()
        logged = []
        user_agent = (self.headers.get('User-Agent') or '')[:USER_AGENT_LIMIT]

        def log(status):
            # Logged before the answer leaves, so a client that has its answer always finds the request in the log.
            if not logged:
                logged.append(status)
                simulator.log_request(started, method, path, query, status, raw_path=split.path, user_agent=user_agent,
                                      body=body.kept_json((simulator.token, simulator.read_only_token)))
        try:
            self._serve_api(simulator, method, path, query, body, log)
        finally:
            log(None)

    def _serve_api(self, simulator, method, path, query, body, log):
        """Answer one API request, logging it with the status about to be sent (None when the connection is dropped)."""
        if simulator.latency:
            time.sleep(simulator.latency)
        segments = api_segments(path)
        fault = simulator.faults.pick(method, [s.lower() for s in segments]) if segments is not None else None
        if fault is not None and fault.latency:
            time.sleep(fault.latency)
        failing = fault is not None and (fault.status is not None or fault.drop)
        if failing and not fault.after_processing:
            body.drain()
            self._fail(fault, method, log)
            return
        response = self._dispatch(simulator, method, path, segments, query, body)
        body.drain()
        if failing:
            self._fail(fault, method, log)
            return
        log(response.status)
        self._send(response, method)

    def _fail(self, fault, method, log):
        if fault.drop:
            log(None)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        response = Response.error(fault.status, 'Injected fault: the simulator answers %d to this request.' % fault.status)
        if fault.status == 429 or fault.status == 503:
            response.headers['Retry-After'] = str(fault.retry_after)
        log(fault.status)
        self._send(response, method)

    def _dispatch(self, simulator, method, path, segments, query, body):
        if segments is None:
            return Response.error(404, 'No API endpoint at %s: the API base is /lifetimeapi/rest/v2 (or /lifetime/rest/v2).'
                                  % path)
        route, found = routes.resolve(method, segments, simulator.state)
        if route is None:
            if found:
                response = Response.error(405, 'Method %s is not allowed on %s; use %s.' % (method, path, ', '.join(found)))
                response.headers['Allow'] = ', '.join(found)
                return response
            return Response.error(404, 'No API endpoint matches %s %s.' % (method, path))
        refusal = self._authorize(simulator, route, method)
        if refusal is not None:
            return refusal
        request = routes.Request(method, found, query, self.headers, body.read)
        world = simulator.state
        try:
            if route.locked:
                with world.lock:
                    world.advance()
                    return route.handler(world, request)
            return route.handler(world, request)
        except ApiError as error:
            return Response.error(error.status, error.message)
        except DISCONNECTS:
            raise
        except Exception as error:  # pylint: disable=broad-exception-caught
            # A simulator bug: keep serving, and show it where a developer will look.
            traceback.print_exc(file=sys.stderr)
            return Response.error(500, 'The simulator failed to handle %s %s: %s.' % (method, path, type(error).__name__))

    def _authorize(self, simulator, route, method):
        """None when the request may go on; otherwise the 401/403 answer (which never repeats the token)."""
        header = (self.headers.get('Authorization') or '').strip()
        if header[:7].lower() == 'bearer ':
            presented = header[7:].strip()
        elif route.raw_token:
            presented = header  # download links as outsystems-pipeline fetches them
        else:
            presented = None
        if presented and _same(presented, simulator.token):
            return None
        if presented and simulator.read_only_token and _same(presented, simulator.read_only_token):
            if method in ('GET', 'HEAD'):
                return None
            return Response.error(403, 'The token has read-only permissions: %s needs a token allowed to make changes.' % method)
        if not header:
            response = Response.error(401, "The authentication token is invalid or missing: no Authorization header was sent "
                                           "(expected 'Authorization: Bearer <token>').")
        else:
            response = Response.error(401, 'The authentication token is invalid.')
        response.headers['WWW-Authenticate'] = 'Bearer'
        return response

    def _send(self, response, method):
        self.send_response(response.status)
        if response.stream is not None:
            length = response.stream.size
        else:
            length = len(response.body)
        if response.status != 204:
            if response.content_type:
                self.send_header('Content-Type', response.content_type)
            self.send_header('Content-Length', str(length))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header('Connection', 'close')
        self.end_headers()
        if method == 'HEAD' or response.status == 204:
            return
        if response.stream is not None:
            for chunk in response.stream.chunks():
                self.wfile.write(chunk)
        elif response.body:
            self.wfile.write(response.body)


def _same(presented, expected):
    return hmac.compare_digest(presented.encode('utf-8'), expected.encode('utf-8'))
