# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what GET requests reveal about a LifeTime (the doctor never sends anything else).

An answer's status is a finding here, not a failure: LifeTime's 401, 403, 404 and 405 are read and told as a verdict.
Features are told by the answer of a route that exists only when LifeTime has them (tests/simulator/README.md, "Older
LifeTime"): GET .../getmissingdbmappings/ answers 405 on a LifeTime before 11.21.1, whose routing knows only the POST
command route there.
"""

import email.utils
import json
import time

from urllib.parse import quote

from ansible_collections.outsystems.lifetime.plugins.module_utils._http.failures import body_text

# Every status a probe may read as a finding; anything else (5xx after retries, no answer) is a LifeTimeAPIError.
READ_STATUSES = (200, 204, 400, 401, 403, 404, 405, 410)
# A key no LifeTime object has: a probe that needs a key but must not touch anything real.
NO_KEY = '00000000-0000-0000-0000-000000000000'
NOT_JSON = object()


class Answer:
    """One GET's status, JSON body (None when empty, NOT_JSON when it is not JSON) and headers."""

    def __init__(self, status, body, headers):
        self.status = status
        self.body = body
        self.headers = headers

    def records(self):
        """The body as a list of records ([] for 204 or anything that is not a list of objects)."""
        if isinstance(self.body, list):
            return [item for item in self.body if isinstance(item, dict)]
        return []


class Reader:
    """GET requests through the collection's client, whatever LifeTime answers; remembers each answer's Date."""

    def __init__(self, client, clock=time.time):
        self.client = client
        self.clock = clock
        # (controller's moment halfway through the request, LifeTime's Date header as seconds)
        self.dates = []
        # {route as the API definition names it: [statuses]}, for the support file (no key in it)
        self.statuses = {}

    def get(self, route, path, params=None):
        before = self.clock()
        response = self.client.send('GET', path, params=params, ok=READ_STATUSES)
        after = self.clock()
        self._date(response.headers.get('Date'), (before + after) / 2.0)
        self.statuses.setdefault('GET ' + route, []).append(response.status_code)
        body = None
        # 400's body too: LifeTime's is a JSON object (Errors, StatusCode), a gateway's or a sign-in page's often is not.
        text = body_text(response).strip() if response.status_code in (200, 201, 400) else ''
        if text:
            try:
                body = json.loads(text)
            except ValueError:
                body = NOT_JSON
        return Answer(response.status_code, body, response.headers)

    def _date(self, header, moment):
        if not header:
            return
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return
        if parsed is not None and parsed.tzinfo is not None:
            self.dates.append((moment, parsed.timestamp()))

    def clock_skew(self):
        """LifeTime's clock minus the controller's, in seconds (the median of the answers' Date headers); None without one."""
        if not self.dates:
            return None
        skews = sorted(server - local for local, server in self.dates)
        return skews[len(skews) // 2]


def segment(value):
    """One URL path segment, escaped."""
    return quote(str(value), safe='')


def feature_answer(answer, fits, present=(200, 204, 400), absent=(404, 405)):
    """'present', 'absent', 'forbidden' or 'unknown' from a probe's answer. A status that tells presence counts only with the
    body LifeTime gives there (``fits(body)`` for 200, a JSON object for 400): a catch-all proxy or a sign-in page answering
    200 to every GET is not the feature."""
    status = answer.status
    if status in present:
        if status == 200 and (answer.body is NOT_JSON or not fits(answer.body)):
            return 'unknown'
        if status == 400 and not isinstance(answer.body, dict):
            return 'unknown'
        return 'present'
    if status in absent:
        return 'absent'
    if status == 403:
        return 'forbidden'
    return 'unknown'


def body_words(body):
    """What an answer's body is, in a few words."""
    if body is NOT_JSON:
        return 'something that is not JSON'
    if body is None:
        return 'an empty body'
    if isinstance(body, list):
        return 'a list of %d' % len(body) if body else 'an empty list'
    if isinstance(body, dict):
        return 'an object with %s' % (', '.join(sorted(str(key) for key in body)[:5]) or 'no field')
    return 'a JSON %s' % type(body).__name__
