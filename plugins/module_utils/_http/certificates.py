# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the dates of a TLS certificate that verification refused for them.

Python's ssl says only "certificate has expired" or "certificate is not yet valid". After such a failure, and only
then, one more TLS handshake, without verification and without sending anything over it, fetches the server's
certificate, and its dates are read from the DER bytes here. A small DER reader rather than the ``cryptography``
package (which the host that runs the task may lack) or ssl's private ``_ssl._test_decode_cert`` (which wants a file
and may go away): the dates sit at a fixed place in every X.509 certificate.
"""

import datetime
import socket
import ssl

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.deadline import Deadline

# OpenSSL's verify codes (X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED), as ssl reports them.
NOT_YET_VALID = 'not yet valid'
EXPIRED = 'expired'
_VERIFY_CODES = {9: NOT_YET_VALID, 10: EXPIRED}


def out_of_dates(causes):
    """EXPIRED or NOT_YET_VALID when one of these exceptions is a certificate refused for its dates, else None."""
    for cause in causes:
        code = getattr(cause, 'verify_code', None)
        if code in _VERIFY_CODES:
            return _VERIFY_CODES[code]
    # Python without verify_code (or a wrapper that lost it): the exception's text, inspected, never shown.
    text = ' '.join(str(cause) for cause in causes).lower()
    if 'certificate has expired' in text:
        return EXPIRED
    if 'certificate is not yet valid' in text:
        return NOT_YET_VALID
    return None


class _Handshake:
    """What a Deadline watches: an object with a socket."""

    def __init__(self, sock):
        self.sock = sock


def peer_certificate(host, port, seconds):
    """The DER bytes of the certificate ``host:port`` presents, read without verifying it, within ``seconds``; None when that fails.

    Nothing is sent after the handshake: the connection is closed as soon as the certificate is read.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # A server that drips its handshake cannot hold the task: the deadline shuts the socket.
    deadline = Deadline(seconds)
    try:
        with socket.create_connection((host, port), timeout=seconds) as sock:
            with context.wrap_socket(sock, server_hostname=host, do_handshake_on_connect=False) as tls:
                deadline.watch(_Handshake(tls))
                tls.do_handshake()
                return tls.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return None
    finally:
        deadline.finish()


def _element(data, offset):
    """(tag, start, end) of the DER element at ``offset``: its tag, where its content starts and ends."""
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7f
        if not 0 < count <= 4:
            raise ValueError('unsupported DER length')
        length = int.from_bytes(data[offset:offset + count], 'big')
        offset += count
    end = offset + length
    if end > len(data):
        raise ValueError('DER element runs past the data')
    return tag, offset, end


def _moment(tag, text):
    """An X.509 time (UTCTime, tag 0x17, or GeneralizedTime, 0x18) as an aware datetime in UTC."""
    text = text.decode('ascii')
    if tag == 0x17:
        # RFC 5280: a two-digit year from 50 is 19xx, below 50 is 20xx.
        text = ('19' if int(text[:2]) >= 50 else '20') + text
    elif tag != 0x18:
        raise ValueError('not an X.509 time')
    return datetime.datetime.strptime(text, '%Y%m%d%H%M%SZ').replace(tzinfo=datetime.timezone.utc)


def validity(der):
    """(notBefore, notAfter) of a DER certificate as aware datetimes in UTC; None when the bytes are not a certificate."""
    try:
        dummy, start, dummy = _element(der, 0)              # Certificate
        dummy, position, dummy = _element(der, start)       # TBSCertificate
        tag, dummy, end = _element(der, position)
        if tag == 0xa0:                                     # [0] version, absent in version 1
            position = end
        for dummy in range(3):                              # serialNumber, signature, issuer
            position = _element(der, position)[2]
        tag, start, dummy = _element(der, position)         # validity
        if tag != 0x30:
            return None
        first, start, end = _element(der, start)
        not_before = _moment(first, der[start:end])
        second, start, end = _element(der, end)
        return not_before, _moment(second, der[start:end])
    except (IndexError, ValueError, TypeError, UnicodeDecodeError):
        return None
