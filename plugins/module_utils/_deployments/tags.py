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
from ansible_collections.outsystems.lifetime.plugins.module_utils._version_numbers import next_version

# Marks the version record of a tag still to be made (it has no key yet).
PENDING = 'PendingTag'


def pending_tag(resolver, application, source, increment):
    """The version record the tag will be: the next number after every existing one, no key yet, based on what runs now."""
    numbers = [str(item.get('Version')) for item in resolver.versions(application, complete=True)]
    base = resolver.running_version(application, source)
    return {'Key': None, 'Version': next_version(numbers, increment), PENDING: True, 'Base': base}


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
        record = tag_running(task.client, item.application, plan.source, number, change_log)
        task.progress('Tagged version %s of %s from what runs in %s.' % (number, item.name, plan.source['Name']))
        item.to_version = record
        item.tagged = tagged = True
    return tagged
