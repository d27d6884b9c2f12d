# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The dates of a certificate refused for them (plugins/module_utils/_http/certificates.py): the DER reader, against
certificates the cryptography package writes, and against bytes that are not a certificate; the handshake that
fetches a certificate, against a server that never finishes it."""

import datetime
import socket
import ssl
import threading
import time

import pytest

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.certificates import (
    EXPIRED,
    NOT_YET_VALID,
    out_of_dates,
    peer_certificate,
    validity,
)
from tests import hostile_server as hs


def _der(tmp_path, not_before, not_after):
    dummy, cert_path, dummy = hs.write_ca_and_certificate(str(tmp_path), certificate=(not_before, not_after))
    with open(cert_path) as handle:
        return ssl.PEM_cert_to_DER_cert(handle.read())


def _utc(*fields):
    return datetime.datetime(*fields, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize('not_before, not_after', [
    (_utc(2020, 1, 2, 3, 4, 5), _utc(2021, 6, 7, 8, 9, 10)),      # UTCTime, both
    (_utc(1999, 12, 31, 23, 59, 59), _utc(2049, 12, 31, 0, 0, 0)),  # UTCTime: 99 is 1999, 49 is 2049
    (_utc(2040, 1, 1, 0, 0, 0), _utc(2060, 2, 29, 12, 0, 0)),      # UTCTime, then GeneralizedTime from 2050
    (_utc(1950, 1, 1, 0, 0, 0), _utc(2100, 1, 1, 0, 0, 0)),        # UTCTime 50 is 1950
], ids=['utc-times', 'utc-century-pivot', 'generalized-after-2050', 'utc-1950'])
def test_the_dates_of_a_certificate_are_read_from_its_der_bytes(tmp_path, not_before, not_after):
    assert validity(_der(tmp_path, not_before, not_after)) == (not_before, not_after)


@pytest.mark.parametrize('data', [b'', b'\x30', b'\x30\x82\xff\xff', b'\x30\x85\x01\x02\x03\x04\x05\x00', b'\x00' * 64,
                                  b'-----BEGIN CERTIFICATE-----', b'\x30\x03\x30\x01\x02'],
                         ids=['empty', 'one-byte', 'length-past-the-end', 'length-too-long', 'zeros', 'pem-text', 'tbs-truncated'])
def test_bytes_that_are_not_a_certificate_give_no_dates(data):
    assert validity(data) is None


def test_a_certificate_cut_short_gives_no_dates(tmp_path):
    der = _der(tmp_path, _utc(2020, 1, 1), _utc(2021, 1, 1))
    assert [validity(der[:cut]) for cut in (10, 40, 100)] == [None, None, None]


def test_a_verification_failure_for_dates_is_told_apart_from_others():
    expired = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired')
    expired.verify_code = 10
    early = ssl.SSLCertVerificationError(1, 'certificate verify failed: certificate is not yet valid')
    other = ssl.SSLCertVerificationError(1, 'certificate verify failed: unable to get local issuer certificate')
    other.verify_code = 20

    assert out_of_dates([ValueError('wrapper'), expired]) == EXPIRED
    assert out_of_dates([early]) == NOT_YET_VALID
    assert out_of_dates([other]) is None


def test_a_server_that_never_finishes_the_handshake_cannot_hold_the_fetch():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(1)
    held = []

    def accept_and_say_nothing():
        connection, dummy = listener.accept()
        held.append(connection)

    threading.Thread(target=accept_and_say_nothing, daemon=True).start()
    started = time.monotonic()
    try:
        assert peer_certificate('127.0.0.1', listener.getsockname()[1], 1) is None
    finally:
        for connection in held:
            connection.close()
        listener.close()
    assert time.monotonic() - started < 5


def test_nothing_listening_gives_no_certificate():
    probe = socket.socket()
    probe.bind(('127.0.0.1', 0))
    port = probe.getsockname()[1]
    probe.close()
    assert peer_certificate('127.0.0.1', port, 1) is None
