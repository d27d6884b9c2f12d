# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the recent deployment plans of one target environment."""

import datetime

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeNotFoundError

# How far back the target's deployment plans are read: for plans to reuse and for `version: previous`.
HISTORY_DAYS = 90


class RecentPlans:
    """The deployment plans of one target environment, newest first, read once; their statuses read on demand, once each."""

    def __init__(self, client, target):
        self.client = client
        self.target = target
        self._plans = None
        self._statuses = {}

    def plans(self, refresh=False):
        """The target's plans of the last HISTORY_DAYS days; ``refresh`` reads them (and later their statuses) again."""
        if self._plans is None or refresh:
            today = datetime.date.today()
            self._plans = self.client.list_deployments(
                target_env_key=self.target['Key'],
                min_date=(today - datetime.timedelta(days=HISTORY_DAYS)).isoformat(),
                # "Today" as a date may mean midnight: tomorrow keeps plans created today in the list.
                max_date=(today + datetime.timedelta(days=1)).isoformat())
            if refresh:
                self._statuses = {}
        return self._plans

    def assume(self, key, status):
        """Take ``status`` as the status of plan ``key`` without reading it (a plan this run has just created is saved)."""
        self._statuses[key] = status

    def status(self, plan):
        key = plan['Key']
        if key not in self._statuses:
            self._statuses[key] = self.client.get_deployment_status(key)
        return self._statuses[key]

    def status_if_any(self, plan):
        """The plan's status; None for a plan deleted since the list was read (a concurrent run deleting its own duplicate)."""
        try:
            return self.status(plan)
        except LifeTimeNotFoundError:
            return None

    def with_status(self, plans, wanted=None):
        """(plan, status) for each of ``plans`` whose status is one of ``wanted`` (any, when None).

        A plan deleted since the list was read (a concurrent run deleting its own duplicate) is left out.
        """
        found = []
        for plan in plans:
            status = self.status_if_any(plan)
            if status is not None and (wanted is None or status.get('DeploymentStatus') in wanted):
                found.append((plan, status))
        return found
