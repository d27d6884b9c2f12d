# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The private internals of urllib3 and requests that plugins/module_utils/_http/deadline.py relies on.

The request deadline replaces urllib3's connection pools by pools that override the private ``_get_conn`` and
``_put_conn``, and hands a body read within the deadline to requests' Response through its private ``_content``
and ``_content_consumed``. A library upgrade breaks these first: each test here fails with a message naming the
installed versions and the file to adapt, before the deadline silently stops holding.
"""

import contextlib
import inspect
import socket
import threading

import requests
import urllib3

from urllib3.connectionpool import HTTPConnectionPool

from ansible_collections.outsystems.lifetime.plugins.module_utils._http import deadline as deadline_module
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.deadline import Deadline, DeadlineAdapter, connections_under, keep_body

DEADLINE_FILE = 'plugins/module_utils/_http/deadline.py'


def changed(what):
    """The failure message: what changed, with which versions, and where to look."""
    return ('%s, with the installed requests %s and urllib3 %s. The request deadline relies on it: adapt %s to these versions '
            '(see its docstring), or pin the versions it was written for.' % (what, requests.__version__, urllib3.__version__, DEADLINE_FILE))


class RecordingDeadline(Deadline):
    """A deadline that notes which connections the pools hand it, the sockets it learns of and what comes back."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.given_out = []
        self.sockets = []
        self.given_back = []

    def watch(self, connection):
        self.given_out.append(connection)
        super().watch(connection)

    def connected(self, connection):
        if getattr(connection, 'sock', None) is not None:
            self.sockets.append(connection.sock)
        super().connected(connection)

    def unwatch(self, connection):
        self.given_back.append(connection)
        super().unwatch(connection)


@contextlib.contextmanager
def one_answer(body=b'ok'):
    """The port of a socket on 127.0.0.1 that answers one HTTP request with ``body``."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    listener.settimeout(10)

    def answer():
        connection, dummy = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s' % (len(body), body))

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        thread.join(10)
        listener.close()


class UnreadableRaw:
    """A raw response that notes any read: a body kept by keep_body must never be read again."""

    def __init__(self):
        self.reads = []

    def read(self, *args, **kwargs):
        self.reads.append('read')
        return b'read again'

    def stream(self, *args, **kwargs):
        self.reads.append('stream')
        yield b'read again'


def test_urllib3_get_conn_and_put_conn_keep_the_signatures_the_watched_pools_override():
    get_conn = getattr(HTTPConnectionPool, '_get_conn', None)
    put_conn = getattr(HTTPConnectionPool, '_put_conn', None)

    assert callable(get_conn) and callable(put_conn), changed('urllib3.connectionpool.HTTPConnectionPool has no _get_conn or _put_conn any more')
    get_parameters = list(inspect.signature(get_conn).parameters)
    put_parameters = list(inspect.signature(put_conn).parameters)
    assert get_parameters == ['self', 'timeout'], changed('HTTPConnectionPool._get_conn%s is no longer _get_conn(self, timeout=None)'
                                                          % inspect.signature(get_conn))
    assert len(put_parameters) == 2, changed('HTTPConnectionPool._put_conn%s no longer takes the one connection it is given back'
                                             % inspect.signature(put_conn))


def test_requests_adapter_pools_are_the_watched_pools_direct_and_through_a_proxy():
    adapter = DeadlineAdapter()
    direct = adapter.poolmanager.pool_classes_by_scheme
    proxied = adapter.proxy_manager_for('http://127.0.0.1:3128').pool_classes_by_scheme

    for where, classes in (('direct connections', direct), ('connections through a proxy', proxied)):
        for scheme in ('http', 'https'):
            assert issubclass(classes[scheme], deadline_module._DeadlineMixin), changed(
                'the %s pools requests makes for %s are %s, not the watched pools: urllib3\'s PoolManager.pool_classes_by_scheme '
                'no longer names HTTPConnectionPool for http' % (scheme, where, classes[scheme]))
    adapter.close()


def test_a_request_through_the_adapter_puts_its_connection_and_socket_under_the_deadline_and_gives_it_back():
    adapter = DeadlineAdapter()
    deadline = RecordingDeadline(60)
    with one_answer(b'ok') as port:
        prepared = requests.Request('GET', 'http://127.0.0.1:%d/' % port).prepare()
        with connections_under(deadline):
            response = adapter.send(prepared, stream=True, timeout=(10, 10))
        body = response.content
        response.close()
    deadline.finish()
    adapter.close()

    assert body == b'ok'
    assert len(deadline.given_out) == 1, changed('urllib3 no longer takes a connection from its pool through _get_conn '
                                                 '(the deadline was handed %d connections for one request)' % len(deadline.given_out))
    assert len(deadline.sockets) == 1, changed("the deadline never learnt the request's socket: the pools' ConnectionCls.connect() "
                                               "or the connection's sock attribute changed")
    assert deadline.given_back == deadline.given_out, changed('urllib3 no longer gives a connection back to its pool through _put_conn '
                                                              '(a connection stays under a finished deadline)')
    assert deadline.given_out[0].lifetime_deadline is None


def test_requests_response_serves_a_body_kept_by_keep_body_without_reading_again():
    response = requests.models.Response()
    assert response.__dict__.get('_content') is False and response.__dict__.get('_content_consumed') is False, changed(
        "requests.models.Response no longer starts with _content = False and _content_consumed = False (it has %r and %r)"
        % (response.__dict__.get('_content', 'no _content'), response.__dict__.get('_content_consumed', 'no _content_consumed')))
    response.raw = raw = UnreadableRaw()
    response.status_code = 200
    response.encoding = 'utf-8'

    keep_body(response, b'{"Key": "k"}')

    content, text = response.content, response.text
    assert not raw.reads and content == b'{"Key": "k"}' and text == '{"Key": "k"}', changed(
        'requests.models.Response.content no longer serves a body set through _content and _content_consumed '
        '(it read the raw answer again: %s, and gave %r)' % (raw.reads, content))
