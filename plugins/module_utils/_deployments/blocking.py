# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: applications blocked from deployment to an environment (release freezes).

LifeTime itself refuses a plan that deploys an application blocked in its target
(lifetime_application_config sets the block). lifetime_deployment reads the
configurations of the applications it would deploy before any write, at the same
time as the target's plans (one request per application, concurrently), so check
mode predicts the refusal and the real run refuses with the same sentence without
asking LifeTime to create a plan it would refuse. The refusals LifeTime itself gives
(a block set between the read and the write, a binary plan) are explained the same way.
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.outsystems.lifetime.plugins.module_utils._application_config import read_configurations
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeAPIError, LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._resolver import WORKERS


def _blocked(client, application, target):
    try:
        configuration = read_configurations(client, application).get(target['Key'].lower()) or {}
    except LifeTimeAPIError:
        # Best effort: a LifeTime without the operation (405) or a refused read leaves LifeTime's own answer at the write.
        return None
    if configuration.get('isBlocked'):
        return (application['Name'], configuration.get('isBlockedChangeReason') or '')
    return None


def blocked_in(client, applications, target):
    """(name, reason) of each of ``applications`` blocked from deployment to ``target``; one request each, concurrently."""
    if not applications:
        return []
    with ThreadPoolExecutor(max_workers=min(WORKERS, len(applications))) as pool:
        found = list(pool.map(lambda application: _blocked(client, application, target), applications))
    return [item for item in found if item]


def blocked_error(blocked, target, fate, **details):
    """The failure for a plan LifeTime refuses (or would refuse) because applications are blocked in its target."""
    names = '; '.join('%s (%s)' % (name, reason.rstrip('.') or 'no reason given') for name, reason in blocked)
    return LifeTimeError('Deployments to %s are blocked for %s. %s Unblock them with outsystems.lifetime.lifetime_application_config '
                         '(blocked: false) when the freeze ends.' % (target['Name'], names, fate), blocked=[name for name, dummy in blocked], **details)
