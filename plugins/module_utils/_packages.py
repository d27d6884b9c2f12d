# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: a package LifeTime builds on request, downloaded to dest (a solution, a source code package).

Both follow one flow: request the package (one POST), follow its status until it is final, stop when it failed,
stream it to dest, say whether dest changed, and show dest before and after for a diff. What differs between them
(the requests, which statuses are final, what a failure is, the words) is a ``Package``'s.
"""

import os
import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import dest_state
from ansible_collections.outsystems.lifetime.plugins.module_utils._waiter import StatusTrail, Waiter


def status_of(record):
    """The Status of a package's status record, as LifeTime wrote it."""
    return str((record or {}).get('Status') or '')


class Package:
    """What one kind of package says and asks; subclasses give the requests, the final statuses and the words.

    ``label`` names it in progress lines, ``key_field`` is the result (and failure) field of its key, ``hint`` is what
    a timeout leaves behind.
    """

    label = 'package'
    key_field = 'package_key'
    hint = ''

    def request(self, task):
        """POST the request; returns (key, the record of the answer when it is a status, else None)."""
        raise NotImplementedError

    def package_status(self, client, key):
        """The package's status record."""
        raise NotImplementedError

    def package_link(self, client, key):
        """The package's download link."""
        raise NotImplementedError

    def is_final(self, record):
        """Whether the wait ends at this status record."""
        raise NotImplementedError

    def failure(self, record, key):
        """None for a package to download, else (the sentence of the failure, its fields besides the key and history)."""
        raise NotImplementedError

    def waiting_for(self, key):
        """What the wait is for, in a timeout's sentence."""
        raise NotImplementedError

    def would(self):
        """What check mode would ask LifeTime for, after 'would'."""
        raise NotImplementedError

    def requested(self, key):
        """The progress line once the package is requested."""
        raise NotImplementedError

    def downloaded(self, key, size):
        """The message when dest changed."""
        raise NotImplementedError

    def unchanged(self, key):
        """The message when dest already held the same package."""
        raise NotImplementedError

    def results_of(self, record):
        """The result's fields that come from the last status record (none unless a kind says otherwise)."""
        return {}


def check_mode_result(result, package, dest):
    """What check mode says: dest changes when it does not exist; whether an existing one differs needs the download."""
    exists = os.path.exists(dest)
    result.update(changed=not exists)
    result[package.key_field] = None
    result['status_history'] = []
    result.update(package.results_of(None))
    result['msg'] = 'Check mode: would %s and download it to %s%s.' % (
        package.would(), dest, '' if not exists else ' (it exists; whether it differs is only known by downloading)')
    return result


def _wait(task, package, key, first):
    """Follow the package's status until it is final; returns (last record, the statuses seen).

    Every status seen, unknown ones too, is in the history; a timeout names the last one.
    """
    history = StatusTrail(task, package.label, key)
    history(first)
    client = task.client
    waiter = Waiter(fetch=lambda: package.package_status(client, key),
                    done=package.is_final,
                    on_poll=history, timeout=task.params['wait_timeout'],
                    what=package.waiting_for(key),
                    describe=lambda record: status_of(record) or 'no status',
                    hint=package.hint,
                    details=lambda: {package.key_field: key, 'status_history': history.seen})
    return waiter.wait(initial_state=first).state, history.seen


def request_and_download(task, package, dest, result, began):
    """Request the package, wait for it, download it to dest; ``result`` gets the key, the statuses, what changed and the diff.

    A failed package raises LifeTimeError and leaves dest as it was. ``began`` (time.monotonic()) is when the task began.
    """
    before = dest_state(dest) if task.diff else None
    client = task.client
    key, first = package.request(task)
    task.progress(package.requested(key))
    record, history = _wait(task, package, key, first)
    result[package.key_field] = key
    result['status_history'] = history
    result.update(package.results_of(record))
    failure = package.failure(record, key)
    if failure is not None:
        sentence, fields = failure
        details = {package.key_field: key, 'status_history': history}
        details.update(fields)
        details['duration'] = round(time.monotonic() - began, 3)
        raise LifeTimeError(sentence, **details)
    outcome = client.download(lambda: package.package_link(client, key), dest, force=task.params.get('force'))
    result.update(changed=outcome['changed'], checksum=outcome['sha256'], size=outcome['size'], duration=round(time.monotonic() - began, 3))
    result['msg'] = package.downloaded(key, outcome['size']) if outcome['changed'] else package.unchanged(key)
    if task.diff:
        result['diff'] = dict(before=before, after=dict(path=dest, checksum=outcome['sha256'], size=outcome['size']),
                              before_header='%s (before)' % dest, after_header='%s (after)' % dest)
    return result
