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

This file holds the Transport class (the session, where the token goes, retries, send); the options are checked
in options.py, the deadline (and all that touches urllib3's and requests' internals) is deadline.py, reading
answers and telling failures is failures.py, package transfers and size caps are streaming.py.
"""

import json
import random
import time
import traceback

from urllib.parse import urlsplit, urlunsplit

try:
    import requests
    from requests.utils import select_proxy
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = select_proxy = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeResponseError, LifeTimeTransportError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.deadline import Deadline, DeadlineAdapter, connections_under
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.failures import (
    BROKEN,
    IDEMPOTENT_METHODS,
    INVALID,
    NOT_LIFETIME,
    NOT_SENT,
    PROXY_FAILED,
    TIMED_OUT,
    TLS,
    TRANSPORT_ERRORS,
    Call,
    FailureSentences,
    body_text,
    failure_kind,
    json_kind,
    parse_key,
    proxy_address_reason,
    proxy_kind,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import (
    CONNECT_TIMEOUT,
    check_ca_path,
    check_request_timeout,
    check_requests_accepts,
    check_token,
    normalize_url,
    proxy_url_problem,
    url_origin,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.streaming import MAX_JSON_BYTES, HashingReader, Streaming
from ansible_collections.outsystems.lifetime.plugins.module_utils._version import COLLECTION_VERSION

RETRY_STATUSES = frozenset((429, 502, 503, 504))


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


class _Call(Call):
    """One API request as the retry loop sees it."""

    def __init__(self, method, shown, target, api, note=None):
        super().__init__(method, shown, target, api, note=note)
        self.ok = (200,)
        self.stream = False
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


class Transport(Streaming, FailureSentences):
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
        check_requests_accepts(self.base_url, url)
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
        adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
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
        given to deadline.release().
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
        deadline = Deadline(self.timeout)
        try:
            response = self._exchange(call, deadline)
        except TRANSPORT_ERRORS as exc:
            return None, self._after_failure(call, exc, attempt, deadline)
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
        if isinstance(data, HashingReader):
            data.deadline = deadline
        session = self.session
        prepared = session.prepare_request(requests.Request(call.method, call.target, **call.options))
        # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a Session's verify,
        # which would ignore ca_path and validate_certs=false wherever those variables are set.
        settings = session.merge_environment_settings(prepared.url, {}, True, session.verify, None)
        # Which proxy (from the task's environment: HTTPS_PROXY, NO_PROXY...) the request goes through: a failure names it.
        call.proxy = select_proxy(prepared.url, settings['proxies'])
        problem = proxy_url_problem(call.proxy) if call.proxy else None
        if problem:
            # Refused before anything is sent: requests would fail on it with words that blame lifetime_url.
            raise LifeTimeTransportError(call.method, call.shown, reason=proxy_address_reason(call, problem), retryable=False, note=call.note)
        remaining = deadline.remaining()
        with connections_under(deadline):
            # The adapter, not Session.send: even with redirects off, a Session reads a redirect's whole body
            # (endless, if the server wants) and parses its Location to prepare the next request.
            return session.get_adapter(prepared.url).send(prepared, stream=True, timeout=(min(CONNECT_TIMEOUT, remaining), remaining),
                                                          verify=settings['verify'], cert=settings['cert'], proxies=settings['proxies'])

    def _after_failure(self, call, exc, attempt, deadline):
        """Seconds to wait before trying again, or raise the LifeTimeTransportError that ends the call."""
        kind = failure_kind(exc, deadline.fired)
        if call.proxy and deadline.connect_failed and kind not in (TLS, TIMED_OUT, INVALID):
            # The connection through the proxy never opened: the proxy's failure, and nothing reached LifeTime.
            kind = proxy_kind(exc)
        retryable = kind in (NOT_SENT, PROXY_FAILED) or (kind == BROKEN and call.retry)
        if retryable and attempt < call.attempts and call.resendable:
            return self._backoff(attempt)
        raise self._transport_error(call, exc, attempt, kind)

    # -- JSON calls -------------------------------------------------------------------------------

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

    def get(self, path, params=None, expect=dict):
        """GET a JSON document of type ``expect`` (an object unless told otherwise); None for 204 No Content."""
        body = self._json('GET', path, self.send('GET', path, params=params))
        if body is not None and not isinstance(body, expect):
            raise LifeTimeResponseError('GET', path, status=200, reason='expected a JSON object, got %s; %s' % (json_kind(body), NOT_LIFETIME))
        return body

    def get_list(self, path, params=None):
        """GET a JSON list of objects; LifeTime answers 204 with an empty body for an empty list."""
        body = self._json('GET', path, self.send('GET', path, params=params))
        if body is None:
            return []
        if not isinstance(body, list):
            raise LifeTimeResponseError('GET', path, status=200, reason='expected a list of records, got %s; %s' % (json_kind(body), NOT_LIFETIME))
        for index, item in enumerate(body):
            if not isinstance(item, dict):
                raise LifeTimeResponseError('GET', path, status=200, reason='expected a list of records (JSON objects), but item %d is %s; %s'
                                            % (index, json_kind(item), NOT_LIFETIME))
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
