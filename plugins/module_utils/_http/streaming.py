# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: package transfers, and how much of an answer is read.

An upload streams a file as the request body and hashes it on the way. A download follows a link LifeTime hands
out (redirects by hand, the token only while on lifetime_url's origin), streams it to a file next to dest and
renames that over dest only when complete and a package (a whole zip archive: not an empty answer, not an HTML page).
An API answer is read whole, but never more than MAX_JSON_BYTES
(MAX_ERROR_BYTES of an error). Each piece that moves restarts the request's deadline.
"""

import contextlib
import hashlib
import os
import signal
import tempfile
import threading

from urllib.parse import urljoin, urlsplit

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeAPIError,
    LifeTimeError,
    LifeTimeResponseError,
    LifeTimeTransportError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import (
    CHUNK,
    HEAD_BYTES,
    PACKAGE,
    check_dest,
    check_download,
    check_replaceable,
    describe_content,
    file_sha256,
    head_problem,
    regular_stat,
    replace_file,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.deadline import DeadlinePassed, keep_body, release
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.failures import (
    TRANSPORT_ERRORS,
    Call,
    content_length,
    failure_kind,
    redirect_target,
    seconds_text,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._http.options import origin_text, shown_url, url_origin

# A download link that answers one of these has expired (or was revoked): ask LifeTime for a new one.
EXPIRED_LINK_STATUSES = frozenset((403, 404, 410))
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# A download link is a DownloadLink object; a bare URL string is accepted too.
LINK_TYPES = (dict, str)

MIB = 1024 * 1024
# LifeTime's largest answers (every application with its modules) are a few MiB: a bigger one is not LifeTime talking.
MAX_JSON_BYTES = 64 * MIB
# Of an error answer only LifeTime's message is read.
MAX_ERROR_BYTES = 64 * 1024
# Answers are read in pieces of this size; a package transfer must move one every request_timeout seconds.
BODY_CHUNK = 64 * 1024
# Download links are followed through at most this many redirects (API calls through none).
MAX_LINK_REDIRECTS = 5
# Signals that end the process at once by default: the partial download is removed first.
_ENDING_SIGNALS = tuple(getattr(signal, name) for name in ('SIGTERM', 'SIGHUP') if hasattr(signal, name))
# A package is asked for as it is stored: a compressed answer's Content-Length would not be the size of the package.
LINK_HEADERS = {'Accept-Encoding': 'identity'}


def _size_text(size):
    return '%d MiB' % (size // MIB) if size % MIB == 0 else '%d bytes' % size


class HashingReader:
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


class Streaming:
    """Transport's package transfers and capped reads.

    Part of Transport (mixed in): uses its ``send()``, ``_key_of()``, ``same_origin()``, ``_backoff()``, ``_sleep``,
    ``retries``, ``timeout``, ``base_url``, ``origin``, ``max_json_bytes``, its token auths and the failure sentences.
    """

    def _read_body(self, call, response, deadline):
        """Read a whole answer into ``response`` (API answers are small): within the deadline and at most max_json_bytes.

        Of an error answer only the first MAX_ERROR_BYTES are kept, for LifeTime's message.
        """
        success = response.status_code in call.ok
        cap = self.max_json_bytes if success else MAX_ERROR_BYTES
        declared = content_length(response)
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
            raise DeadlinePassed()
        if success and size > cap:
            raise self._too_large(call, response, 'it went on past that')
        keep_body(response, b''.join(pieces))

    def _too_large(self, call, response, detail):
        reason = ('the answer is larger than %s, the most this collection reads from one API call (%s): LifeTime answers far less; '
                  'is lifetime_url the LifeTime API?' % (_size_text(self.max_json_bytes), detail))
        return LifeTimeResponseError(call.method, call.shown, status=response.status_code, reason=reason, note=call.note)

    def upload(self, path, src, content_type='application/octet-stream'):
        """POST a file as the raw request body, streamed in chunks; returns (key, sha256 hex, bytes sent)."""
        size = os.path.getsize(src)
        with open(src, 'rb') as handle:
            reader = HashingReader(handle, size)
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
            release(response)
            url = self._next_link(url, response)
        raise LifeTimeResponseError('GET', urlsplit(url).path, reason='the download link redirected more than %d times' % MAX_LINK_REDIRECTS)

    def _get_link(self, url, trusted):
        path = urlsplit(url).path
        ok = (200,) + REDIRECT_STATUSES
        if not trusted:
            note = ('The link points to %s, not to the address of lifetime_url (%s), so it was fetched without the token'
                    % (origin_text(url_origin(url)), origin_text(self.origin)))
            return self.send('GET', path, url=url, stream=True, ok=ok, auth=self._no_token, note=note, headers=LINK_HEADERS)
        try:
            return self.send('GET', path, url=url, stream=True, ok=ok, headers=LINK_HEADERS)
        except LifeTimeAPIError as exc:
            if exc.status != 401:
                raise
        # Links have been served to clients that send the token without the Bearer prefix.
        return self.send('GET', path, url=url, stream=True, ok=ok, auth=self._raw_token, headers=LINK_HEADERS)

    def _next_link(self, url, response):
        target = redirect_target(url, response)
        if target is None or url_origin(target) is None:
            raise LifeTimeResponseError('GET', urlsplit(url).path, status=response.status_code,
                                        reason='the download link redirects to %s, which is not an http(s) address'
                                        % (shown_url(target) if target else 'nowhere (no Location)'))
        return target

    def download(self, get_link, dest, force=False):
        """Download what a LifeTime link points at to ``dest``, atomically, in chunks.

        ``get_link`` is a callable returning a fresh link (a DownloadLink dict or a URL); it is
        called again once if the link has expired. The file is written next to ``dest`` and
        renamed over it only when complete and a zip archive, so a failure never leaves a half-written
        or fake ``dest``; an existing ``dest`` that is not a zip archive is replaced only with ``force``.
        A transfer that breaks or stalls starts over (up to ``retries`` times).
        Returns dict(sha256, size, changed): changed is False when ``dest`` already held the same bytes.
        """
        dest = check_dest(dest, writes=PACKAGE, force=force)
        directory = os.path.dirname(dest)
        # A task timeout ends the task, not this process: a new parent tells that the download is no one's any more.
        parent = os.getppid()
        link = self._link_url(get_link())
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._download_once(link, dest, directory, (force, parent))
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

    def _download_once(self, url, dest, directory, how):
        response = self._open_link(url)
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(dest), suffix='.part')
        except OSError as exc:
            release(response)
            raise _write_error(dest, exc)
        try:
            with _removed_when_terminated(tmp):
                with os.fdopen(fd, 'wb') as handle:
                    sha256, size = self._receive(url, response, handle, dest)
                problem = check_download(tmp, size, response.headers.get('Content-Type'))
                if problem:
                    # An SSO proxy's sign-in page answers 200 too: only a whole zip archive replaces dest.
                    raise _not_a_package(url, problem, dest, size)
                return _install(tmp, dest, sha256, size, how)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def _receive(self, url, response, handle, dest):
        """Write a streamed answer to ``handle``; returns (sha256, size).

        The deadline starts again with each piece: request_timeout bounds the wait for the answer and each
        stall of the transfer, not the transfer of a large package.
        """
        call = Call('GET', urlsplit(url).path, url, api=False)
        deadline = response.lifetime_deadline
        digest = hashlib.sha256()
        size = 0
        head = b''
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
                if len(head) < HEAD_BYTES:
                    head += piece[:HEAD_BYTES - len(head)]
                    _check_start(url, response, head, size, dest)
        finally:
            release(response)
        if deadline.fired:
            raise LifeTimeTransportError('GET', call.shown, reason='the download stalled: less than %d KiB arrived in request_timeout (%s) '
                                         'after %d bytes' % (BODY_CHUNK // 1024, seconds_text(self.timeout), size))
        declared = content_length(response)
        received = _wire_bytes(response, size)
        if declared is not None and declared != received:
            raise LifeTimeTransportError('GET', call.shown, reason='the download stopped after %d of %d bytes' % (received, declared))
        return digest.hexdigest(), size


def _wire_bytes(response, size):
    """How many bytes of the body came over the wire: Content-Length counts those, not the decoded ones.

    LifeTime is asked for the package as stored (LINK_HEADERS), but a proxy may compress it all the same; the
    transport then decodes it, and the size of the package is not the size that was announced.
    """
    encoding = (response.headers.get('Content-Encoding') or '').strip().lower()
    tell = getattr(getattr(response, 'raw', None), 'tell', None)
    if encoding in ('', 'identity') or not callable(tell):
        return size
    try:
        return int(tell())
    except (TypeError, ValueError, OSError):
        return size


def _check_start(url, response, head, size, dest):
    """Stop a download as soon as its first bytes show it is no package: an HTML page may announce gigabytes."""
    if len(head) < HEAD_BYTES:
        # Wait for more of the start; a short answer is checked whole once it has ended.
        return
    content_type = response.headers.get('Content-Type')
    problem = head_problem(head, content_type)
    if problem is None:
        return
    declared = content_length(response)
    if declared is not None and declared <= size:
        # It all arrived: nothing was stopped.
        size_text = None
    else:
        announced = '%d bytes announced' % declared if declared is not None else 'no length announced'
        size_text = '%s, stopped after %d' % (announced, size)
    what = describe_content(head, size, content_type, size_text=size_text)
    raise _not_a_package(url, '%s (%s)' % (problem, what), dest, size)


def _not_a_package(url, problem, dest, size):
    return LifeTimeError('The download from %s is not a package (a zip archive): it is %s; %s was left as it was.'
                         % (urlsplit(url).path, problem, dest), dest=dest, download_size=size)


@contextlib.contextmanager
def _removed_when_terminated(path):
    """Remove the partial file at ``path`` if the process is terminated (SIGTERM, SIGHUP: a cancelled job, a closed session) meanwhile.

    Without this, SIGTERM ends the process at once and the partial download stays next to dest. The handler is set only
    where nothing else handles SIGTERM (its default action, in the main thread: the module's own process); where a
    handler already exists (inside ansible-playbook, say) it is left alone, and the caller's finally removes the file on
    KeyboardInterrupt or SystemExit. The handler removes the file and ends the process by the same signal, as it would have.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handled = [signum for signum in _ENDING_SIGNALS if signal.getsignal(signum) is signal.SIG_DFL]

    def terminated(signum, _frame):
        try:
            os.unlink(path)
        except OSError:
            pass
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in handled:
        signal.signal(signum, terminated)
    try:
        yield
    finally:
        for signum in handled:
            signal.signal(signum, signal.SIG_DFL)


def _write(handle, piece, dest):
    try:
        handle.write(piece)
    except OSError as exc:
        raise _write_error(dest, exc)


def _write_error(dest, exc):
    return LifeTimeError('Could not write the download next to dest %s: %s.' % (dest, exc.strerror or exc), parameter='dest')


def _install(tmp, dest, sha256, size, how):
    """Move a complete download over dest (keeping its owner, group and mode), unless dest already holds the same bytes.

    ``how`` is (force, the parent process id at the start). What is at dest is checked again (it may have changed during
    the download): without force, only a package is replaced. A download whose task has ended (its parent changed: a task
    timeout leaves the module running) replaces nothing: the play has gone on, and a file appearing later would surprise it.
    """
    force, parent = how
    if os.getppid() != parent:
        raise LifeTimeError('The task that started the download to %s has ended (a task timeout?): the download was discarded and %s '
                            'was left as it was.' % (dest, dest), dest=dest, download_size=size)
    existing = regular_stat(dest)
    if existing is not None and existing.st_size == size and file_sha256(dest) == sha256:
        return dict(sha256=sha256, size=size, changed=False)
    if not force:
        check_replaceable(dest, PACKAGE)
    try:
        replace_file(tmp, dest)
    except OSError as exc:
        raise _write_error(dest, exc)
    return dict(sha256=sha256, size=size, changed=True)
