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

from ansible_collections.outsystems.lifetime.plugins.module_utils._files import PACKAGE, check_dest
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeLookupError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._packages import Package, check_mode_result, request_and_download, status_of
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

COMPLETED = 'completed'
ABORTED = 'aborted'
# The final statuses (seed 003), compared without regard to case; anything else is waited on.
DONE = frozenset((COMPLETED, ABORTED))


NAME_LIMIT = 200


def solution_name(params, dest):
    """The name given, or the file name of dest without its extension."""
    name = (params.get('name') or '').strip()
    if len(name) > NAME_LIMIT:
        # Sent as the solution's name and echoed in every message: refused before LifeTime is asked to build anything.
        raise LifeTimeUsageError('name is %d characters long: give a solution name of at most %d characters.' % (len(name), NAME_LIMIT),
                                 parameter='name')
    if name:
        return name
    return os.path.splitext(os.path.basename(dest))[0] or 'solution'


class SolutionRequest(Package):
    """The task resolved against LifeTime: the environment and the applications it runs; the solution as a Package."""

    label = 'solution'
    key_field = 'solution_key'
    hint = 'LifeTime goes on generating it; run the task again with a longer wait_timeout.'

    def __init__(self, task):
        params = task.params
        resolver = task.resolver
        self.dest = check_dest(params['dest'], example='solution.osp', writes=PACKAGE, force=params.get('force'))
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

    def request(self, task):
        """POST the solution. LifeTime cannot list solutions, so a lost answer is sent again once: a second solution is a harmless
        duplicate package."""
        client = task.client
        key = send_once(lambda: client.create_solution(self.environment['Key'], self.name, self.keys(), self.include_references),
                        lambda: None, 'the request that creates solution %s' % self.name, resend=True, progress=task.progress)
        return key, None

    def package_status(self, client, key):
        return client.get_solution_status(self.environment['Key'], key)

    def package_link(self, client, key):
        return client.solution_link(self.environment['Key'], key)

    def is_final(self, record):
        return status_of(record).lower() in DONE

    def failure(self, record, key):
        if status_of(record).lower() != ABORTED:
            return None
        reason = record.get('StatusReason') or 'LifeTime gave no reason'
        return ('Solution %s (%s) of %s was aborted in %s: %s. Nothing was downloaded; %s was left as it was.'
                % (self.name, key, self.summary(), self.environment['Name'], reason.rstrip('.'), self.dest), dict(status_reason=reason))

    def waiting_for(self, key):
        return 'solution %s (%s) to be generated in %s' % (self.name, key, self.environment['Name'])

    def would(self):
        return 'create solution %s of %s as they run in %s%s' % (
            self.name, self.summary(), self.environment['Name'], ' with the applications they reference' if self.include_references else '')

    def requested(self, key):
        return 'Solution %s (%s) created in %s: %s.' % (self.name, key, self.environment['Name'], self.summary())

    def downloaded(self, key, size):
        return 'Solution %s (%s) of %s from %s downloaded to %s (%d bytes).' % (
            self.name, key, self.summary(), self.environment['Name'], self.dest, size)

    def unchanged(self, key):
        return '%s already holds the same package as solution %s (%s): left as it was.' % (self.dest, self.name, key)


def build(task):
    """Entry point of lifetime_solution (module and action plugin)."""
    began = time.monotonic()
    request = SolutionRequest(task)
    result = dict(environment=request.environment['Name'], solution_name=request.name, dest=request.dest,
                  applications=request.applications_result(task.resolver), include_references=request.include_references)
    if task.check_mode:
        return check_mode_result(result, request, request.dest)
    return request_and_download(task, request, request.dest, result, began)
