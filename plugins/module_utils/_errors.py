# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the one exception hierarchy of the outsystems.lifetime collection.

Every failure a module reports is a LifeTimeError carrying a plain sentence
(``message``) and optional extra result fields (``details``). API failures also
carry the request method, the API path, the HTTP status and LifeTime's own
message. Nothing here depends on requests, so every module_utils file can
raise and catch these.
"""

HTTP_REASONS = {
    301: 'Moved Permanently',
    302: 'Found',
    303: 'See Other',
    304: 'Not Modified',
    307: 'Temporary Redirect',
    308: 'Permanent Redirect',
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    409: 'Conflict',
    410: 'Gone',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
}

# A value echoed in a message (a name, a reason, a note, a log line) keeps this many characters; a whole message this many.
ECHOED = 200
MESSAGE = 4000


def bounded(value, limit=ECHOED):
    """The text of ``value`` for a message: whole when short, else its start, an ellipsis and how many characters were left out."""
    text = str(value)
    if len(text) <= limit:
        return text
    return '%s... (%d more characters)' % (text[:limit], len(text) - limit)


def _bounded_message(message):
    """A message as a result's msg carries it: a very long one keeps its start and its end (where the hint is)."""
    text = str(message)
    if len(text) <= MESSAGE:
        return text
    tail = MESSAGE // 4
    return '%s ... (%d characters left out) ... %s' % (text[:MESSAGE - tail], len(text) - MESSAGE, text[-tail:])


class LifeTimeError(Exception):
    """A failure to report to the user as one plain sentence."""

    def __init__(self, message, **details):
        message = _bounded_message(message)
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self):
        return self.message

    def result(self):
        """Extra fields for fail_json besides msg."""
        return dict(self.details)


class LifeTimeUsageError(LifeTimeError):
    """The task's own parameters are wrong; found before anything was written."""


class LifeTimeLookupError(LifeTimeError):
    """A name or key given by the user matches nothing, or more than one thing, in LifeTime."""


class LifeTimeTimeoutError(LifeTimeError):
    """A wait ran out of time; details carry the last state seen."""


class LifeTimeAPIError(LifeTimeError):
    """LifeTime answered with an error, or could not be reached.

    ``ambiguous`` is True when a non-idempotent request (POST, PUT) may have been
    carried out by LifeTime although its answer was lost: callers must find out
    rather than send it again. ``note`` is a last sentence about the circumstances
    (for example that a download link pointed to another server). ``operation``
    says, in LifeTime's names, what the request was for ("tag EmployeeBackoffice
    in Development"); the client sets it with ``about``.
    """

    summary = 'LifeTime answered with an error'

    def __init__(self, method, path, status=None, lifetime_message=None, reason=None, ambiguous=False, attempts=1, note=None):
        self.method = method
        self.path = path
        self.status = status
        self.lifetime_message = lifetime_message
        self.reason = reason
        self.ambiguous = ambiguous
        self.attempts = attempts
        self.note = note
        self.operation = None
        super().__init__(self._sentence())

    def about(self, operation):
        """The same failure, its sentence naming what the request was for; returns self to be raised again."""
        self.operation = operation
        self.message = _bounded_message(self._sentence())
        self.args = (self.message,)
        return self

    def _status_text(self):
        if self.status is None:
            return ''
        return ('%s %s' % (self.status, HTTP_REASONS.get(self.status, ''))).rstrip()

    def _sentence(self):
        parts = ['%s (%s %s' % (self.summary, self.method, self.path)]
        status = self._status_text()
        if status:
            parts.append(': %s' % status)
        parts.append(')')
        text = ''.join(parts)
        if self.lifetime_message:
            text += ': %s' % self.lifetime_message.rstrip('.')
        elif self.reason:
            text += ': %s' % self.reason.rstrip('.')
        if self.attempts > 1:
            text += ' (after %d attempts)' % self.attempts
        for extra in (self.hint(), self.note):
            if extra:
                text = _full_stop(text) + ' ' + extra
        return _full_stop(text)

    def hint(self):
        return ''

    def result(self):
        result = dict(self.details)
        result['api_error'] = {
            'method': self.method,
            'path': self.path,
            'status': self.status,
            'lifetime_message': self.lifetime_message,
        }
        return result


class LifeTimeBadRequestError(LifeTimeAPIError):
    summary = 'LifeTime refused the request'


class LifeTimeInvalidStateError(LifeTimeBadRequestError):
    """400 on a command or delete: the object is not in a state that allows it."""

    summary = 'LifeTime cannot do this in the current state'


class LifeTimeAuthenticationError(LifeTimeAPIError):
    summary = 'LifeTime rejected the token'

    def hint(self):
        return 'Check lifetime_token (or LIFETIME_TOKEN): it must be a valid, unexpired LifeTime service account token'


class LifeTimePermissionError(LifeTimeAPIError):
    summary = 'The LifeTime service account is not allowed to do this'

    def _sentence(self):
        if not self.operation:
            return super()._sentence()
        # Which application and environment, first: the key paths alone do not tell an operator whose permission is missing.
        why = (self.lifetime_message or self.reason or 'no reason given').rstrip('.')
        text = 'LifeTime refused (%s) to %s: %s' % (self._status_text(), self.operation, why)
        return _full_stop(_full_stop(text) + ' The service account of lifetime_token is not allowed to do this (%s %s). %s'
                          % (self.method, self.path, self.hint()))

    def hint(self):
        if self.operation:
            return 'Grant it a role that may, in LifeTime (User Management > Service Accounts), or use the token of one that may'
        return 'Grant the service account a role with this permission in LifeTime (User Management > Service Accounts)'


class LifeTimeNotFoundError(LifeTimeAPIError):
    summary = 'LifeTime could not find it'


class LifeTimeServerError(LifeTimeAPIError):
    summary = 'LifeTime failed'


class LifeTimeTransportError(LifeTimeAPIError):
    """No complete answer: the connection failed, broke or ran out of time.

    ``retryable`` is False when trying again cannot help (an address or a header that cannot be sent,
    a TLS failure): a download does not start over then.
    """

    summary = 'Could not talk to LifeTime'

    def __init__(self, method, path, retryable=True, **kwargs):
        self.retryable = retryable
        super().__init__(method, path, **kwargs)


class LifeTimeResponseError(LifeTimeAPIError):
    summary = 'LifeTime answered with something that is not what the API documents'


def _full_stop(text):
    """The text ending with one full stop, or with its question mark."""
    text = text.rstrip('.')
    return text if text.endswith('?') else text + '.'


_BY_STATUS = {
    400: LifeTimeBadRequestError,
    401: LifeTimeAuthenticationError,
    403: LifeTimePermissionError,
    404: LifeTimeNotFoundError,
    410: LifeTimeNotFoundError,
}


def error_for_status(status, invalid_state=False):
    """The exception class for an HTTP error status."""
    if status == 400 and invalid_state:
        return LifeTimeInvalidStateError
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500 or status == 429:
        return LifeTimeServerError
    return LifeTimeBadRequestError
