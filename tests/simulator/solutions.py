# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Solutions (.osp packages of several applications) and their preparation status.

A solution moves one status per ``step_seconds``: Created, Ready, Gathering
Dependencies, Getting Binaries, Generating Meta Model, Generating Solution,
Completed. A solution rule makes it end Aborted (with a StatusReason) right
after Getting Binaries. The setting ``packaging_queued_steps`` puts that many
steps of ``Queued`` before them (no document shows it; README.md).
"""

from __future__ import annotations

import dataclasses

from tests.simulator.model import ApiError, SOLUTION_STEPS, Solution, new_key

ABORT_AFTER = SOLUTION_STEPS.index('Getting Binaries')
COMPLETED = len(SOLUTION_STEPS) - 1
QUEUED = 'Queued'


@dataclasses.dataclass
class QueuedSolution(Solution):
    """A solution whose first ``queued_steps`` steps are spent Queued: ``step`` counts them too."""

    queued_steps: int = 0

    @property
    def status(self):
        if self.status_reason:
            return 'Aborted'
        return QUEUED if self.step < self.queued_steps else SOLUTION_STEPS[self.step - self.queued_steps]


def create(world, env, body):
    """POST /environments/{key}/solution: snapshot what the environment runs of the applications."""
    name = body.get('SolutionName')
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, 'SolutionName is required.')
    keys = body.get('ApplicationKeys')
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
        raise ApiError(400, 'ApplicationKeys must be a non-empty list of application keys.')
    include_references = _boolean(body.get('IncludeReferences', False))
    apps, entries = [], []
    for key in keys:
        app = world.app_index.get(key.lower())
        if app is None:
            raise ApiError(400, 'Application with key %s not found.' % key)
        status = world.status_index.get((env.key.lower(), app.key.lower()))
        if status is None:
            raise ApiError(400, "Application %s (%s) is not running in environment '%s'." % (app.key, app.name, env.name))
        if app in apps:
            continue
        apps.append(app)
        entries.append(world.manifest_entry(app, world.version_index[status.base_version_key.lower()], status))
    key = new_key()
    # No solution key in the content: LifeTime packages the same versions into the same bytes (get_url-style idempotency).
    spec = world.package_spec('osp', entries, Solution={'Name': name, 'IncludeReferences': include_references},
                              SourceEnvironment={'Key': env.key, 'Name': env.name})
    solution = QueuedSolution(key=key, env_key=env.key, name=name, app_keys=[a.key for a in apps],
                              include_references=include_references, created_on=world.now(), package=spec,
                              next_due=world.mono() + world.step_seconds, queued_steps=world.packaging_queued_steps)
    rule = world.take_rule('solutions', None, apps, name=name)
    if rule:
        solution.abort_reason = rule['reason']
    world.solution_index[key.lower()] = solution
    world.active_solutions.add(key.lower())
    return solution


def _boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise ApiError(400, 'IncludeReferences must be "True" or "False", got %r.' % (value,))


def progress(job, now, step_seconds, last_step, halt=None):
    """Move a job (a solution, a source code package) one ``step`` per ``step_seconds`` from its ``next_due``.

    Stops at ``last_step``, or early when ``halt(job)`` says so; returns True once the job is over.
    """
    while job.step < last_step and now >= job.next_due:
        if halt is not None and halt(job):
            return True
        job.step += 1
        job.next_due += step_seconds
    return job.step >= last_step


def _abort_by_rule(solution):
    if solution.abort_reason and solution.step == ABORT_AFTER + solution.queued_steps:
        solution.status_reason = solution.abort_reason
    return bool(solution.status_reason)


def advance(world, solution, now):
    if progress(solution, now, world.step_seconds, COMPLETED + solution.queued_steps, _abort_by_rule):
        world.active_solutions.discard(solution.key.lower())


def download_spec(solution):
    """The package behind GET /environments/{key}/solution/{key}; 400 until the solution is Completed."""
    if solution.status != 'Completed':
        detail = ' (%s)' % solution.status_reason if solution.status_reason else ''
        raise ApiError(400, 'Solution %s is not completed: its status is %s%s.' % (solution.key, solution.status, detail))
    return solution.package
