# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: how the collection talks to LifeTime over HTTP (the API operations are in _client.py).

One requests.Session per client, a Bearer token sent only to the origin (scheme, host, port) of
lifetime_url, JSON in and out, a deadline on every request, retries with jittered exponential backoff
for idempotent requests only, LifeTime's quirks (keys answered as plain text, 204 for empty lists), and
streaming upload/download of packages with sha256 on the way.

What a server answers cannot make the client send the token elsewhere, follow an API call to another
server, hold a task past request_timeout, read an endless body into memory or end in a Python exception:
every failure is a LifeTimeError with a plain sentence.
"""

import hashlib
import json
import os
import random
import re
import socket
import ssl
import tempfile
import threading
import time
import traceback

from http.client import HTTPException, IncompleteRead
from urllib.parse import urljoin, urlsplit, urlunsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import HTTPError as Urllib3Error
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object
    Urllib3Error = HTTPException
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
    LifeTimeResponseError,
    LifeTimeTransportError,
    LifeTimeUsageError,
    error_for_status,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import CHUNK, check_dest, file_sha256, umask
from ansible_collections.outsystems.lifetime.plugins.module_utils._version import COLLECTION_VERSION

API_PATH = '/lifetimeapi/rest/v2'
# LifeTime has been seen answering under this older base path too.
ALTERNATE_API_PATHS = ('/lifetime/rest/v2',)

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# A retried POST can create a second deployment plan: only these methods are retried after the request may have been sent.
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'DELETE'))
# A download link that answers one of these has expired (or was revoked): ask LifeTime for a new one.
EXPIRED_LINK_STATUSES = frozenset((403, 404, 410))
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# A download link is a DownloadLink object; a bare URL string is accepted too.
LINK_TYPES = (dict, str)
DEFAULT_PORTS = {'http': 80, 'https': 443}

MIB = 1024 * 1024
# LifeTime's largest answers (every application with its modules) are a few MiB: a bigger one is not LifeTime talking.
MAX_JSON_BYTES = 64 * MIB
# Of an error answer only LifeTime's message is read.
MAX_ERROR_BYTES = 64 * 1024
# Answers are read in pieces of this size; a package transfer must move one every request_timeout seconds.
BODY_CHUNK = 64 * 1024
# Download links are followed through at most this many redirects (API calls through none).
MAX_LINK_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
MAX_REQUEST_TIMEOUT = 86400.0

# LifeTime always answers what its API documents: a server that does not is probably not LifeTime.
NOT_LIFETIME = 'is lifetime_url the address of the LifeTime API?'

# A user name and password in a URL: everything between // and the last @ before the query.
_USERINFO = re.compile(r'^([^:/?#]+:)?//[^?#]*@')


def redact_url(url):
    """A URL as a message may show it: without user name and password."""
    return _USERINFO.sub(r'\1//', str(url))


def url_origin(url):
    """(scheme, host, port) of an http(s) URL, default ports filled in; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return (scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme])


def origin_text(origin):
    """``scheme://host:port`` of an origin, for messages."""
    scheme, host, port = origin
    return '%s://%s:%d' % (scheme, '[%s]' % host if ':' in host else host, port)


def shown_url(url, limit=200):
    """A URL for a message: no user name or password, no query (links can carry signatures), printable, at most ``limit`` characters."""
    text = redact_url(url)
    try:
        parts = urlsplit(text)
        text = urlunsplit((parts.scheme, parts.netloc, parts.path, '', ''))
    except ValueError:
        pass
    text = ''.join(char if char.isprintable() else '?' for char in text)
    return text if len(text) <= limit else text[:limit] + '...'


def normalize_url(url):
    """Return the API base URL for what users write as lifetime_url.

    Accepts ``https://host``, ``https://host/``, ``https://host/lifetimeapi/rest/v2``
    (with or without a trailing slash) and a reverse-proxy prefix such as
    ``https://host/prefix``. Refuses, with a sentence naming lifetime_url, anything that
    is not an http(s) address with a host, and a user name or password in the URL.
    """
    if not url or not str(url).strip():
        raise LifeTimeUsageError('lifetime_url is empty: set lifetime_url (or LIFETIME_URL) to the address of your LifeTime server, '
                                 'for example https://lifetime.example.com.', parameter='lifetime_url')
    text = str(url).strip()
    parts = _split_lifetime_url(text)
    path = parts.path.rstrip('/')
    for known in (API_PATH,) + ALTERNATE_API_PATHS:
        if path.lower().endswith(known):
            path = path[:-len(known)]
            break
    return urlunsplit((parts.scheme.lower(), parts.netloc, path + API_PATH, '', ''))


def _split_lifetime_url(text):
    shown = shown_url(text)

    def refuse(problem):
        return LifeTimeUsageError('lifetime_url %s %s.' % (shown, problem), parameter='lifetime_url')

    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise refuse('is not a valid address (check the brackets around an IPv6 address and the port): '
                     'write it as https://lifetime.example.com')
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise refuse('is not an http(s) address: write it as https://lifetime.example.com')
    if '@' in parts.netloc:
        raise refuse('carries a user name or password: put credentials in lifetime_token, not in the URL')
    if port == 0:
        raise refuse('has port 0: give the port LifeTime listens on, or none')
    try:
        parts.hostname.encode('idna')
    except UnicodeError:
        raise refuse('has a host name that is not valid (an empty part between dots, or a part longer than 63 characters)')
    return parts


def check_request_timeout(value):
    """request_timeout as seconds, or a LifeTimeUsageError: more than 0, at most a day."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float('nan')
    # NaN fails both comparisons.
    if not 0 < seconds <= MAX_REQUEST_TIMEOUT:
        raise LifeTimeUsageError('request_timeout must be a number of seconds greater than 0 and at most %d (one day), for example 60; '
                                 'it is %s.' % (MAX_REQUEST_TIMEOUT, value), parameter='request_timeout')
    return seconds


def check_token(token):
    """The token without surrounding white space, or a LifeTimeUsageError that never shows it."""
    text = str(token).strip() if token is not None else ''
    if not text:
        raise LifeTimeUsageError('lifetime_token is empty: set lifetime_token (or LIFETIME_TOKEN) to a LifeTime service account token.',
                                 parameter='lifetime_token')
    if any(not 32 < ord(char) < 127 for char in text):
        raise LifeTimeUsageError('lifetime_token contains a space, a line break or a character that is not printable ASCII, which an HTTP '
                                 'header cannot carry: copy the token again, without quotes or spaces.', parameter='lifetime_token')
    return text


def check_ca_path(ca_path):
    """The CA bundle file (or hashed directory) to verify LifeTime with, or a LifeTimeUsageError saying what is wrong with it."""
    path = os.path.abspath(os.path.expanduser(str(ca_path)))
    if not os.path.exists(path):
        raise LifeTimeUsageError("ca_path %s does not exist on the host that runs the task: give the PEM file of the certificate "
                                 "authority that signed LifeTime's certificate." % path, parameter='ca_path')
    if os.path.isdir(path):
        return path
    try:
        ssl.create_default_context().load_verify_locations(cafile=path)
    except ssl.SSLError:
        raise LifeTimeUsageError('ca_path %s holds no PEM certificate: give the PEM file (-----BEGIN CERTIFICATE-----) of the certificate '
                                 "authority that signed LifeTime's certificate." % path, parameter='ca_path')
    except OSError as exc:
        raise LifeTimeUsageError('ca_path %s cannot be read: %s.' % (path, exc.strerror or 'permission denied'), parameter='ca_path')
    return path


def parse_key(text):
    """A key from the body of a creating call.

    LifeTime answers these with the key as plain text, sometimes wrapped in double
    quotes, sometimes as a JSON string; a JSON object with a key field is accepted too.
    """
    value = (text or '').strip()
    if not value:
        return None
    try:
        value = json.loads(value)
    except (ValueError, RecursionError):
        pass
    if isinstance(value, dict):
        value = _key_field(value)
    if not isinstance(value, str):
        return None
    value = value.strip().strip('"').strip()
    return value or None


def _key_field(body):
    for field in ('Key', 'DeploymentKey', 'ApplicationVersionKey', 'SolutionKey'):
        if body.get(field):
            return body[field]
    return None


_MESSAGE_FIELDS = ('Errors', 'errors', 'Error', 'Message', 'message', 'error')


def lifetime_message(response):
    """LifeTime's own error sentence from an error response, if it sent one."""
    text = _printable(body_text(response))
    if not text:
        return None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        # An HTML error page from a proxy says nothing useful beyond its status.
        return None if text.startswith('<') else text[:500]
    if isinstance(body, str):
        return body[:500]
    if isinstance(body, dict):
        for field in _MESSAGE_FIELDS:
            found = _message_text(body.get(field))
            if found:
                return found
    return text[:500]


def _message_text(value):
    if isinstance(value, list) and value:
        return '; '.join(str(item) for item in value)[:500]
    if isinstance(value, str) and value:
        return value[:500]
    return None


def _printable(text):
    """Text with control characters (a terminal's escape sequences among them) turned into spaces, stripped."""
    return ''.join(char if char.isprintable() else ' ' for char in text).strip()


def body_text(response):
    """The body of a response as text: its declared charset, else UTF-8; undecodable bytes replaced."""
    content = response.content or b''
    try:
        return content.decode(response.encoding or 'utf-8', 'replace')
    except LookupError:
        return content.decode('utf-8', 'replace')


def _json_kind(value):
    """What a JSON value is, in words."""
    if isinstance(value, dict):
        return 'an object'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, str):
        return 'a string (%r)' % value[:60]
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return 'a number (%r)' % value


def _looks_like(response):
    """What a body that is not JSON looks like, in words; None for JSON."""
    text = body_text(response).strip()
    if not text:
        return 'an empty body'
    if text.startswith('<'):
        return 'an HTML page'
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return 'text that is not JSON'
    return None


def _content_length(response):
    declared = (response.headers.get('Content-Length') or '').strip()
    return int(declared) if declared.isdigit() else None


def _seconds(value):
    return '1 second' if value == 1 else '%g seconds' % value


def _size_text(size):
    return '%d MiB' % (size // MIB) if size % MIB == 0 else '%d bytes' % size


class _HashingReader:
    """A file wrapper that hashes what is read from it, so an upload computes its sha256 on the way.

    Each piece read restarts the request's deadline (``deadline``, set by the client): a long upload is bounded
    per piece, not as a whole.
    """

    def __init__(self, fileobj, size):
        self._file = fileobj
        self._size = size
        self.sha256 = hashlib.sha256()
        self.sent = 0
        self.deadline = None

    def __len__(self):
        return self._size

    def read(self, size=-1):
        chunk = self._file.read(size if size and size > 0 else CHUNK)
        self.sha256.update(chunk)
        self.sent += len(chunk)
        if self.deadline is not None:
            self.deadline.extend()
        return chunk


# -- the deadline of one request ------------------------------------------------------------------------------------

class _DeadlinePassed(Exception):
    """The deadline shut the connection while an answer was still arriving."""


class _Deadline:
    """The time one request may take; when it passes, the request's sockets are shut, which ends a read in progress.

    A socket timeout bounds each read, not the request: a server that sends a byte a second never trips it.
    ``extend()`` starts the period again (package transfers call it for each piece that moves).
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.fired = False
        self._done = False
        # id(connection) -> (connection, the sockets it used): a connection closed by http.client keeps
        # its socket alive in the response being read, and no longer knows it.
        self._watched = {}
        self._condition = threading.Condition()
        watcher = threading.Thread(target=self._watch, name='lifetime-request-deadline')
        watcher.daemon = True
        watcher.start()

    def remaining(self):
        return max(0.0, self.expires - time.monotonic())

    def extend(self):
        self.expires = time.monotonic() + self.seconds

    def watch(self, connection):
        """Put a connection (and the socket it has, if any) under this deadline."""
        with self._condition:
            connection.lifetime_deadline = self
            self._watched[id(connection)] = (connection, [])
        self.connected(connection)

    def connected(self, connection):
        """Called when a watched connection has (re)connected: its new socket is watched too."""
        sock = getattr(connection, 'sock', None)
        with self._condition:
            entry = self._watched.get(id(connection))
            if entry is None or sock is None:
                return
            entry[1].append(sock)
            if self.fired:
                _shut(sock)

    def unwatch(self, connection):
        with self._condition:
            self._watched.pop(id(connection), None)

    def finish(self):
        with self._condition:
            self._done = True
            self._watched = {}
            self._condition.notify_all()

    def _watch(self):
        with self._condition:
            while not self._done:
                left = self.expires - time.monotonic()
                if left <= 0:
                    self.fired = True
                    for connection, sockets in self._watched.values():
                        for sock in sockets + [getattr(connection, 'sock', None)]:
                            _shut(sock)
                    return
                self._condition.wait(left)


def _shut(sock):
    """Shut a socket from another thread: a read blocked on it returns at once."""
    if sock is None:
        return
    try:
        # socket.socket's own shutdown, also for an SSLSocket: the TLS state stays with the thread reading.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, TypeError, ValueError):
        pass


# The deadline of the request the current thread is sending: the connection pools hand it each connection they give out.
_ACTIVE = threading.local()


class _DeadlineMixin:
    """A urllib3 connection pool that puts each connection it gives out under the current request's deadline."""

    def _get_conn(self, timeout=None):
        connection = super()._get_conn(timeout=timeout)
        deadline = getattr(_ACTIVE, 'deadline', None)
        if deadline is not None:
            deadline.watch(connection)
        return connection

    def _put_conn(self, conn):
        deadline = getattr(conn, 'lifetime_deadline', None)
        if deadline is not None:
            deadline.unwatch(conn)
            conn.lifetime_deadline = None
        super()._put_conn(conn)


class _ConnectMixin:
    """A urllib3 connection that hands each new socket to the deadline watching it."""

    def connect(self):
        super().connect()
        deadline = getattr(self, 'lifetime_deadline', None)
        if deadline is not None:
            deadline.connected(self)


class _WatchedHTTPConnection(_ConnectMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_ConnectMixin, HTTPSConnection):
    pass


class _WatchedHTTPPool(_DeadlineMixin, HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(_DeadlineMixin, HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _use_watched_pools(manager):
    # A SOCKS proxy manager brings pool classes of its own: those keep only the socket timeouts.
    if manager.pool_classes_by_scheme.get('http') is HTTPConnectionPool:
        manager.pool_classes_by_scheme = {'http': _WatchedHTTPPool, 'https': _WatchedHTTPSPool}


class _Adapter(HTTPAdapter):
    """requests' transport adapter, with connection pools that honour the request deadline (through proxies too)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_watched_pools(manager)
        return manager


def _release(response):
    """Close a streamed response and end its deadline."""
    response.close()
    deadline = getattr(response, 'lifetime_deadline', None)
    if deadline is not None:
        deadline.finish()


# -- where the token goes -------------------------------------------------------------------------------------------

class _TokenAuth:
    """requests auth: Authorization with the token for lifetime_url's own origin, and no Authorization for any other.

    The one place that decides where the token goes. Redirects are never followed by requests, so every request,
    a download link's included, passes here with the URL it is really sent to.
    """

    def __init__(self, token, origin, prefix='Bearer '):
        self._token = token
        self._origin = origin
        self._prefix = prefix

    def __call__(self, request):
        request.headers.pop('Authorization', None)
        if self._token and url_origin(request.url) == self._origin:
            request.headers['Authorization'] = self._prefix + self._token
        return request

    def __repr__(self):
        return '<LifeTime token auth>'


# -- failures -------------------------------------------------------------------------------------------------------

# What went wrong with a request that got no (complete) answer decides whether it is tried again and how it is told.
NOT_SENT = 'not sent'          # the connection could not be made: nothing reached the server; retried, even a POST
BROKEN = 'broken'              # the connection broke after the request went out: retried for GET and DELETE only
TIMED_OUT = 'timed out'        # no complete answer within request_timeout: not retried
MALFORMED = 'malformed'        # the answer is not HTTP (status line, headers, chunks): not retried
UNDECODABLE = 'undecodable'    # an HTTP answer whose body cannot be decoded: not retried
INVALID = 'invalid'            # the request cannot be sent at all (address, header, CA bundle): not retried
TLS = 'tls'                    # the TLS handshake failed: not retried

if HAS_REQUESTS:
    _EXC = requests.exceptions
    TRANSPORT_ERRORS = (_EXC.RequestException, Urllib3Error, HTTPException, OSError, ValueError, _DeadlinePassed)
    _REQUEST_FAILURES = (
        (_EXC.SSLError, TLS),
        # InvalidJSONError is new in requests 2.27.
        ((_EXC.InvalidURL, _EXC.InvalidSchema, _EXC.MissingSchema, _EXC.URLRequired, _EXC.InvalidHeader,
          getattr(_EXC, 'InvalidJSONError', _EXC.InvalidURL)), INVALID),
        ((_EXC.ContentDecodingError, _EXC.TooManyRedirects), UNDECODABLE),
    )
else:  # pragma: no cover
    TRANSPORT_ERRORS = (OSError, ValueError, _DeadlinePassed)
    _REQUEST_FAILURES = ()


def failure_kind(exc, timed_out=False):
    """Which of NOT_SENT, BROKEN, TIMED_OUT, MALFORMED, UNDECODABLE, INVALID, TLS a transport exception is."""
    if timed_out or isinstance(exc, _DeadlinePassed):
        return TIMED_OUT
    if not isinstance(exc, requests.exceptions.RequestException):
        # LocationParseError, an unreadable CA bundle: raised before anything is sent; else a protocol error requests did not wrap.
        return INVALID if isinstance(exc, (ValueError, OSError)) else _broken_kind(exc)
    for classes, kind in _REQUEST_FAILURES:
        if isinstance(exc, classes):
            return kind
    if _not_sent(exc):
        return NOT_SENT
    if isinstance(exc, requests.exceptions.Timeout):
        return TIMED_OUT
    return _broken_kind(exc)


def _causes(exc, depth=0):
    """An exception and those it wraps (in its arguments or its reason), outermost first."""
    if depth > 5 or not isinstance(exc, BaseException):
        return []
    found = [exc]
    for inner in list(getattr(exc, 'args', ())) + [getattr(exc, 'reason', None)]:
        found += _causes(inner, depth + 1)
    return found


def _broken_kind(exc):
    """BROKEN for a connection closed or cut off, TIMED_OUT for a read that timed out, MALFORMED for an answer that is not HTTP."""
    names = [type(cause).__name__ for cause in _causes(exc)]
    if 'ReadTimeoutError' in names or 'timeout' in names or 'TimeoutError' in names:
        return TIMED_OUT
    if 'InvalidChunkLength' in names:
        return MALFORMED
    if any(isinstance(cause, HTTPException) and not isinstance(cause, (ConnectionError, IncompleteRead)) for cause in _causes(exc)):
        return MALFORMED
    return BROKEN


def _not_sent(exc):
    """True when a connection error happened before any byte of the request reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, 'reason', reason)
    return type(reason).__name__ in ('NewConnectionError', 'NameResolutionError', 'ConnectTimeoutError')


def _tls_reason(exc, where):
    # The exception's text is inspected, never shown: it can quote a URL.
    text = str(exc).lower()
    if 'wrong version number' in text or 'record layer failure' in text or 'http_request' in text:
        return '%s does not answer in TLS: is it an http:// server given as https://?' % where
    if 'hostname mismatch' in text or "doesn't match" in text or 'ip address mismatch' in text:
        return ('the TLS certificate of %s is not issued for that name: use in lifetime_url the host name the certificate names'
                % where)
    if 'certificate verify failed' in text:
        return ('TLS certificate verification failed for %s: set ca_path to the CA bundle that signed the LifeTime certificate, '
                'or validate_certs to false for a test server' % where)
    return 'the TLS handshake with %s failed' % where


class _Call:
    """One API request as the retry loop sees it."""

    def __init__(self, method, shown, target, api, note=None):
        self.method = method.upper()
        self.shown = shown
        self.target = target
        # True for lifetime_url's API, False for a link LifeTime handed out.
        self.api = api
        self.note = note
        try:
            parts = urlsplit(redact_url(target))
            self.where = urlunsplit((parts.scheme, parts.netloc, '', '', ''))
        except ValueError:
            self.where = shown_url(target)
        self.ok = (200,)
        self.stream = False
        self.invalid_state = False
        self.retry = False
        self.attempts = 1
        self.resendable = True
        self.options = {}

    def plan(self, retry, retries, ok, stream, invalid_state, options):
        self.retry = (self.method in IDEMPOTENT_METHODS) if retry is None else retry
        # POST and PUT are tried again only when nothing was sent; GET and DELETE when retry allows.
        self.attempts = 1 + (retries if self.retry or self.method not in IDEMPOTENT_METHODS else 0)
        self.ok = tuple(ok)
        self.stream = stream
        self.invalid_state = invalid_state
        self.options = options
        data = options.get('data')
        # A file being uploaded cannot be rewound by requests: it is sent once.
        self.resendable = data is None or not hasattr(data, 'read')
        return self


class Transport:
    """Requests to one LifeTime over one requests.Session: connection options checked, token, deadlines, retries, streaming."""

    # The largest JSON answer read from an API call; tests lower it.
    max_json_bytes = MAX_JSON_BYTES

    def __init__(self, url, token, validate_certs=True, ca_path=None, timeout=60, retries=5,
                 backoff_base=0.5, backoff_max=10.0, sleep=time.sleep):
        if not HAS_REQUESTS:
            raise LifeTimeUsageError('The Python library requests is required on the host that runs this task.')
        # Everything is checked before the first request, so a wrong option never fails half-way through a task.
        self._token = check_token(token)
        self.base_url = normalize_url(url)
        self._check_requests_accepts(url)
        parts = urlsplit(self.base_url)
        self.server = urlunsplit((parts.scheme, parts.netloc, '', '', ''))
        self.origin = url_origin(self.base_url)
        self.timeout = check_request_timeout(timeout)
        verify = check_ca_path(ca_path) if validate_certs and ca_path else bool(validate_certs)
        self.retries = max(0, int(retries))
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        # Set once a call has answered like LifeTime: a 404 before that hints at a server that is not LifeTime.
        self._answered = False
        self._bearer = _TokenAuth(self._token, self.origin)
        self._raw_token = _TokenAuth(self._token, self.origin, prefix='')
        self._no_token = _TokenAuth(None, self.origin)
        self.session = self._session(verify)

    def _check_requests_accepts(self, url):
        try:
            requests.PreparedRequest().prepare_url(self.base_url, None)
        except (requests.exceptions.RequestException, ValueError):
            raise LifeTimeUsageError('lifetime_url %s is not a valid address: check its host name (letters, digits, dots and hyphens) '
                                     'and port.' % shown_url(str(url).strip()), parameter='lifetime_url')

    def _session(self, verify):
        session = requests.Session()
        session.headers.update({
            'Accept': 'application/json',
            'User-Agent': 'ansible-collection-outsystems.lifetime/%s' % COLLECTION_VERSION,
        })
        # The token is added per request by _TokenAuth; a session auth also keeps ~/.netrc from replacing it.
        session.auth = self._bearer
        session.verify = verify
        if verify is False:
            # The user asked for it; urllib3 would print a warning per request to stderr.
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        # Enough pooled connections for the small thread pools of the deployment planner.
        adapter = _Adapter(pool_connections=4, pool_maxsize=16, max_retries=0)
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        return session

    @classmethod
    def from_params(cls, params, **kwargs):
        """A client from the shared connection options of a module."""
        return cls(params['lifetime_url'], params['lifetime_token'], validate_certs=params['validate_certs'],
                   ca_path=params.get('ca_path'), timeout=params['request_timeout'], **kwargs)

    def close(self):
        self.session.close()

    def scrub(self, text):
        """Remove the token from a text, should anything ever echo it."""
        if text and self._token:
            return text.replace(self._token, '********')
        return text

    def same_origin(self, url):
        """True when url has the scheme, host and port of lifetime_url (default ports counted as written)."""
        return url_origin(url) == self.origin

    # -- transport --------------------------------------------------------------------------------

    def _backoff(self, attempt, response=None):
        """Full-jitter exponential backoff; honours Retry-After from a 429/503."""
        delay = random.uniform(0, min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1))))
        if response is not None:
            retry_after = response.headers.get('Retry-After')
            if retry_after and retry_after.strip().isdigit():
                delay = max(delay, min(float(retry_after), self.backoff_max))
        return delay

    def send(self, method, path, params=None, json_body=None, data=None, headers=None, stream=False, url=None,
             invalid_state=False, ok=(200, 201, 202, 204), retry=None, auth=None, note=None):
        """Send one API request and return the requests.Response, or raise a LifeTimeAPIError.

        ``path`` is relative to the API base (``/deployments/``); ``url`` overrides it for links
        LifeTime hands out. GET, HEAD and DELETE are retried on connection errors and 429/502/503/504;
        other methods only when the connection failed before anything was sent. Nothing is retried
        after request_timeout ran out. Redirects are never followed: an answer outside ``ok`` is an error.
        Unless ``stream``, the body is read here (at most max_json_bytes); a streamed response must be
        given to _release().
        """
        shown = path if url is None else urlsplit(url).path
        call = _Call(method, shown, url or (self.base_url + path), api=url is None, note=note)
        call.plan(retry, self.retries, ok, stream, invalid_state,
                  dict(params=params, json=json_body, data=data, headers=headers, auth=auth or self._bearer))
        attempt = 0
        while True:
            attempt += 1
            response, delay = self._attempt(call, attempt)
            if response is not None:
                return response
            self._sleep(delay)

    def _attempt(self, call, attempt):
        """One try: (response, None), or (None, seconds to wait before the next try); raises when there is none."""
        deadline = _Deadline(self.timeout)
        try:
            response = self._exchange(call, deadline)
        except TRANSPORT_ERRORS as exc:
            return None, self._after_failure(call, exc, attempt, deadline.fired)
        status = response.status_code
        if status in call.ok:
            return response, None
        if call.retry and status in RETRY_STATUSES and attempt < call.attempts:
            return None, self._backoff(attempt, response)
        if call.method == 'DELETE' and status == 404 and attempt > 1:
            # An earlier attempt whose answer was lost did the delete.
            return response, None
        raise self._status_error(call, response, attempt)

    def _exchange(self, call, deadline):
        """The request and its answer within the deadline: the body too, unless the call streams a successful answer."""
        keep = False
        try:
            response = self._request(call, deadline)
            keep = call.stream and response.status_code in call.ok
            if keep:
                response.lifetime_deadline = deadline
            else:
                self._read_body(call, response, deadline)
            return response
        finally:
            if not keep:
                deadline.finish()

    def _request(self, call, deadline):
        data = call.options.get('data')
        if isinstance(data, _HashingReader):
            data.deadline = deadline
        session = self.session
        prepared = session.prepare_request(requests.Request(call.method, call.target, **call.options))
        # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a Session's verify,
        # which would ignore ca_path and validate_certs=false wherever those variables are set.
        settings = session.merge_environment_settings(prepared.url, {}, True, session.verify, None)
        remaining = deadline.remaining()
        _ACTIVE.deadline = deadline
        try:
            # The adapter, not Session.send: even with redirects off, a Session reads a redirect's whole body
            # (endless, if the server wants) and parses its Location to prepare the next request.
            return session.get_adapter(prepared.url).send(prepared, stream=True, timeout=(min(CONNECT_TIMEOUT, remaining), remaining),
                                                          verify=settings['verify'], cert=settings['cert'], proxies=settings['proxies'])
        finally:
            _ACTIVE.deadline = None

    def _read_body(self, call, response, deadline):
        """Read a whole answer into ``response`` (API answers are small): within the deadline and at most max_json_bytes.

        Of an error answer only the first MAX_ERROR_BYTES are kept, for LifeTime's message.
        """
        success = response.status_code in call.ok
        cap = self.max_json_bytes if success else MAX_ERROR_BYTES
        declared = _content_length(response)
        if success and declared is not None and declared > cap:
            response.close()
            raise self._too_large(call, response, 'it announces %d bytes' % declared)
        pieces, size = [], 0
        try:
            for piece in response.iter_content(BODY_CHUNK):
                size += len(piece)
                if size > cap:
                    break
                pieces.append(piece)
        finally:
            response.close()
        if deadline.fired:
            raise _DeadlinePassed()
        if success and size > cap:
            raise self._too_large(call, response, 'it went on past that')
        response._content = b''.join(pieces)
        response._content_consumed = True

    def _too_large(self, call, response, detail):
        reason = ('the answer is larger than %s, the most this collection reads from one API call (%s): LifeTime answers far less; '
                  'is lifetime_url the LifeTime API?' % (_size_text(self.max_json_bytes), detail))
        return LifeTimeResponseError(call.method, call.shown, status=response.status_code, reason=reason, note=call.note)

    def _after_failure(self, call, exc, attempt, timed_out):
        """Seconds to wait before trying again, or raise the LifeTimeTransportError that ends the call."""
        kind = failure_kind(exc, timed_out)
        retryable = kind == NOT_SENT or (kind == BROKEN and call.retry)
        if retryable and attempt < call.attempts and call.resendable:
            return self._backoff(attempt)
        raise self._transport_error(call, exc, attempt, kind)

    def _transport_error(self, call, exc, attempts, kind):
        reason = self._failure_reason(call, exc, kind)
        ambiguous = kind in (BROKEN, TIMED_OUT, MALFORMED, UNDECODABLE) and call.method not in IDEMPOTENT_METHODS
        if ambiguous:
            reason += '; LifeTime may or may not have carried out the request'
        return LifeTimeTransportError(call.method, call.shown, reason=self.scrub(reason), ambiguous=ambiguous, attempts=attempts,
                                      retryable=kind in (NOT_SENT, BROKEN, TIMED_OUT), note=call.note)

    def _failure_reason(self, call, exc, kind):
        if kind == TLS:
            return _tls_reason(exc, call.where)
        if kind == INVALID:
            return self._invalid_reason(call, exc)
        if kind == TIMED_OUT:
            return 'no complete answer from %s within %s (request_timeout)' % (call.where, _seconds(self.timeout))
        if kind == NOT_SENT:
            return self._unreachable_reason(call, exc)
        if kind == UNDECODABLE:
            return 'the answer from %s could not be decoded (its Content-Encoding does not match its body)' % call.where
        if kind == MALFORMED:
            reason = 'the answer from %s is not valid HTTP (a malformed status line, header or chunk)' % call.where
        else:
            reason = 'the connection to %s broke before a complete answer arrived' % call.where
        if call.api and not self._answered and call.where.startswith('http:'):
            reason += ' (if LifeTime serves HTTPS, write lifetime_url with https://)'
        return reason

    def _unreachable_reason(self, call, exc):
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'could not connect to %s within %s' % (call.where, _seconds(min(CONNECT_TIMEOUT, self.timeout)))
        else:
            reason = 'cannot connect to %s' % call.where
        if call.api:
            reason += ' (is lifetime_url right and the server reachable?)'
        return reason

    def _invalid_reason(self, call, exc):
        if isinstance(exc, requests.exceptions.InvalidHeader):
            return 'a request header cannot be sent (lifetime_token must be one line of printable characters)'
        if isinstance(exc, OSError) and not isinstance(exc, requests.exceptions.RequestException):
            return ('the CA bundle to verify %s with cannot be read: check ca_path, and REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE '
                    'in the environment' % call.where)
        if call.api:
            return 'lifetime_url %s is not an address that can be connected to: check its host name and port' % call.where
        return 'LifeTime handed out a link that is not a valid address: %s' % shown_url(call.target)

    def _status_error(self, call, response, attempt):
        status = response.status_code
        if 300 <= status < 400:
            return self._redirect_error(call, response, attempt)
        error = error_for_status(status, invalid_state=call.invalid_state)
        return error(call.method, call.shown, status=status, lifetime_message=self.scrub(lifetime_message(response)),
                     ambiguous=status >= 500 and call.method not in IDEMPOTENT_METHODS, attempts=attempt,
                     note=call.note or self._stranger_note(call, response))

    def _redirect_error(self, call, response, attempt):
        target = _redirect_target(call.target, response)
        if target:
            reason = ('it redirects to %s, and API calls do not follow redirects (nothing was sent there): if LifeTime answers at '
                      'that address, set lifetime_url to it' % shown_url(target))
        else:
            reason = 'it answered a redirect without saying where to'
        return LifeTimeResponseError(call.method, call.shown, status=response.status_code, reason=self.scrub(reason), attempts=attempt,
                                     note=call.note)

    def _stranger_note(self, call, response):
        """A hint when the first answer looks like a web server that is not LifeTime."""
        if not call.api or self._answered or response.status_code not in (404, 405, 501):
            return None
        looks = _looks_like(response)
        if looks is None:
            return None
        return ('Is lifetime_url the address of a LifeTime server? %s answered %d with %s, like a plain web server, '
                'not like the LifeTime API' % (self.server, response.status_code, looks))

    def _json(self, method, path, response):
        if response.status_code == 204 or not response.content.strip():
            self._answered = True
            return None
        try:
            body = json.loads(body_text(response))
        except RecursionError:
            raise LifeTimeResponseError(method, path, status=response.status_code, reason='the body is JSON nested too deeply to read')
        except ValueError:
            raise self._not_json(method, path, response)
        self._answered = True
        return body

    def _not_json(self, method, path, response):
        text = body_text(response).strip()
        reason = 'the body is not JSON: %r' % self.scrub(text[:200])
        if text.startswith('<') and not self._answered:
            reason += ('. Is lifetime_url the address of a LifeTime server? %s answered with an HTML page, like a web site, '
                       'not like the LifeTime API' % self.server)
        return LifeTimeResponseError(method, path, status=response.status_code, reason=reason)

    def get(self, path, params=None, expect=dict):
        """GET a JSON document of type ``expect`` (an object unless told otherwise); None for 204 No Content."""
        body = self._json('GET', path, self.send('GET', path, params=params))
        if body is not None and not isinstance(body, expect):
            raise LifeTimeResponseError('GET', path, status=200, reason='expected a JSON object, got %s; %s' % (_json_kind(body), NOT_LIFETIME))
        return body

    def get_list(self, path, params=None):
        """GET a JSON list of objects; LifeTime answers 204 with an empty body for an empty list."""
        body = self._json('GET', path, self.send('GET', path, params=params))
        if body is None:
            return []
        if not isinstance(body, list):
            raise LifeTimeResponseError('GET', path, status=200, reason='expected a list of records, got %s; %s' % (_json_kind(body), NOT_LIFETIME))
        for index, item in enumerate(body):
            if not isinstance(item, dict):
                raise LifeTimeResponseError('GET', path, status=200, reason='expected a list of records (JSON objects), but item %d is %s; %s'
                                            % (index, _json_kind(item), NOT_LIFETIME))
        return body

    def _key_of(self, method, path, response):
        key = parse_key(body_text(response))
        if not key:
            raise LifeTimeResponseError(method, path, status=response.status_code,
                                        reason='the answer carries no key: %r' % self.scrub(body_text(response).strip()[:200]))
        self._answered = True
        return key

    def create(self, path, json_body=None, params=None):
        """POST a creating call and return the key LifeTime answers with (plain text, quoted or not)."""
        return self._key_of('POST', path, self.send('POST', path, json_body=json_body, params=params))

    def command(self, method, path, json_body=None, params=None, invalid_state=True):
        """A request whose answer body does not matter (202/204); 400 means the object's state forbids it."""
        return self._json(method, path, self.send(method, path, json_body=json_body, params=params, invalid_state=invalid_state))

    # -- streaming --------------------------------------------------------------------------------

    def upload(self, path, src, content_type='application/octet-stream'):
        """POST a file as the raw request body, streamed in chunks; returns (key, sha256 hex, bytes sent)."""
        size = os.path.getsize(src)
        with open(src, 'rb') as handle:
            reader = _HashingReader(handle, size)
            response = self.send('POST', path, data=reader, headers={'Content-Type': content_type, 'Content-Length': str(size)})
        return self._key_of('POST', path, response), reader.sha256.hexdigest(), reader.sent

    def _open_link(self, url):
        """GET a download link, following its redirects by hand (at most MAX_LINK_REDIRECTS); returns the streamed response.

        The token goes with a request only while the link stays on lifetime_url's origin: once a redirect
        leaves it, no later request carries the token, even one that comes back.
        """
        trusted = True
        for dummy in range(MAX_LINK_REDIRECTS + 1):
            trusted = trusted and self.same_origin(url)
            response = self._get_link(url, trusted)
            if response.status_code not in REDIRECT_STATUSES:
                return response
            _release(response)
            url = self._next_link(url, response)
        raise LifeTimeResponseError('GET', urlsplit(url).path, reason='the download link redirected more than %d times' % MAX_LINK_REDIRECTS)

    def _get_link(self, url, trusted):
        path = urlsplit(url).path
        ok = (200,) + REDIRECT_STATUSES
        if not trusted:
            note = ('The link points to %s, not to the address of lifetime_url (%s), so it was fetched without the token'
                    % (origin_text(url_origin(url)), origin_text(self.origin)))
            return self.send('GET', path, url=url, stream=True, ok=ok, auth=self._no_token, note=note)
        try:
            return self.send('GET', path, url=url, stream=True, ok=ok)
        except LifeTimeAPIError as exc:
            if exc.status != 401:
                raise
        # Links have been served to clients that send the token without the Bearer prefix.
        return self.send('GET', path, url=url, stream=True, ok=ok, auth=self._raw_token)

    def _next_link(self, url, response):
        target = _redirect_target(url, response)
        if target is None or url_origin(target) is None:
            raise LifeTimeResponseError('GET', urlsplit(url).path, status=response.status_code,
                                        reason='the download link redirects to %s, which is not an http(s) address'
                                        % (shown_url(target) if target else 'nowhere (no Location)'))
        return target

    def download(self, get_link, dest):
        """Download what a LifeTime link points at to ``dest``, atomically, in chunks.

        ``get_link`` is a callable returning a fresh link (a DownloadLink dict or a URL); it is
        called again once if the link has expired. The file is written next to ``dest`` and
        renamed over it only when complete, so a failure never leaves a half-written ``dest``.
        A transfer that breaks or stalls starts over (up to ``retries`` times).
        Returns dict(sha256, size, changed): changed is False when ``dest`` already held the same bytes.
        """
        dest = check_dest(dest)
        directory = os.path.dirname(dest)
        link = self._link_url(get_link())
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._download_once(link, dest, directory)
            except LifeTimeAPIError as exc:
                if attempt == 1 and exc.status in EXPIRED_LINK_STATUSES:
                    link = self._link_url(get_link())
                    continue
                if isinstance(exc, LifeTimeTransportError) and exc.retryable and attempt <= self.retries:
                    # The stream broke mid-way: start over; the partial file is already gone.
                    self._sleep(self._backoff(attempt))
                    continue
                raise

    def _link_url(self, link):
        url = link.get('url') or link.get('Url') if isinstance(link, dict) else link
        if not url or not isinstance(url, str):
            raise LifeTimeResponseError('GET', 'download link', reason='LifeTime returned no download link (no binary available)')
        try:
            url = urljoin(self.base_url + '/', url.strip())
        except ValueError:
            pass
        if url_origin(url) is None:
            raise LifeTimeResponseError('GET', 'download link', reason='LifeTime returned a download link that is not an http(s) address: %s'
                                        % shown_url(url))
        return url

    def _download_once(self, url, dest, directory):
        response = self._open_link(url)
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(dest), suffix='.part')
        except OSError as exc:
            _release(response)
            raise _write_error(dest, exc)
        try:
            with os.fdopen(fd, 'wb') as handle:
                sha256, size = self._receive(url, response, handle, dest)
            return _install(tmp, dest, sha256, size)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _receive(self, url, response, handle, dest):
        """Write a streamed answer to ``handle``; returns (sha256, size).

        The deadline starts again with each piece: request_timeout bounds the wait for the answer and each
        stall of the transfer, not the transfer of a large package.
        """
        call = _Call('GET', urlsplit(url).path, url, api=False)
        deadline = response.lifetime_deadline
        digest = hashlib.sha256()
        size = 0
        pieces = response.iter_content(BODY_CHUNK)
        try:
            while True:
                try:
                    piece = next(pieces, None)
                except TRANSPORT_ERRORS as exc:
                    raise self._transport_error(call, exc, 1, failure_kind(exc, deadline.fired))
                if piece is None:
                    break
                deadline.extend()
                digest.update(piece)
                _write(handle, piece, dest)
                size += len(piece)
        finally:
            _release(response)
        if deadline.fired:
            raise LifeTimeTransportError('GET', call.shown, reason='the download stalled: less than %d KiB arrived in request_timeout (%s) '
                                         'after %d bytes' % (BODY_CHUNK // 1024, _seconds(self.timeout), size))
        declared = _content_length(response)
        if declared is not None and declared != size:
            raise LifeTimeTransportError('GET', call.shown, reason='the download stopped after %d of %d bytes' % (size, declared))
        return digest.hexdigest(), size


def _redirect_target(url, response):
    """The absolute URL a redirect answer points to, or None."""
    location = (response.headers.get('Location') or '').strip()
    if not location:
        return None
    try:
        return urljoin(url, location)
    except ValueError:
        return location


def _write(handle, piece, dest):
    try:
        handle.write(piece)
    except OSError as exc:
        raise _write_error(dest, exc)


def _write_error(dest, exc):
    return LifeTimeError('Could not write the download next to dest %s: %s.' % (dest, exc.strerror or exc), parameter='dest')


def _install(tmp, dest, sha256, size):
    """Move a complete download over dest, unless dest already holds the same bytes."""
    if os.path.exists(dest) and os.path.getsize(dest) == size and file_sha256(dest) == sha256:
        return dict(sha256=sha256, size=size, changed=False)
    mode = (os.stat(dest).st_mode & 0o7777) if os.path.exists(dest) else (0o666 & ~umask())
    os.chmod(tmp, mode)
    os.replace(tmp, dest)
    return dict(sha256=sha256, size=size, changed=True)
