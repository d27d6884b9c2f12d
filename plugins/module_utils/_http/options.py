# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the connection options checked and normalised before any request is sent.

lifetime_url, lifetime_token, ca_path and request_timeout, each refused with a sentence naming the option; and
the URL helpers that decide where a request goes (origins) and how an address is shown (never with credentials).
"""

import importlib.util
import os
import re
import ssl

from urllib.parse import urlsplit, urlunsplit

try:
    import requests
except ImportError:  # pragma: no cover - exercised by the sanity import test
    requests = None

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeUsageError

API_PATH = '/lifetimeapi/rest/v2'
# LifeTime has been seen answering under this older base path too.
ALTERNATE_API_PATHS = ('/lifetime/rest/v2',)
DEFAULT_PORTS = {'http': 80, 'https': 443}

CONNECT_TIMEOUT = 10.0
MAX_REQUEST_TIMEOUT = 86400.0

# A user name and password in a URL: everything between // and the last @ before the query.
_USERINFO = re.compile(r'^([^:/?#]+:)?//[^?#]*@')


def redact_url(url):
    """A URL as a message may show it: without user name and password."""
    return _USERINFO.sub(r'\1//', str(url))


def masked_url(url, limit=200):
    """A proxy's address for a message: ``http://user:***@proxy:3128``, its password (or a user name alone) masked, no path."""
    text = str(url)
    scheme, separator, rest = text.partition('://')
    if not separator:
        # Shown as written: requests takes it as http://, unless a password in it reads as a scheme (proxy_url_problem).
        scheme, rest = '', text
    # The last @ ends the user name and password even past a / ? or # (an unencoded one in a password): masking too much beats showing it.
    userinfo, at, host = rest.rpartition('@')
    host = re.split(r'[/?#]', host, 1)[0]
    authority = host
    if at:
        user, colon, dummy = userinfo.partition(':')
        authority = '%s@%s' % (user + ':***' if colon and user else '***', host)
    text = ''.join(char if char.isprintable() else '?' for char in ('%s://%s' % (scheme, authority) if separator else authority))
    return text if len(text) <= limit else text[:limit] + '...'


# The schemes requests takes for a proxy; socks ones only with PySocks installed.
PROXY_SCHEMES = ('http', 'https')
SOCKS_SCHEMES = ('socks4', 'socks4a', 'socks5', 'socks5h')


def proxy_url_problem(url):
    """What makes a proxy address (from HTTPS_PROXY, HTTP_PROXY...) one requests cannot use, in words; None when it can be tried."""
    # Not stripped: urllib3 2 refuses even a trailing space or line break.
    text = str(url)
    scheme, separator, rest = text.partition('://')
    if not separator:
        if ':' in text.rpartition('@')[0]:
            # requests reads "user:password@host" as the scheme "user": it refuses the address as malformed.
            return 'has no scheme, and requests needs one before a user name and password; write it as http://user:password@proxy.example.com:3128'
        # requests takes an address without a scheme as http://.
        scheme, rest = 'http', text
    scheme = scheme.lower()
    if scheme in SOCKS_SCHEMES and importlib.util.find_spec('socks') is None:
        return ("is a SOCKS proxy, and a SOCKS proxy needs the PySocks package on the host that runs the task: install it there "
                "(pip install 'requests[socks]'), or give the address of an http:// proxy")
    host = re.split(r'[/?#]', rest.rpartition('@')[2], 1)[0]
    if any(char.isspace() or not char.isprintable() for char in scheme + host):
        return 'is not a URL: it has white space in its scheme, host or port; write it as http://user:password@proxy.example.com:3128'
    if scheme not in PROXY_SCHEMES + SOCKS_SCHEMES:
        return 'is not a proxy URL requests can use (its scheme is not http:// or https://); write it as http://proxy.example.com:3128'
    try:
        parts = urlsplit('%s://%s' % (scheme, host))
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if parts is None or port == 0:
        return 'is not a URL (check its port, and the brackets around an IPv6 address); write it as http://proxy.example.com:3128'
    if not parts.hostname:
        return 'has no host name; write it as http://proxy.example.com:3128'
    return None


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
        raise LifeTimeUsageError('lifetime_url is %s: set the option lifetime_url or the environment variable LIFETIME_URL (in the task\'s '
                                 'environment) to the address of your LifeTime server, for example https://lifetime.example.com.'
                                 % ('not set' if url is None else 'empty'), parameter='lifetime_url')
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
    # urllib3 2 refuses white space in a host name; urllib3 1.26 (with requests 2.25) lets it through to the name lookup.
    if any(char.isspace() for char in parts.hostname):
        raise refuse('has white space in its host name: write it as https://lifetime.example.com')
    try:
        parts.hostname.encode('idna')
    except UnicodeError:
        raise refuse('has a host name that is not valid (an empty part between dots, or a part longer than 63 characters)')
    return parts


def check_requests_accepts(base_url, url):
    """Refuse, naming lifetime_url, an API base URL that requests cannot prepare a request for (``url`` is what the user wrote)."""
    try:
        requests.PreparedRequest().prepare_url(base_url, None)
    except (requests.exceptions.RequestException, ValueError):
        raise LifeTimeUsageError('lifetime_url %s is not a valid address: check its host name (letters, digits, dots and hyphens) '
                                 'and port.' % shown_url(str(url).strip()), parameter='lifetime_url')


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
        raise LifeTimeUsageError('lifetime_token is %s: set the option lifetime_token or the environment variable LIFETIME_TOKEN (in the '
                                 'task\'s environment) to a LifeTime service account token.' % ('not set' if token is None else 'empty'),
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
