# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run ansible-playbook against the simulator, the way users run the collection.

Playbooks run on the implicit localhost (no inventory), so modules use the
Python of this virtualenv, and get the connection from LIFETIME_URL and
LIFETIME_TOKEN unless a test passes them as extra vars. Tests then check the
simulator's state and request log, never only what the playbook printed.
"""

import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
TARGETS = os.path.join(HERE, 'targets')
BIN = os.path.dirname(sys.executable)
RECAP = re.compile(r'^localhost\s*:\s*(?P<counts>.*)$', re.MULTILINE)


class PlaybookRun:
    """The outcome of one ansible-playbook run."""

    def __init__(self, args, process):
        self.args = args
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.recap = {}
        found = RECAP.findall(self.stdout)
        if found:
            for pair in found[-1].split():
                name, dummy, value = pair.partition('=')
                if value.isdigit():
                    self.recap[name] = int(value)

    @property
    def output(self):
        return self.stdout + self.stderr

    def __repr__(self):
        # The end of the output: where a failed task says why (pytest shortens a long repr from the middle).
        return 'PlaybookRun(rc=%s, recap=%s)\n--- stdout (end) ---\n%s\n--- stderr (end) ---\n%s' % (
            self.rc, self.recap, self.stdout[-3000:], self.stderr[-2000:])


def playbook_env(tmp_path, sim=None, extra=None):
    env = dict(os.environ)
    env.update({
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_LOCALHOST_WARNING': 'False',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-local'),
        'ANSIBLE_REMOTE_TEMP': str(tmp_path / 'ansible-remote'),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        # ansible-core's async (async_wrapper, async_status) finds its job files only when HOME is the account's home
        # directory; CI may run with HOME=$(mktemp -d) ("could not find job" otherwise). An absolute directory works anywhere.
        'ANSIBLE_ASYNC_DIR': str(tmp_path / 'ansible-async'),
        'PYTHONUNBUFFERED': '1',
    })
    env.pop('ANSIBLE_CONFIG', None)
    if sim is not None:
        env['LIFETIME_URL'] = sim.url
        env['LIFETIME_TOKEN'] = sim.token
    env.update(extra or {})
    return env


@pytest.fixture
def ansible_playbook(tmp_path):
    """ansible_playbook(playbook, sim=..., extra_vars=..., check=False, diff=False, verbosity=0, env=None) -> PlaybookRun."""

    def run(playbook, sim=None, extra_vars=None, check=False, diff=False, verbosity=0, env=None, timeout=600, args=()):
        path = playbook if os.path.isabs(playbook) else os.path.join(REPO_ROOT, playbook)
        if not os.path.exists(path):
            path = os.path.join(TARGETS, playbook)
        command = [os.path.join(BIN, 'ansible-playbook'), path]
        if extra_vars:
            command += ['-e', json.dumps(extra_vars)]
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        if verbosity:
            command.append('-' + 'v' * verbosity)
        command += list(args)
        process = subprocess.run(command, cwd=REPO_ROOT, env=playbook_env(tmp_path, sim, env), capture_output=True,
                                 text=True, timeout=timeout, check=False)
        return PlaybookRun(command, process)

    return run
