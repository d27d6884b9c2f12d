# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: database connections for the extensions' logical databases of a deployment (LifeTime 11.21.1+).

A plan that deploys an extension whose logical database the target has not mapped
stops in needs_user_intervention (Info needs_configuration_or_confirmation).
The task's ``database_mappings`` answer it: the logical databases LifeTime lists
as missing are mapped to the connections given, then the plan continues. One
that the task does not map fails the task with the exact list, and the plan is
left waiting: never continued with a guess.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._writes import send_once

FIELDS = ('extension', 'logical_database', 'connection')
# Any key: LifeTime answers this operation for an unknown plan with 400; an older LifeTime has no such operation (405).
PROBE_KEY = '00000000-0000-0000-0000-000000000000'
UNSUPPORTED = frozenset((404, 405))


def check_option(mappings):
    """The database_mappings option, each entry checked; fails naming the entry.

    Two entries for one logical database of one extension (names compared case-insensitively, as LifeTime's list of
    missing mappings is matched) are refused: which connection is meant cannot be told.
    """
    checked = []
    for index, entry in enumerate(mappings or []):
        for field in FIELDS:
            value = entry.get(field)
            if not isinstance(value, str) or not value.strip():
                raise LifeTimeUsageError('database_mappings[%d].%s must be a name: the %s.' % (
                    index, field, {'extension': 'extension (name or key)', 'logical_database': "extension's logical database",
                                   'connection': 'database connection of the target environment'}[field]),
                    parameter='database_mappings[%d].%s' % (index, field))
        entry = dict((field, entry[field].strip()) for field in FIELDS)
        earlier = next((position for position, other in enumerate(checked) if _same_database(other, entry)), None)
        if earlier is not None:
            raise LifeTimeUsageError(
                'database_mappings[%d] and database_mappings[%d] both map logical database %s of extension %s: keep one of them.'
                % (earlier, index, entry['logical_database'], entry['extension']), parameter='database_mappings')
        checked.append(entry)
    return checked


def _same_database(one, other):
    return all(one[field].lower() == other[field].lower() for field in ('extension', 'logical_database'))


def check_supported(client):
    """Before anything is written: fail when this LifeTime has no API to map database connections."""
    try:
        client.missing_database_mappings(PROBE_KEY)
    except LifeTimeAPIError as exc:
        if exc.status in UNSUPPORTED:
            raise LifeTimeUsageError(
                'database_mappings needs LifeTime 11.21.1 or later: this LifeTime has no API to map database connections (it answered '
                '%s to GET /deployments/{key}/getmissingdbmappings/). Map them in LifeTime (the deployment plan asks for them), then '
                'run the task again without database_mappings.' % exc.status, parameter='database_mappings')


def _matches(entry, missing):
    extension = entry['extension'].lower()
    return (extension in (str(missing.get('ExtensionName', '')).lower(), str(missing.get('ExtensionKey', '')).lower())
            and entry['logical_database'].lower() == str(missing.get('LogicalDatabase', '')).lower())


def describe(missing):
    return ', '.join('%s/%s' % (item.get('ExtensionName') or item.get('ExtensionKey'), item.get('LogicalDatabase')) for item in missing)


def map_missing(run, mappings):
    """Map what the paused plan lacks from ``mappings``; a failure naming what is still unmapped, and the plan left waiting.

    True once mapped; False when LifeTime lists nothing missing because the plan already left its pause (another run
    or a user mapped the databases and LifeTime went on): the run follows the plan's status then.
    """
    paused = run.status
    missing = run.client.missing_database_mappings(run.key)
    if not missing and run.moved_on(paused):
        return False
    unmapped = [item for item in missing if not any(_matches(entry, item) for entry in mappings)]
    if unmapped or not missing:
        raise run.failure(
            '%s waits for database connections on %s, and %s. The plan was left waiting. Add them to database_mappings '
            '(extension, logical_database, connection) and run the task again, or map them in LifeTime.'
            % (run.title, run.target.get('Name'), ('database_mappings does not map %s' % describe(unmapped)) if unmapped else
               'LifeTime lists none missing: continue it in LifeTime'))
    body = _body(missing, mappings)
    # When the answer is lost, LifeTime's list of what is still missing tells whether they were taken; if not, they are sent again.
    send_once(lambda: run.client.map_databases(run.key, body), lambda: None if run.client.missing_database_mappings(run.key) else True,
              'the database mappings of %s' % run.key, resend=True, progress=run.task.progress)
    run.task.progress('%s: mapped %s on %s.' % (run.title, describe(missing), run.target.get('Name')))
    return True


def _body(missing, mappings):
    """[{ExtensionKey, DBMapping: [{LogicalDatabaseName, DatabaseName}]}] for every missing logical database."""
    by_extension = {}
    for item in missing:
        entry = next(entry for entry in mappings if _matches(entry, item))
        by_extension.setdefault(item['ExtensionKey'], []).append({'LogicalDatabaseName': item['LogicalDatabase'], 'DatabaseName': entry['connection']})
    return [{'ExtensionKey': key, 'DBMapping': entries} for key, entries in by_extension.items()]
