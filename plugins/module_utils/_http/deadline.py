# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the deadline of one request, and the only code that reaches into urllib3's and requests' internals.

A socket timeout bounds each read, not the request: a server that sends a byte a second never trips it. So each
request gets a Deadline whose watcher thread shuts the request's sockets when it passes, which ends a read in
progress. To know those sockets, the connection pools requests' adapter makes are replaced by pools that put each
connection they give out (urllib3's private ``_get_conn``) under the current request's deadline and take it off when
it comes back (``_put_conn``); an answer read within the deadline is handed to requests' Response through its
private ``_content`` and ``_content_consumed``. tests/unit/test_http_internals.py fails, naming the versions, when
an upgrade of urllib3 or requests changes what this file relies on.
"""

import socket
import threading
import time

from contextlib import contextmanager

try:
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:  # pragma: no cover - exercised by the sanity import test
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object


class DeadlinePassed(Exception):
    """The deadline shut the connection while an answer was still arriving."""


class Deadline:
    """The time one request may take; when it passes, the request's sockets are shut, which ends a read in progress.

    ``extend()`` starts the period again (package transfers call it for each piece that moves).
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.fired = False
        # Set when a connection failed to connect (a proxy's tunnel included): nothing reached the server then.
        self.connect_failed = False
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


@contextmanager
def connections_under(deadline):
    """While the current thread sends one request, each connection a pool gives out goes under ``deadline``."""
    _ACTIVE.deadline = deadline
    try:
        yield
    finally:
        _ACTIVE.deadline = None


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
    """A urllib3 connection that hands each new socket to the deadline watching it, and tells it when connecting failed."""

    def connect(self):
        try:
            super().connect()
        except BaseException:
            # The only sure sign that a proxy failed before the request went through it: urllib3 1.26 calls even a
            # connection broken while an answer arrives a ProxyError, and urllib3 2 a tunnel closed unanswered a ProtocolError.
            deadline = getattr(self, 'lifetime_deadline', None)
            if deadline is not None:
                deadline.connect_failed = True
            raise
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


class DeadlineAdapter(HTTPAdapter):
    """requests' transport adapter, with connection pools that honour the request deadline (through proxies too)."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        _use_watched_pools(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_watched_pools(manager)
        return manager


def keep_body(response, content):
    """Give a requests Response the body read within the deadline, so that ``content`` and ``text`` serve it without reading again."""
    response._content = content
    response._content_consumed = True


def release(response):
    """Close a streamed response and end its deadline."""
    response.close()
    deadline = getattr(response, 'lifetime_deadline', None)
    if deadline is not None:
        deadline.finish()
