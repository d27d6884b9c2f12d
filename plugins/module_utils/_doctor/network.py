# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the proxy requests would use for LifeTime, and LifeTime's TLS certificate.

The certificate is read by a TLS handshake alone with lifetime_url's own host and port (through the proxy's CONNECT
tunnel when one is in use): no HTTP request is sent on that connection, so the token never travels on it. The chain
is verified against what the collection's requests verify it against (ca_path, else REQUESTS_CA_BUNDLE or
CURL_CA_BUNDLE, else requests' own bundle), so the verdict is the one the API calls get.
"""

import base64
import calendar
import datetime
import http.client
import os
import socket
import ssl
import time

from urllib.parse import unquote, urlsplit, urlunsplit

try:
    import requests
    import requests.certs
    import requests.utils
except ImportError:  # pragma: no cover - the module fails earlier with missing_required_lib
    requests = None

try:
    from cryptography import x509
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - only the dates of a certificate that does not verify need it
    x509 = None
    HAS_CRYPTOGRAPHY = False

DAY = 86400.0
TRUST_CA_PATH = 'ca_path'
TRUST_ENVIRONMENT = 'the CA bundle named by REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE'
TRUST_DEFAULT = "requests' CA bundle"
TRUST_NONE = 'nothing (validate_certs is false)'
# OpenSSL's verify codes of a certificate outside its dates (X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED).
NOT_YET_VALID = 9
EXPIRED = 10


def proxy_for(url):
    """The proxy requests would use for url from the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY), or None."""
    if requests is None:
        return None
    proxies = requests.utils.get_environ_proxies(url)
    return requests.utils.select_proxy(url, proxies) or None


def masked_proxy(proxy):
    """A proxy URL with its user name and password replaced by ***."""
    parts = urlsplit(proxy if '://' in proxy else 'http://' + proxy)
    netloc = parts.netloc.rpartition('@')[2]
    if parts.username or parts.password:
        netloc = '***@' + netloc
    return urlunsplit((parts.scheme, netloc, parts.path, '', ''))


def proxy_unreachable(proxy, timeout):
    """Why a TCP connection to the proxy fails, in a few words; None when it accepts one (nothing is sent on it)."""
    parts = urlsplit(proxy if '://' in proxy else 'http://' + proxy)
    try:
        port = parts.port or (443 if parts.scheme == 'https' else 80)
        connection = socket.create_connection((parts.hostname, port), timeout=timeout)
    except (OSError, ValueError) as exc:
        return _connection_error(exc) if isinstance(exc, OSError) else str(exc)
    connection.close()
    return None


def trust_of(params, ca_path):
    """(what the chain is verified against, in words; cafile; capath) as the collection's requests verify it."""
    if not params.get('validate_certs', True):
        return TRUST_NONE, None, None
    if ca_path:
        bundle, kind = ca_path, TRUST_CA_PATH
    else:
        # requests lets these variables replace its bundle when verify is True (Transport passes them on the same way).
        bundle = os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE')
        kind = TRUST_ENVIRONMENT
        if not bundle:
            bundle, kind = requests.certs.where(), TRUST_DEFAULT
    if os.path.isdir(bundle):
        return kind, None, bundle
    return kind, bundle, None


class Certificate:
    """What a handshake showed: verified or not (and why), the protocol, the certificate's dates and whether it signs itself."""

    def __init__(self):
        self.verified = False
        self.failure = None
        self.verify_code = None
        self.protocol = None
        self.not_before = None
        self.not_after = None
        self.self_signed = None
        self.error = None

    def days_left(self, now=None):
        if self.not_after is None:
            return None
        return int((self.not_after - (now if now is not None else time.time())) // DAY)


def _connection(host, port, context, proxy, timeout):
    if not proxy:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
    parts = urlsplit(proxy if '://' in proxy else 'http://' + proxy)
    connection = http.client.HTTPSConnection(parts.hostname, parts.port or 80, timeout=timeout, context=context)
    headers = {}
    if parts.username:
        credentials = '%s:%s' % (unquote(parts.username), unquote(parts.password or ''))
        headers['Proxy-Authorization'] = 'Basic ' + base64.b64encode(credentials.encode('utf-8')).decode('ascii')
    connection.set_tunnel(host, port, headers=headers)
    return connection


def _handshake(host, port, context, proxy, timeout):
    """(certificate as a dict, as DER bytes, protocol) after a TLS handshake; the connection is closed before any request."""
    connection = _connection(host, port, context, proxy, timeout)
    try:
        connection.connect()
        sock = connection.sock
        return sock.getpeercert(), sock.getpeercert(binary_form=True), sock.version()
    finally:
        connection.close()


def _dates_of(certificate, found):
    """The certificate's validity and issuer read from the dict of a verified handshake."""
    found.not_before = ssl.cert_time_to_seconds(certificate['notBefore'])
    found.not_after = ssl.cert_time_to_seconds(certificate['notAfter'])
    found.self_signed = certificate.get('issuer') == certificate.get('subject')


def _dates_of_der(der, found):
    """The same from the DER bytes of a certificate that was not verified; left unknown without the cryptography library."""
    if not HAS_CRYPTOGRAPHY or not der:
        return
    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        return
    after = getattr(certificate, 'not_valid_after_utc', None) or certificate.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    before = getattr(certificate, 'not_valid_before_utc', None) or certificate.not_valid_before.replace(tzinfo=datetime.timezone.utc)
    found.not_after = calendar.timegm(after.utctimetuple())
    found.not_before = calendar.timegm(before.utctimetuple())
    found.self_signed = certificate.issuer == certificate.subject


def inspect_certificate(host, port, cafile, capath, verify, proxy, timeout):
    """A Certificate: verified against cafile/capath when ``verify``; read without verification otherwise or when that fails."""
    found = Certificate()
    if verify:
        context = ssl.create_default_context(cafile=cafile, capath=capath)
        try:
            certificate, dummy, found.protocol = _handshake(host, port, context, proxy, timeout)
            found.verified = True
            _dates_of(certificate, found)
            return found
        except ssl.SSLCertVerificationError as exc:
            found.failure = exc.verify_message or str(exc)
            found.verify_code = exc.verify_code
        except ssl.CertificateError as exc:
            found.failure = str(exc)
        except (OSError, http.client.HTTPException) as exc:
            found.error = _connection_error(exc)
            return found
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        dummy, der, found.protocol = _handshake(host, port, context, proxy, timeout)
        _dates_of_der(der, found)
    except (OSError, http.client.HTTPException) as exc:
        found.error = _connection_error(exc)
    return found


def _connection_error(exc):
    """A failed connection in a few words."""
    if isinstance(exc, socket.timeout):
        return 'no answer within the request timeout'
    if isinstance(exc, socket.gaierror):
        return 'the host name does not resolve (%s)' % (exc.strerror or exc)
    if isinstance(exc, ssl.SSLError):
        return 'the TLS handshake failed (%s)' % (exc.reason or exc)
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def utc_date(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime('%Y-%m-%d')
