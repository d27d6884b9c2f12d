# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the versions lifetime_deployment tags first (tag_modified).

An application modified in the source since its last version cannot be deployed as such: LifeTime deploys versions.
With tag_modified the plan deploys a version that does not exist yet - the next number, to be tagged from what runs in
the source - and every check of the request (environments, freezes, the other applications, manifest_dest) is made
with it in the plan. Only then, as the first write, is it tagged; check mode reports the number it would get.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._app_versions import tag_running
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeBadRequestError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import Resolver, same_key
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import next_version

# Marks the version record of a tag still to be made (it has no key yet).
PENDING = 'PendingTag'


def pending_tag(resolver, application, increment):
    """The version record the tag will be: the next number after every existing one, with no key yet."""
    numbers = [str(item.get('Version')) for item in resolver.versions(application, complete=True)]
    return {'Key': None, 'Version': next_version(numbers, increment), PENDING: True}


def is_pending(version):
    return bool((version or {}).get(PENDING))


def tag_pending(task, plan):
    """Tag, in the source, each application the plan deploys as a version still to be made; the plan then carries the new versions.

    Returns whether anything was tagged.
    """
    change_log = task.params.get('tag_change_log') or task.params.get('notes') or ''
    tagged = False
    for item in plan.to_deploy:
        if not is_pending(item.to_version):
            continue
        number = item.to_version['Version']
        try:
            record = tag_running(task.client, item.application, plan.source, number, change_log)
        except LifeTimeBadRequestError:
            # Another run promoting the same at the same moment tagged it first: that version is what runs in the source.
            record = tagged_meanwhile(task.client, item.application, plan.source, number)
            if record is None:
                raise
            task.progress('Version %s of %s was tagged at the same moment by another run from what runs in %s: deploying it.'
                          % (number, item.name, plan.source['Name']))
        else:
            task.progress('Tagged version %s of %s from what runs in %s.' % (number, item.name, plan.source['Name']))
        item.to_version = record
        item.tagged = tagged = True
    return tagged


def tagged_meanwhile(client, application, source, number):
    """The version ``number`` when the source now runs exactly it (tagged by another run since this one read), else None."""
    fresh = Resolver(client)
    found = next((item for item in fresh.versions(application) if str(item.get('Version')) == number), None)
    current = fresh.application_by_key(application['Key'])
    status = fresh.status_in(current or {}, source) or {}
    if found is None or status.get('IsModified') or not same_key(status.get('BaseApplicationVersionKey'), found.get('Key')):
        return None
    return found
