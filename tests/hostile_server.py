# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small HTTP server that misbehaves on purpose, for the client's hostile-server tests.

``HostileServer()`` binds 127.0.0.1 on a free port and answers each request with the behaviour routed for
its method and path (``server.route('/lifetimeapi/rest/v2/environments/', drip_body(0.5))``; the longest
matching path prefix wins). What no route answers is forwarded to ``upstream`` (a simulator's URL) when one
is given, else answered 404 JSON. ``tls=True`` serves TLS and plain HTTP on the same port (the first byte
tells which), so a link can point to the same host and port on the other scheme.

It stops at ``stop()``, at the end of a ``with`` block, or by itself after ``lifetime`` seconds; behaviours
that never end (endless bodies, drips) stop then too, or when the client goes away.

``server.requests`` logs every request: method, path, query, scheme, headers (a dict), body length.
``server.bytes_sent`` counts the body bytes the behaviours wrote.

Behaviours are functions of the request handler; the factories below make them: ``answer``, ``json_answer``,
``redirect``, ``raw``, ``endless``, ``declared``, ``drip_headers``, ``drip_body``, ``many_headers``,
``long_header``, ``bad_chunks``, ``gzip_junk``, ``gzip_bomb``, ``gzip_answer``, ``gzip_forward``, ``nested_json``,
``hang_up``, ``serve_file``, ``stall_after``, ``slow_reader``, ``slowly``, ``in_turn``.

``HostileProxy(behaviour)`` is an HTTP proxy that tunnels (CONNECT) and forwards as a proxy should, or fails on
purpose: nothing listening, 407, 403 (an HTML page, or squid's short text) or 502 to a CONNECT or to a request it
should pass on, or a connection closed without an answer. It logs what
each client asked of it and keeps every byte clients sent it, tunnelled ones included (to check a token never
passed in clear).

``HostileServer(tls_enabled=True, validity=...)`` serves a certificate signed by a test CA (``ca_cert_path``), with
the dates given: an expired certificate, one not valid yet, or one whose CA has expired.
"""

from __future__ import annotations

import base64
import datetime
import functools
import gzip
import http.client
import http.server
import json
import os
import select
import socket
import socketserver
import ssl
import tempfile
import threading
import time
from urllib.parse import urlsplit

from tests.simulator import tls

HOP_BY_HOP = frozenset(('connection', 'keep-alive', 'transfer-encoding', 'content-length'))


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads the request, logs it, and hands it to the routed behaviour; every answer closes the connection."""

    protocol_version = 'HTTP/1.1'
    server_version = 'Hostile/1.0'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _serve(self):
        self.close_connection = True
        parts = urlsplit(self.path)
        self.request_path = parts.path
        behaviour = self.server.behaviour_for(self.command, parts.path)
        length = self.headers.get('Content-Length')
        self.body = b''
        if length and length.isdigit() and not getattr(behaviour, 'reads_body', False):
            self.body = self.rfile.read(int(length))
        self.server.log(dict(method=self.command, path=parts.path, query=parts.query, scheme=self.scheme,
                             headers=dict(self.headers.items()), body_length=len(self.body)))
        try:
            behaviour(self)
        except (OSError, ValueError):
            pass  # the client went away or the server is stopping

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

    @property
    def scheme(self):
        return 'https' if isinstance(self.connection, ssl.SSLSocket) else 'http'

    @property
    def stopping(self):
        return self.server.stopped.is_set()

    def write(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def head(self, status, headers=(), reason=None):
        """Status line and headers (a list of pairs); Connection: close is added."""
        lines = ['HTTP/1.1 %d %s' % (status, reason or http.client.responses.get(status, 'Unknown'))]
        lines += ['%s: %s' % (name, value) for name, value in headers]
        lines.append('Connection: close')
        self.write(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1'))

    def body_bytes(self, data):
        self.write(data)
        self.server.count(len(data))

    def sleep(self, seconds):
        """Wait, unless the server stops first; False when it did."""
        return not self.server.stopped.wait(seconds)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner, context):
        super().__init__(('127.0.0.1', 0), _Handler)
        self.owner = owner
        self.context = context
        self.stopped = threading.Event()

    def finish_request(self, request, client_address):
        if self.context is not None:
            request = self._maybe_tls(request)
            if request is None:
                return
        super().finish_request(request, client_address)

    def _maybe_tls(self, request):
        request.settimeout(10)
        try:
            first = request.recv(1, socket.MSG_PEEK)
            if first == b'\x16':
                return self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return None
        return request

    def handle_error(self, request, client_address):
        pass  # a client hanging up mid-answer is what these tests do

    def log(self, entry):
        self.owner.log(entry)

    def count(self, size):
        self.owner.count(size)

    def behaviour_for(self, method, path):
        return self.owner.behaviour_for(method, path)


class HostileServer:
    """See the module docstring."""

    def __init__(self, upstream=None, tls_enabled=False, lifetime=120.0, validity=None):
        self.upstream = upstream
        self.requests = []
        self.bytes_sent = 0
        self._routes = []
        self._lock = threading.Lock()
        self._tmpdir = None
        self.ca_cert_path = None
        context = None
        if tls_enabled:
            self._tmpdir = tempfile.mkdtemp(prefix='hostile-tls-')
            if validity is None:
                self.ca_cert_path, key_path = tls.write_self_signed(self._tmpdir)
                cert_path = self.ca_cert_path
            else:
                self.ca_cert_path, cert_path, key_path = write_ca_and_certificate(self._tmpdir, **validity)
            context = tls.server_context(cert_path, key_path)
        self._server = _Server(self, context)
        self.port = self._server.server_address[1]
        self.url = '%s://127.0.0.1:%d' % ('https' if tls_enabled else 'http', self.port)
        self.http_url = 'http://127.0.0.1:%d' % self.port
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True)
        self._thread.start()
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self._server.stopped.is_set():
            return
        self._server.stopped.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        if self._tmpdir:
            for name in os.listdir(self._tmpdir):
                os.unlink(os.path.join(self._tmpdir, name))
            os.rmdir(self._tmpdir)

    def route(self, path, behaviour, method='*'):
        """Answer ``method`` ('*': any) requests whose path starts with ``path`` with ``behaviour``."""
        with self._lock:
            self._routes.append((method.upper(), path, behaviour))
        return self

    def api(self, path):
        """The full path of an API path: ``api('/environments/')``."""
        return '/lifetimeapi/rest/v2' + path

    def behaviour_for(self, method, path):
        with self._lock:
            matches = [(len(prefix), behaviour) for wanted, prefix, behaviour in self._routes
                       if wanted in ('*', method) and path.startswith(prefix)]
        if matches:
            return max(matches, key=lambda match: match[0])[1]
        return self._forward if self.upstream else json_answer({'Errors': ['no such route']}, status=404)

    def log(self, entry):
        with self._lock:
            self.requests.append(entry)

    def count(self, size):
        with self._lock:
            self.bytes_sent += size

    def writes(self):
        return [entry for entry in self.requests if entry['method'] in ('POST', 'PUT', 'DELETE', 'PATCH')]

    def _forward(self, handler):
        """Pass a request to the upstream simulator and its answer back."""
        target = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        try:
            headers = dict((name, value) for name, value in handler.headers.items() if name.lower() not in HOP_BY_HOP)
            connection.request(handler.command, handler.path, body=handler.body or None, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
        finally:
            connection.close()
        kept = [(name, value) for name, value in reply.getheaders() if name.lower() not in HOP_BY_HOP]
        handler.head(reply.status, kept + [('Content-Length', str(len(data)))], reason=reply.reason)
        handler.body_bytes(data)


# -- certificates with the dates a test wants ---------------------------------------------------------------------------------

def days_from_now(days):
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=days)


VALID = (days_from_now(-1), days_from_now(2))


def write_ca_and_certificate(directory, certificate=VALID, ca=VALID):
    """A test CA (ca.pem) and a certificate for 127.0.0.1/localhost it signed (cert.pem, key.pem), each valid from and to
    the moments given (``(not_before, not_after)``, aware datetimes); return the three paths."""
    # Imported here: only these tests need it (tests/simulator/tls.py imports it too).
    from cryptography import x509  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import hashes, serialization  # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.asymmetric import ec  # pylint: disable=import-outside-toplevel
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # pylint: disable=import-outside-toplevel
    import ipaddress  # pylint: disable=import-outside-toplevel

    ca_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'Hostile test CA')])
    usage = dict(content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False,
                 encipher_only=False, decipher_only=False)
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(ca[0]).not_valid_after(ca[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, **usage), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(certificate[0]).not_valid_after(certificate[1])
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.DNSName('localhost')]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = [os.path.join(directory, name) for name in ('ca.pem', 'cert.pem', 'key.pem')]
    for path, data in zip(paths, (ca_cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.PEM),
                                  key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))):
        with open(path, 'wb') as handle:
            handle.write(data)
    return paths


# -- an HTTP proxy that does its job, or fails on purpose ------------------------------------------------------------------------

# 'squid forbid': a 403 of its own as squid words it (a short text, X-Squid-Error and Via headers), to any request.
PROXY_BEHAVIOURS = ('tunnel', 'refuse', 'forbid', 'squid forbid', 'bad gateway', 'hang up')


class _ProxyHandler(socketserver.BaseRequestHandler):
    """Reads a request head, logs it, then tunnels, forwards or fails as the proxy's behaviour says."""

    def handle(self):
        proxy = self.server.owner
        client = self.request
        client.settimeout(10)
        head = b''
        try:
            while b'\r\n\r\n' not in head and len(head) < 65536:
                byte = client.recv(1)
                if not byte:
                    return
                head += byte
        except OSError:
            return
        proxy.took(head)
        lines = head.decode('latin-1').split('\r\n')
        words = lines[0].split()
        if len(words) < 3:
            return
        headers = dict((name.strip(), value.strip()) for name, dummy, value in (line.partition(':') for line in lines[1:] if line))
        proxy.record(dict(method=words[0], target=words[1], headers=headers))
        try:
            proxy.serve(client, words[0], words[1], headers, lines)
        except OSError:
            pass  # a client or upstream going away is what these tests do


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, owner):
        super().__init__(('127.0.0.1', 0), _ProxyHandler)
        self.owner = owner

    def handle_error(self, request, client_address):
        pass


def _free_port():
    """A port nothing listens on (bound, then closed): connecting to it is refused."""
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


class HostileProxy:
    """An HTTP proxy on 127.0.0.1 (see the module docstring). ``behaviour``: one of PROXY_BEHAVIOURS; ``credentials``:
    (user, password) it asks for with 407 when a request does not carry them (Proxy-Authorization: Basic).

    ``log``: method, target and headers of every request it received; ``received``: all bytes clients sent it.
    ``url_with(user, password)``: its address with credentials, as HTTPS_PROXY carries them.
    """

    def __init__(self, behaviour='tunnel', credentials=None, lifetime=120.0):
        assert behaviour in PROXY_BEHAVIOURS, behaviour
        self.behaviour = behaviour
        self.credentials = credentials
        self.log_entries = []
        self._received = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server = None
        if behaviour == 'refuse':
            self.port = _free_port()
        else:
            self._server = _ProxyServer(self)
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True).start()
        self.url = 'http://127.0.0.1:%d' % self.port
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._timer.cancel()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def url_with(self, user, password):
        return 'http://%s:%s@127.0.0.1:%d' % (user, password, self.port)

    @property
    def log(self):
        with self._lock:
            return list(self.log_entries)

    @property
    def received(self):
        with self._lock:
            return b''.join(self._received)

    def took(self, data):
        with self._lock:
            self._received.append(data)

    def record(self, entry):
        with self._lock:
            self.log_entries.append(entry)

    def serve(self, client, method, target, headers, lines):
        if self.credentials and headers.get('Proxy-Authorization') != 'Basic ' + base64.b64encode(
                ('%s:%s' % self.credentials).encode('utf-8')).decode('ascii'):
            return _proxy_answer(client, 407, [('Proxy-Authenticate', 'Basic realm="hostile proxy"')])
        if self.behaviour == 'forbid':
            return _proxy_answer(client, 403)
        if self.behaviour == 'squid forbid':
            return _proxy_answer(client, 403, [('X-Squid-Error', 'ERR_ACCESS_DENIED 0'), ('Via', '1.1 hostile-proxy (squid/6.6)')],
                                 content_type='text/plain', body=b'Access denied.')
        if self.behaviour == 'bad gateway':
            return _proxy_answer(client, 502)
        if self.behaviour == 'hang up':
            return None
        if method == 'CONNECT':
            host, dummy, port = target.rpartition(':')
            upstream = socket.create_connection((host, int(port)), timeout=10)
            client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
        else:
            parts = urlsplit(target)
            upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=10)
            request_line = '%s %s %s' % (method, parts.path + ('?' + parts.query if parts.query else ''), lines[0].split()[2])
            upstream.sendall(('\r\n'.join([request_line] + lines[1:])).encode('latin-1'))
        with upstream:
            self._relay(client, upstream)
        return None

    def _relay(self, client, upstream):
        while not self._stopped.is_set():
            readable = select.select([client, upstream], [], [], 0.2)[0]
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is client:
                    self.took(data)
                    upstream.sendall(data)
                else:
                    client.sendall(data)


def _proxy_answer(client, status, headers=(), content_type='text/html', body=None):
    if body is None:
        body = ('<html><body>%d %s</body></html>' % (status, http.client.responses.get(status, ''))).encode('latin-1')
    lines = ['HTTP/1.1 %d %s' % (status, http.client.responses.get(status, 'Unknown'))]
    headers = list(headers) + [('Content-Type', content_type), ('Content-Length', str(len(body))), ('Connection', 'close')]
    lines += ['%s: %s' % pair for pair in headers]
    client.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1') + body)


# -- behaviours -------------------------------------------------------------------------------------------------------

def answer(status=200, body=b'', content_type='application/json', headers=()):
    """A complete answer with Content-Length."""
    data = body.encode('utf-8') if isinstance(body, str) else body

    def behaviour(handler):
        handler.head(status, [('Content-Type', content_type), ('Content-Length', str(len(data)))] + list(headers))
        handler.body_bytes(data)
    return behaviour


def json_answer(value, status=200):
    return answer(status, json.dumps(value))


def redirect(location, status=302, body=b''):
    return answer(status, body, content_type='text/html', headers=[('Location', location)] if location is not None else [])


def raw(data):
    """Exactly these bytes (status line included, or not), then the connection closes."""
    def behaviour(handler):
        handler.body_bytes(data)
    return behaviour


def hang_up(handler):
    """Close the connection without an answer."""


def endless(piece=b'[' + b'0,' * 8191, content_type='application/json', status=200):
    """A chunked body that never ends, generated as it goes (nothing large is held in memory)."""
    def behaviour(handler):
        handler.head(status, [('Content-Type', content_type), ('Transfer-Encoding', 'chunked')])
        chunk = b'%x\r\n%s\r\n' % (len(piece), piece)
        while not handler.stopping:
            handler.write(chunk)
            handler.server.count(len(piece))
    return behaviour


def declared(size, piece=b' ' * 65536, content_type='application/json'):
    """A body that announces ``size`` bytes in Content-Length and sends them lazily, as long as the client reads."""
    def behaviour(handler):
        handler.head(200, [('Content-Type', content_type), ('Content-Length', str(size))])
        left = size
        while left > 0 and not handler.stopping:
            part = piece[:left]
            handler.body_bytes(part)
            left -= len(part)
    return behaviour


def drip_headers(interval):
    """A status line, then one byte of a header every ``interval`` seconds, forever."""
    def behaviour(handler):
        handler.write(b'HTTP/1.1 200 OK\r\nX-Drip: ')
        while handler.sleep(interval):
            handler.write(b'a')
    return behaviour


def drip_body(interval, length=1 << 20, piece=b' ', status=200, content_type='application/json'):
    """Headers at once, then ``piece`` every ``interval`` seconds, forever (announcing ``length`` bytes, or no length when None)."""
    def behaviour(handler):
        headers = [('Content-Type', content_type)]
        if length is not None:
            headers.append(('Content-Length', str(length)))
        handler.head(status, headers)
        handler.body_bytes(b'[')
        while handler.sleep(interval):
            handler.body_bytes(piece)
    return behaviour


def many_headers(count=1000):
    def behaviour(handler):
        handler.head(200, [('X-Header-%d' % number, 'x') for number in range(count)] + [('Content-Length', '2')])
        handler.body_bytes(b'[]')
    return behaviour


def long_header(size=100000):
    def behaviour(handler):
        handler.head(200, [('X-Long', 'x' * size), ('Content-Length', '2')])
        handler.body_bytes(b'[]')
    return behaviour


def bad_chunks(handler):
    """A chunked body whose chunk size is not hexadecimal."""
    handler.head(200, [('Content-Type', 'application/json'), ('Transfer-Encoding', 'chunked')])
    handler.body_bytes(b'zz\r\n[]\r\n0\r\n\r\n')


def gzip_junk(handler):
    """Content-Encoding: gzip on a body that is not gzip."""
    data = b'this is not gzip at all' * 10
    handler.head(200, [('Content-Type', 'application/json'), ('Content-Encoding', 'gzip'), ('Content-Length', str(len(data)))])
    handler.body_bytes(data)


def gzip_bomb(decoded_size):
    """A small gzip body that decodes to ``decoded_size`` bytes of a JSON list."""
    data = gzip.compress(b'[' + b' ' * (decoded_size - 2) + b']', compresslevel=9)

    def behaviour(handler):
        handler.head(200, [('Content-Type', 'application/json'), ('Content-Encoding', 'gzip'), ('Content-Length', str(len(data)))])
        handler.body_bytes(data)
    return behaviour


def gzip_answer(data, content_type='application/octet-stream'):
    """``data`` sent gzip-compressed (Content-Encoding: gzip, whatever the client accepts), Content-Length of the compressed bytes."""
    body = gzip.compress(data)

    def behaviour(handler):
        handler.head(200, [('Content-Type', content_type), ('Content-Encoding', 'gzip'), ('Content-Length', str(len(body)))])
        handler.body_bytes(body)
    return behaviour


def gzip_forward(handler):
    """The upstream's answer, compressed on the way as a proxy may do (Content-Encoding: gzip whatever the client accepts)."""
    target = urlsplit(handler.server.owner.upstream)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    try:
        headers = dict((name, value) for name, value in handler.headers.items() if name.lower() not in HOP_BY_HOP)
        connection.request(handler.command, handler.path, body=handler.body or None, headers=headers)
        reply = connection.getresponse()
        data = gzip.compress(reply.read())
    finally:
        connection.close()
    kept = [(name, value) for name, value in reply.getheaders() if name.lower() not in HOP_BY_HOP | {'content-encoding'}]
    handler.head(reply.status, kept + [('Content-Encoding', 'gzip'), ('Content-Length', str(len(data)))], reason=reply.reason)
    handler.body_bytes(data)


def stall_after(data, length, content_type='application/octet-stream'):
    """Announce ``length`` bytes, send ``data`` at once, then nothing more until the server stops or the client goes away."""
    def behaviour(handler):
        handler.head(200, [('Content-Type', content_type), ('Content-Length', str(length))])
        handler.body_bytes(data)
        while handler.sleep(0.05):
            pass
    return behaviour


def pause_within(data, at, delay, content_type='application/octet-stream'):
    """Announce and send ``data`` whole, but wait ``delay`` seconds after its first ``at`` bytes."""
    def behaviour(handler):
        handler.head(200, [('Content-Type', content_type), ('Content-Length', str(len(data)))])
        handler.body_bytes(data[:at])
        if handler.sleep(delay):
            handler.body_bytes(data[at:])
    return behaviour


def nested_json(depth=100000):
    return answer(200, '[' * depth + ']' * depth)


def slow_reader(piece, interval, then):
    """Read the request body ``piece`` bytes every ``interval`` seconds, then answer with ``then``."""
    def behaviour(handler):
        left = int(handler.headers.get('Content-Length') or 0)
        while left > 0 and handler.sleep(interval):
            got = handler.rfile.read(min(piece, left))
            if not got:
                return
            left -= len(got)
        then(handler)
    behaviour.reads_body = True
    return behaviour


def serve_file(data, content_type='application/octet-stream'):
    return answer(200, data, content_type=content_type)


def slowly(delay, behaviour):
    """``behaviour`` after ``delay`` seconds."""
    def wrapped(handler):
        if handler.sleep(delay):
            behaviour(handler)
    return wrapped


def in_turn(*behaviours):
    """The first request gets the first behaviour, the second the second...; the last one repeats."""
    turns = iter(behaviours)
    state = {'last': behaviours[-1]}
    lock = threading.Lock()

    def behaviour(handler):
        with lock:
            state['current'] = next(turns, state['last'])
        state['current'](handler)
    return behaviour


class _PlainHandler(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server``'s handler, logging what it was asked."""

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def parse_request(self):
        parsed = super().parse_request()
        if parsed:
            self.server.requests_seen.append((self.command, self.path))
        return parsed


class PlainWebServer:
    """What ``python -m http.server`` serves, from an empty temporary directory, on a free port; stops by itself."""

    def __init__(self, lifetime=120.0):
        self._directory = tempfile.mkdtemp(prefix='plain-web-')
        self._server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_PlainHandler, directory=self._directory))
        self._server.daemon_threads = True
        self._server.requests_seen = self.requests_seen = []
        self.url = 'http://127.0.0.1:%d' % self._server.server_address[1]
        self._stopped = False
        threading.Thread(target=self._server.serve_forever, kwargs=dict(poll_interval=0.05), daemon=True).start()
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()
        os.rmdir(self._directory)


def elapsed(started):
    return time.monotonic() - started
