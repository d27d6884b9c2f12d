# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: what lifetime_solution does.

A solution is a package (.osp) of several applications as they run in one
environment, built by LifeTime on request: create it, follow its
status to Completed or Aborted, ask for its download link and stream the file
to dest. Everything the user gave is checked before the one POST.

Completed and Aborted are the only statuses seed 003 calls final; every other
one, documented (Gathering Dependencies...), seen in the wild (Created, Ready)
or not known at all (Queued, say), is waited on until wait_timeout.
"""

import os
import time

from ansible_collections.outsystems.lifetime.plugins.module_utils._files import check_dest, file_sha256
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import (
    LifeTimeError,
    LifeTimeLookupError,
    LifeTimeUsageError,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._waiter import StatusTrail, Waiter
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

COMPLETED = 'completed'
ABORTED = 'aborted'
# The final statuses (seed 003), compared without regard to case; anything else is waited on.
DONE = frozenset((COMPLETED, ABORTED))


def status_of(status):
    """The Status of a SolutionStatus record, as LifeTime wrote it."""
    return str((status or {}).get('Status') or '')


def solution_name(params, dest):
    """The name given, or the file name of dest without its extension."""
    name = (params.get('name') or '').strip()
    if name:
        return name
    return os.path.splitext(os.path.basename(dest))[0] or 'solution'


class SolutionRequest:
    """The task resolved against LifeTime: the environment and the applications it runs."""

    def __init__(self, task):
        params = task.params
        resolver = task.resolver
        self.dest = check_dest(params['dest'])
        refs = params['applications'] or []
        if not refs:
            raise LifeTimeUsageError('applications is empty: list the applications (names or keys) to put in the solution.',
                                     parameter='applications')
        self.environment = resolver.environment(params['environment'], 'environment')
        self.applications = []
        self.statuses = []
        for index, ref in enumerate(refs):
            application = resolver.application(ref, 'applications[%d]' % index)
            if any(same_key(application['Key'], earlier['Key']) for earlier in self.applications):
                raise LifeTimeUsageError('applications lists %s twice.' % application['Name'], parameter='applications')
            status = resolver.status_in(application, self.environment)
            if status is None:
                raise LifeTimeLookupError('Application %s does not run in %s (applications[%d]): a solution packages what runs in '
                                          'environment.' % (application['Name'], self.environment['Name'], index),
                                          parameter='applications[%d]' % index)
            self.applications.append(application)
            self.statuses.append(status)
        self.name = solution_name(params, self.dest)
        self.include_references = params['include_references']

    def keys(self):
        return [application['Key'] for application in self.applications]

    def summary(self):
        return ', '.join(application['Name'] for application in self.applications)

    def applications_result(self, resolver):
        """Each application with the version its environment runs (the base version when it is modified)."""
        items = []
        for application, status in zip(self.applications, self.statuses):
            running = resolver.running_version(application, self.environment) if status.get('BaseApplicationVersionKey') else None
            items.append(dict(name=application['Name'], key=application['Key'], version=(running or {}).get('Version'),
                              version_key=status.get('BaseApplicationVersionKey'), is_modified=bool(status.get('IsModified'))))
        return items


def _create(task, request):
    """POST the solution. LifeTime cannot list solutions, so a lost answer is sent again once: a second solution is a harmless duplicate package."""
    client = task.client
    return send_once(lambda: client.create_solution(request.environment['Key'], request.name, request.keys(), request.include_references),
                     lambda: None, 'the request that creates solution %s' % request.name, resend=True, progress=task.progress)


def _wait(task, request, key):
    """Follow the solution's status until Completed or Aborted; returns (last status, history).

    Every status seen, unknown ones too, is in the history; a timeout names the last one.
    """
    history = StatusTrail(task, 'solution', key)
    client = task.client
    waiter = Waiter(fetch=lambda: client.get_solution_status(request.environment['Key'], key),
                    done=lambda status: status_of(status).lower() in DONE,
                    on_poll=history, timeout=task.params['wait_timeout'],
                    what='solution %s (%s) to be generated in %s' % (request.name, key, request.environment['Name']),
                    describe=lambda status: status_of(status) or 'no status',
                    hint='LifeTime goes on generating it; run the task again with a longer wait_timeout.',
                    details=lambda: dict(solution_key=key, status_history=history.seen))
    return waiter.wait().state, history.seen


def _dest_state(path):
    if not os.path.exists(path):
        return {}
    return dict(path=path, checksum=file_sha256(path), size=os.path.getsize(path))


def build(task):
    """Entry point of lifetime_solution (module and action plugin)."""
    began = time.monotonic()
    request = SolutionRequest(task)
    resolver = task.resolver
    result = dict(environment=request.environment['Name'], solution_name=request.name, dest=request.dest,
                  applications=request.applications_result(resolver), include_references=request.include_references)
    before = _dest_state(request.dest) if task.diff and not task.check_mode else None
    if task.check_mode:
        exists = os.path.exists(request.dest)
        result.update(
            changed=not exists, solution_key=None, status_history=[],
            msg='Check mode: would create solution %s of %s as they run in %s%s and download it to %s%s.'
                % (request.name, request.summary(), request.environment['Name'],
                   ' with the applications they reference' if request.include_references else '', request.dest,
                   '' if not exists else ' (it exists; whether it differs is only known by downloading)'))
        return result

    client = task.client
    key = _create(task, request)
    task.progress('Solution %s (%s) created in %s: %s.' % (request.name, key, request.environment['Name'], request.summary()))
    status, history = _wait(task, request, key)
    result.update(solution_key=key, status_history=history)
    if status_of(status).lower() == ABORTED:
        reason = status.get('StatusReason') or 'LifeTime gave no reason'
        raise LifeTimeError('Solution %s (%s) of %s was aborted in %s: %s. Nothing was downloaded; %s was left as it was.'
                            % (request.name, key, request.summary(), request.environment['Name'], reason.rstrip('.'), request.dest),
                            solution_key=key, status_history=history, status_reason=reason,
                            duration=round(time.monotonic() - began, 3))
    outcome = client.download(lambda: client.solution_link(request.environment['Key'], key), request.dest)
    result.update(changed=outcome['changed'], checksum=outcome['sha256'], size=outcome['size'],
                  duration=round(time.monotonic() - began, 3))
    if outcome['changed']:
        result['msg'] = 'Solution %s (%s) of %s from %s downloaded to %s (%d bytes).' % (
            request.name, key, request.summary(), request.environment['Name'], request.dest, outcome['size'])
    else:
        result['msg'] = '%s already holds the same package as solution %s (%s): left as it was.' % (request.dest, request.name, key)
    if task.diff:
        result['diff'] = dict(before=before, after=dict(path=request.dest, checksum=outcome['sha256'], size=outcome['size']),
                              before_header='%s (before)' % request.dest, after_header='%s (after)' % request.dest)
    return result
