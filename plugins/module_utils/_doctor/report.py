# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the doctor's verdicts and its one table."""

OK = 'ok'
WARN = 'warn'
FAIL = 'fail'
_RANK = {OK: 0, WARN: 1, FAIL: 2}
CHECK_WIDTH = 30


class Report:
    """The checks made so far, in order; each ``{check, topic, verdict, found, advice}``.

    ``topic`` is the kind of check in fixed words (what the support file may show); ``check`` may name an environment.
    """

    def __init__(self):
        self.checks = []

    def add(self, check, verdict, found, advice='', topic=None):
        self.checks.append(dict(check=check, topic=topic or check, verdict=verdict, found=found, advice=advice or ''))

    @property
    def verdict(self):
        """The worst verdict of all lines: ok when there is none."""
        return max((item['verdict'] for item in self.checks), key=_RANK.get, default=OK)

    @property
    def blocking(self):
        """The checks that would stop a deployment (verdict fail)."""
        return [item['check'] for item in self.checks if item['verdict'] == FAIL]

    def table(self):
        """One line per check: the check, its verdict, what was found and, after an arrow, what to do."""
        width = max([len(item['check']) for item in self.checks] + [len('CHECK')])
        width = min(width, CHECK_WIDTH)
        lines = ['%-*s  %-7s  %s' % (width, 'CHECK', 'VERDICT', 'FOUND -> WHAT TO DO')]
        for item in self.checks:
            text = item['found'] + (' -> ' + item['advice'] if item['advice'] else '')
            lines.append('%-*s  %-7s  %s' % (width, item['check'], item['verdict'], text))
        return lines
