# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: reading LifeTime's answers, and telling what went wrong with a request.

LifeTime's own error sentence, a body as text, the key a creating call answers with; which kind a failure without
a (complete) answer is (not sent, broken, timed out, malformed, undecodable, invalid, TLS, a proxy's), which decides
whether it is tried again; and the plain sentence each failure ends in. Nothing here sends a request (a certificate
refused for its dates is fetched again, without sending anything, by certificates.py, for the sentence to give them).
"""

import datetime
import json
import re
import socket

from http.client import HTTPException, IncompleteRead, responses
from urllib.parse import urljoin, urlsplit, urlunsplit

try:
    import requests
    from urllib3.exceptions import HTTPError as Urllib3Error
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None
    Urllib3Error = HTTPException

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeResponseError, LifeTimeTransportError, error_for_status
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.certificates import EXPIRED, out_of_dates, peer_certificate, validity
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.deadline import DeadlinePassed
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import (
    CONNECT_TIMEOUT,
    masked_url,
    redact_url,
    shown_url,
    url_origin,
)

# A retried POST can create a second deployment plan: only these methods are retried after the request may have been sent.
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'DELETE'))

# LifeTime always answers what its API documents: a server that does not is probably not LifeTime.
NOT_LIFETIME = 'is lifetime_url the address of the LifeTime API?'


# -- LifeTime's answers ---------------------------------------------------------------------------------------------

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


def json_kind(value):
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


def content_length(response):
    """The Content-Length a response declares, or None."""
    declared = (response.headers.get('Content-Length') or '').strip()
    return int(declared) if declared.isdigit() else None


def redirect_target(url, response):
    """The absolute URL a redirect answer points to, or None."""
    location = (response.headers.get('Location') or '').strip()
    if not location:
        return None
    try:
        return urljoin(url, location)
    except ValueError:
        return location


def seconds_text(value):
    return '1 second' if value == 1 else '%g seconds' % value


# -- failures without a (complete) answer ---------------------------------------------------------------------------

# What went wrong with a request that got no (complete) answer decides whether it is tried again and how it is told.
NOT_SENT = 'not sent'          # the connection could not be made: nothing reached the server; retried, even a POST
BROKEN = 'broken'              # the connection broke after the request went out: retried for GET and DELETE only
TIMED_OUT = 'timed out'        # no complete answer within request_timeout: not retried
MALFORMED = 'malformed'        # the answer is not HTTP (status line, headers, chunks): not retried
UNDECODABLE = 'undecodable'    # an HTTP answer whose body cannot be decoded: not retried
INVALID = 'invalid'            # the request cannot be sent at all (address, header, CA bundle): not retried
TLS = 'tls'                    # the TLS handshake failed: not retried
# The proxy between this host and LifeTime failed before the request went through it (nothing reached LifeTime):
PROXY_FAILED = 'proxy failed'  # unreachable, closed the connection, or a 5xx to the CONNECT: retried, even a POST
PROXY_REFUSED = 'proxy refused'  # a 4xx to the CONNECT (407: credentials): not retried, the proxy will answer the same

if requests is not None:
    _EXC = requests.exceptions
    TRANSPORT_ERRORS = (_EXC.RequestException, Urllib3Error, HTTPException, OSError, ValueError, DeadlinePassed)
    _REQUEST_FAILURES = (
        (_EXC.SSLError, TLS),
        # InvalidJSONError is new in requests 2.27.
        ((_EXC.InvalidURL, _EXC.InvalidSchema, _EXC.MissingSchema, _EXC.URLRequired, _EXC.InvalidHeader,
          getattr(_EXC, 'InvalidJSONError', _EXC.InvalidURL)), INVALID),
        ((_EXC.ContentDecodingError, _EXC.TooManyRedirects), UNDECODABLE),
    )
else:  # pragma: no cover
    TRANSPORT_ERRORS = (OSError, ValueError, DeadlinePassed)
    _REQUEST_FAILURES = ()


def failure_kind(exc, timed_out=False):
    """Which of NOT_SENT, BROKEN, TIMED_OUT, MALFORMED, UNDECODABLE, INVALID, TLS a transport exception is."""
    if timed_out or isinstance(exc, DeadlinePassed):
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


def proxy_kind(exc):
    """PROXY_REFUSED or PROXY_FAILED for the failure of a connection through a proxy that never connected."""
    status = _tunnel_status(exc)
    # A proxy's name that does not resolve will not resolve on the next attempt either.
    return PROXY_REFUSED if (status is not None and 400 <= status < 500) or _unresolved(exc) else PROXY_FAILED


# How a failed name lookup reads where urllib3 1.26 wraps it in a NewConnectionError's text (urllib3 2 has NameResolutionError).
_UNRESOLVED_WORDS = re.compile(r'Failed to resolve|Name or service not known|nodename nor servname|No address associated|getaddrinfo failed',
                               re.IGNORECASE)


def _unresolved(exc):
    """True when the host name of the connection did not resolve."""
    return any(isinstance(cause, socket.gaierror) or type(cause).__name__ == 'NameResolutionError' or _UNRESOLVED_WORDS.search(str(cause))
               for cause in _causes(exc))


def _tunnel_status(exc):
    """The status a proxy answered to the CONNECT, from http.client's "Tunnel connection failed: 407 ..."; None if it did not answer."""
    for cause in _causes(exc):
        found = re.search(r'Tunnel connection failed: (\d{3})', str(cause))
        if found:
            return int(found.group(1))
    return None


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


def _moment_text(moment):
    return moment.strftime('%Y-%m-%d %H:%M:%S UTC')


def _dates_reason(where, dates, refused_as):
    """The sentence for a certificate refused for its dates: which certificate, its dates, what to do."""
    trusted = 'trusting its issuer in ca_path does not make it valid'
    if dates is None:
        return ('the TLS certificate of %s, or one that signed it, %s: renew it (%s), or check the clock of the host that runs the task'
                % (where, 'has expired' if refused_as == EXPIRED else 'is not valid yet', trusted))
    now = datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = dates
    span = 'valid from %s (notBefore) to %s (notAfter), and it is now %s' % (_moment_text(not_before), _moment_text(not_after), _moment_text(now))
    if not_after < now:
        return ('the TLS certificate of %s has expired: it is %s; renew LifeTime\'s certificate (%s), or check the clock of the host '
                'that runs the task' % (where, span, trusted))
    if now < not_before:
        return ('the TLS certificate of %s is not valid yet: it is %s; check the clock of the host that runs the task, or give LifeTime '
                'a certificate valid now (%s)' % (where, span, trusted))
    return ('the TLS certificate of %s is %s, but a certificate that signed it %s: renew that CA or intermediate certificate (in ca_path '
            'or in the chain LifeTime sends)' % (where, span, 'has expired' if refused_as == EXPIRED else 'is not valid yet'))


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


# -- the sentences ----------------------------------------------------------------------------------------------------

def _proxy_variables(call):
    scheme = urlsplit(call.target).scheme.lower() or 'https'
    return '%s_PROXY (or %s_proxy, ALL_PROXY)' % (scheme.upper(), scheme)


def _proxy_reason(call, exc, status=None):
    """What went wrong with the proxy a request went through, with its address (password masked) and what to check."""
    proxy = masked_url(call.proxy) if call.proxy else 'the proxy'
    variables = _proxy_variables(call)
    status = status or _tunnel_status(exc)
    if status == 407:
        return ('the proxy %s asks for authentication (407 Proxy Authentication Required): check the user name and password in %s '
                'in the task\'s environment (http://user:password@proxy:port), or list LifeTime\'s host in NO_PROXY if it is reached '
                'without the proxy' % (proxy, variables))
    if status is not None:
        answered = ('%d %s' % (status, responses.get(status, ''))).strip()
        if status >= 500:
            return ('the proxy %s could not open a connection to %s (it answered %s to the CONNECT): check that the proxy can reach '
                    'LifeTime, and %s and NO_PROXY in the task\'s environment' % (proxy, call.where, answered, variables))
        return ('the proxy %s refused to open a connection to %s (it answered %s to the CONNECT): check that the proxy lets this '
                'host reach LifeTime, and %s and NO_PROXY in the task\'s environment' % (proxy, call.where, answered, variables))
    if exc is not None and _unresolved(exc):
        return ('the proxy %s that requests to %s go through cannot be found: its host name does not resolve; check the proxy\'s '
                'address in %s, and NO_PROXY, in the task\'s environment' % (proxy, call.where, variables))
    names = [type(cause).__name__ for cause in _causes(exc)]
    if set(names) & set(('NewConnectionError', 'ConnectTimeoutError', 'ConnectTimeout', 'ConnectionRefusedError')):
        return ('cannot connect to the proxy %s that requests to %s go through: check the proxy\'s address in %s, and NO_PROXY, in the '
                'task\'s environment' % (proxy, call.where, variables))
    return ('the proxy %s closed the connection before it opened one to %s: check the proxy, and %s and NO_PROXY in the task\'s '
            'environment' % (proxy, call.where, variables))


def proxy_address_reason(call, problem):
    """A proxy address requests cannot use (``problem``, from options.proxy_url_problem), named with its password masked."""
    return ('the proxy address %s in %s, which requests to %s go through, %s (or list LifeTime\'s host in NO_PROXY if it is '
            'reached without a proxy)' % (masked_url(call.proxy), _proxy_variables(call), call.where, problem))


# Headers only a proxy puts on an answer it makes itself (squid's error name; the agent of a proxy's own answer).
_PROXY_HEADERS = ('X-Squid-Error', 'Proxy-Agent')


def proxy_marks(response):
    """What marks an error answer that came through a proxy as the proxy's own, in words; None when nothing does.

    Only a header a proxy puts on its own answers: a Via header is also what a reverse proxy in front of LifeTime adds.
    """
    for header in _PROXY_HEADERS:
        if response.headers.get(header):
            return 'a %s header (%s)' % (header, _printable(response.headers[header])[:80])
    return None


def _html_page(response):
    content_type = (response.headers.get('Content-Type') or '').lower()
    looks = _looks_like(response)
    return looks == 'an HTML page' or bool(looks and 'html' in content_type)


def _proxy_answer_reason(call, status, marks):
    """An error answer that is the proxy's own, not LifeTime's: the proxy named (password masked), and what to check."""
    answered = ('%d %s' % (status, responses.get(status, ''))).strip()
    check = 'can reach' if status >= 500 else 'lets this host reach'
    return ('the answer (%s, with %s) is not LifeTime\'s: it probably comes from the proxy %s that requests to %s go through; check '
            'that the proxy %s LifeTime (its access rules and its log), and %s and NO_PROXY in the task\'s environment'
            % (answered, marks, masked_url(call.proxy), call.where, check, _proxy_variables(call)))


def _html_through_proxy_reason(call, status):
    """An HTML error page to a plain http request through a proxy: the proxy's, or a web server's in front of LifeTime."""
    answered = ('%d %s' % (status, responses.get(status, ''))).strip()
    return ('the answer (%s) is an HTML page, not the LifeTime API\'s: it comes from the proxy %s that requests to %s go through, '
            'or from a web server in front of LifeTime; check the proxy\'s log and access rules, and %s and NO_PROXY in the task\'s '
            'environment' % (answered, masked_url(call.proxy), call.where, _proxy_variables(call)))


def _inspecting_proxy_note(call, marks):
    """Inside an HTTPS CONNECT tunnel the forward proxy cannot answer: only a proxy that inspects TLS could have."""
    return ('The answer has %s: it comes from LifeTime or from a TLS-inspecting proxy (requests to %s go through the proxy %s)'
            % (marks, call.where, masked_url(call.proxy)))


class Call:
    """One request as its failure is told: method, the path shown, where it went, and whether it is an API call."""

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
        self.invalid_state = False
        # The proxy the request went through (from the task's environment), or None.
        self.proxy = None


class FailureSentences:
    """The LifeTimeTransportError or LifeTimeAPIError that ends a call, each with a plain sentence.

    Part of Transport (mixed in): uses its ``scrub()``, ``timeout``, ``server`` and ``_answered`` (whether a call has
    answered like LifeTime yet, which decides the hints about a server that is not LifeTime).
    """

    def _transport_error(self, call, exc, attempts, kind):
        reason = self._failure_reason(call, exc, kind)
        if call.proxy and kind in (TIMED_OUT, TLS, BROKEN, MALFORMED, PROXY_FAILED) and call.proxy.lower().startswith('https://'):
            # An https:// proxy address makes the connection to the proxy TLS: a plain HTTP proxy waits for a request that never comes.
            reason += ('; the proxy %s it went through is written with https://: if that proxy speaks plain HTTP (most do), write it '
                       'with http:// in %s' % (masked_url(call.proxy), _proxy_variables(call)))
        ambiguous = kind in (BROKEN, TIMED_OUT, MALFORMED, UNDECODABLE) and call.method not in IDEMPOTENT_METHODS
        if ambiguous:
            reason += '; LifeTime may or may not have carried out the request'
        return LifeTimeTransportError(call.method, call.shown, reason=self.scrub(reason), ambiguous=ambiguous, attempts=attempts,
                                      retryable=kind in (NOT_SENT, BROKEN, TIMED_OUT, PROXY_FAILED), note=call.note)

    def _failure_reason(self, call, exc, kind):
        if kind == TLS:
            return self._tls_failure(call, exc)
        if kind in (PROXY_FAILED, PROXY_REFUSED):
            return _proxy_reason(call, exc)
        if kind == INVALID:
            return self._invalid_reason(call, exc)
        if kind == TIMED_OUT:
            return 'no complete answer from %s within %s (request_timeout)' % (call.where, seconds_text(self.timeout))
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

    def _tls_failure(self, call, exc):
        refused_as = out_of_dates(_causes(exc))
        if refused_as is None:
            return _tls_reason(exc, call.where)
        dates = None
        origin = url_origin(call.target)
        # Through a proxy, a direct connection may reach something else, or nothing: the sentence goes without the dates.
        if origin is not None and not call.proxy:
            der = peer_certificate(origin[1], origin[2], min(CONNECT_TIMEOUT, self.timeout))
            dates = validity(der) if der else None
        return _dates_reason(call.where, dates, refused_as)

    def _unreachable_reason(self, call, exc):
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            reason = 'could not connect to %s within %s' % (call.where, seconds_text(min(CONNECT_TIMEOUT, self.timeout)))
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
        if call.proxy:
            # lifetime_url passed requests' own check before the first request: the proxy's address is the likelier culprit.
            return ('%s cannot be connected to through the proxy %s: check the proxy\'s address in %s, and NO_PROXY, in the task\'s '
                    'environment' % (call.where, masked_url(call.proxy), _proxy_variables(call)))
        if call.api:
            return 'lifetime_url %s is not an address that can be connected to: check its host name and port' % call.where
        return 'LifeTime handed out a link that is not a valid address: %s' % shown_url(call.target)

    def _status_error(self, call, response, attempt):
        status = response.status_code
        if 300 <= status < 400:
            return self._redirect_error(call, response, attempt)
        if status == 407:
            # Only a proxy answers 407: an http:// lifetime_url reached through one (an https:// one fails at the CONNECT).
            return LifeTimeTransportError(call.method, call.shown, reason=_proxy_reason(call, None, status=407), attempts=attempt,
                                          retryable=False, note=call.note)
        marks = proxy_marks(response) if call.proxy else None
        # Inside an HTTPS CONNECT tunnel the answer is LifeTime's (or a TLS-inspecting proxy's): the forward proxy only relays bytes.
        tunnelled = bool(call.proxy) and urlsplit(call.target).scheme.lower() == 'https'
        if call.proxy and not tunnelled and (marks or _html_page(response)):
            return self._proxy_answer_error(call, response, attempt, marks)
        error = error_for_status(status, invalid_state=call.invalid_state)
        note = call.note or self._stranger_note(call, response) or (_inspecting_proxy_note(call, marks) if marks else None)
        return error(call.method, call.shown, status=status, lifetime_message=self.scrub(lifetime_message(response)),
                     ambiguous=status >= 500 and call.method not in IDEMPOTENT_METHODS, attempts=attempt, note=note)

    def _proxy_answer_error(self, call, response, attempt, marks):
        status = response.status_code
        # A proxy's 5xx to a request it passed on (plain http) leaves open whether LifeTime got it.
        ambiguous = status >= 500 and call.method not in IDEMPOTENT_METHODS
        reason = _proxy_answer_reason(call, status, marks) if marks else _html_through_proxy_reason(call, status)
        if ambiguous:
            reason += '; LifeTime may or may not have carried out the request'
        # Not retryable: a download does not start over after the retries send() already made.
        return LifeTimeTransportError(call.method, call.shown, status=status, reason=self.scrub(reason), ambiguous=ambiguous,
                                      attempts=attempt, retryable=False, note=call.note)

    def _redirect_error(self, call, response, attempt):
        target = redirect_target(call.target, response)
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

    def _not_json(self, method, path, response):
        text = body_text(response).strip()
        reason = 'the body is not JSON: %r' % self.scrub(text[:200])
        if text.startswith('<') and not self._answered:
            reason += ('. Is lifetime_url the address of a LifeTime server? %s answered with an HTML page, like a web site, '
                       'not like the LifeTime API' % self.server)
        return LifeTimeResponseError(method, path, status=response.status_code, reason=reason)
