# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real ansible-rulebook run of the event source outsystems.lifetime.lifetime_events against the simulator.

Three runs share one state_file: the first start is quiet, a promote made while the source is stopped gives its events
once over several polls, a restart gives none. ansible-rulebook needs Java 17 or later (drools): without java or
ansible-rulebook the test is skipped, saying which is missing.
"""

import ast
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest
import yaml

from ansible_collections.outsystems.lifetime.extensions.eda.plugins.event_source import lifetime_events
from ansible_collections.outsystems.lifetime.plugins.module_utils._client import LifeTimeClient

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Actions that hand their arguments to ansible-playbook (or a job), which evaluates templates in extra vars.
PLAYBOOK_ACTIONS = ('run_playbook', 'run_job_template', 'run_workflow_template', 'run_module')
# The only template an action may pass on: a key of the event (key-shaped by the source), or its keys joined.
KEY_TEMPLATE = re.compile(r"""^\s*event\.lifetime\.[a-z_]+_key(s\s*\|\s*join\((['"])[^'"{}]?\2\))?\s*$""")

BIN = os.path.dirname(sys.executable)
RULEBOOK = """---
- name: LifeTime events, printed
  hosts: all
  sources:
    - outsystems.lifetime.lifetime_events:
        interval: 0.5
        state_file: {state_file}
  rules:
    - name: Every LifeTime event
      condition: event.lifetime is defined
      action:
        print_event:
"""
POLLS_PER_RUN = 4


def _missing_tools():
    rulebook = os.path.join(BIN, 'ansible-rulebook')
    if not os.path.exists(rulebook):
        return 'ansible-rulebook is not installed in this virtualenv (tests/requirements.txt)'
    if shutil.which('java') is None:
        return 'java is not on PATH: ansible-rulebook needs Java 17 or later'
    return None


def _source_polls(sim, since):
    return sum(1 for r in sim.requests[since:] if r['method'] == 'GET' and r['path'].rstrip('/').endswith('/deployments'))


def _run(sim, tmp_path, name):
    """One ansible-rulebook run until the source has polled POLLS_PER_RUN times; the events it printed."""
    rulebook = tmp_path / 'rulebook.yml'
    rulebook.write_text(RULEBOOK.format(state_file=tmp_path / 'cursor.json'))
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
    env = dict(os.environ, LIFETIME_URL=sim.url, LIFETIME_TOKEN=sim.token, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    first_request = len(sim.requests)
    out = tmp_path / ('%s.out' % name)
    with open(str(out), 'w') as handle:
        process = subprocess.Popen([os.path.join(BIN, 'ansible-rulebook'), '--rulebook', str(rulebook), '-i', str(inventory)],
                                   stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=str(tmp_path), start_new_session=True)
        deadline = time.monotonic() + 120
        try:
            while _source_polls(sim, first_request) < POLLS_PER_RUN and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            # The last poll's events reach print_event a moment after its requests.
            time.sleep(1.5)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    text = out.read_text()
    assert _source_polls(sim, first_request) >= POLLS_PER_RUN, text[-3000:]
    # print_event prints each event as a Python dict on one line (with ansible-rulebook's 'meta').
    events = [ast.literal_eval(line.strip())['lifetime'] for line in text.splitlines() if line.startswith('{') and "'lifetime': {" in line]
    return events, sim.requests[first_request:], text


@pytest.mark.slow
@pytest.mark.integration
def test_rulebook_run_first_start_quiet_a_promote_once_and_nothing_after_a_restart(make_simulator, tmp_path):
    missing = _missing_tools()
    if missing:
        pytest.skip(missing)
    sim = make_simulator()

    first, requests, output = _run(sim, tmp_path, 'first')
    assert first == [], output[-3000:]
    assert all(r['method'] == 'GET' for r in requests), 'the source never writes to LifeTime'

    # A promote while the source is stopped: EmployeeBackoffice 1.3 from Development to Production.
    with sim.lock:
        app = sim.state.application('EmployeeBackoffice')
        version = sim.state.version(app, '1.3')
        plan = sim.state.deployments()  # before
    client = LifeTimeClient(sim.url, sim.token)
    key = client.create_deployment(sim.state.environment('Development').key, sim.state.environment('Production').key,
                                   [{'ApplicationVersionKey': version.key}])
    client.deployment_command(key, 'start')
    client.get_deployment_status(key)
    assert len(sim.state.deployments()) == len(plan) + 1

    second, requests, output = _run(sim, tmp_path, 'second')
    summary = sim.state.deployment_summary(sim.state.deployment(key))
    assert summary['status'] == 'finished_successful'
    assert sim.state.running_version_key('Production', 'EmployeeBackoffice') == version.key
    kinds = sorted((e['type'], e.get('status')) for e in second)
    assert kinds == [('deployment_status_changed', 'finished_successful'), ('running_version_changed', None)], output[-3000:]
    status = [e for e in second if e['type'] == 'deployment_status_changed'][0]
    changed = [e for e in second if e['type'] == 'running_version_changed'][0]
    assert status['deployment_key'] == key and status['environment'] == 'Production' and status['terminal'] is True
    assert changed['deployment_key'] == key and changed['version_key'] == version.key and changed['version'] == '1.3'
    assert changed['previous_version'] == '1.2' and changed['application'] == 'EmployeeBackoffice'
    assert len(set(e['id'] for e in second)) == 2
    assert all(r['method'] == 'GET' for r in requests)
    assert sim.token not in output

    third, requests, output = _run(sim, tmp_path, 'third')
    assert third == [], output[-3000:]
    print('eda rulebook run: first start %d events, after a promote %d, after a restart %d' % (len(first), len(second), len(third)))


def _example_rulebooks():
    paths = sorted(glob.glob(os.path.join(REPO, 'examples', 'eda', 'rulebooks', '*.yml')))
    books = [(os.path.relpath(path, REPO), yaml.safe_load(open(path))) for path in paths]
    books.append(('lifetime_events EXAMPLES', yaml.safe_load(lifetime_events.EXAMPLES)))
    return books


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _event_text_passed_on(book):
    """The templates of the rulebook's playbook actions that are not a key of the event."""
    found = []
    for ruleset in book:
        for rule in ruleset.get('rules') or []:
            actions = rule.get('actions') or [rule.get('action') or {}]
            for action in actions:
                for name, args in action.items():
                    if name not in PLAYBOOK_ACTIONS:
                        continue
                    for text in _strings(args or {}):
                        found.extend(expr for expr in re.findall(r'{{(.*?)}}', text) if not KEY_TEMPLATE.match(expr))
                        if '{%' in text:
                            found.append(text)
    return found


def test_example_rulebooks_pass_only_event_keys_to_playbooks():
    books = _example_rulebooks()
    assert len(books) >= 5
    passed_on = [(name, expr) for name, book in books for expr in _event_text_passed_on(book)]
    assert passed_on == [], 'LifeTime text passed to ansible-playbook as extra vars (evaluated as templates): %r' % passed_on
    # The keys the examples pass are ones the source's events carry.
    used = set(re.findall(r'event\.lifetime\.([a-z_]+)', ''.join(open(os.path.join(REPO, n)).read() for n, dummy in books[:-1])))
    assert {'application_key', 'application_keys', 'version_key'} <= used


def _wait_for(predicate, process, seconds):
    deadline = time.monotonic() + seconds
    while not predicate() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
    return predicate()


@pytest.mark.slow
@pytest.mark.integration
def test_example_local_rulebook_promotes_by_key_and_never_runs_a_template_in_an_application_name(make_simulator, tmp_path):
    """examples/eda/rulebooks/promote-tagged-versions-local.yml run as docs/eda.md says (-i examples/eda/inventory.yml,
    the token from the environment, a relative state_file), interval shortened: an application whose name holds a
    template that would create a file is promoted, by its key, and the file is not created."""
    missing = _missing_tools()
    if missing:
        pytest.skip(missing)
    sim = make_simulator()
    marker = tmp_path / 'template-ran'
    with sim.lock:
        app = sim.state.application('EmployeeBackoffice')
        app.name = "Evil{{ lookup('pipe', 'touch %s') }}" % marker
    book = yaml.safe_load(open(os.path.join(REPO, 'examples', 'eda', 'rulebooks', 'promote-tagged-versions-local.yml')))
    book[0]['sources'][0]['outsystems.lifetime.lifetime_events']['interval'] = 0.5
    rulebook = tmp_path / 'rulebook.yml'
    rulebook.write_text(yaml.safe_dump(book, sort_keys=False))
    env = dict(os.environ, LIFETIME_URL=sim.url, LIFETIME_TOKEN=sim.token, PATH=BIN + os.pathsep + os.environ.get('PATH', ''))
    out = tmp_path / 'run.out'
    first_request = len(sim.requests)
    client = LifeTimeClient(sim.url, sim.token)
    with open(str(out), 'w') as handle:
        process = subprocess.Popen([os.path.join(BIN, 'ansible-rulebook'), '--rulebook', str(rulebook), '-i',
                                    os.path.join(REPO, 'examples', 'eda', 'inventory.yml')],
                                   stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=str(tmp_path), start_new_session=True)
        try:
            assert _wait_for(lambda: _source_polls(sim, first_request) >= 2, process, 120), out.read_text()[-3000:]
            tagged = client.create_application_version(sim.state.environment('Quality Assurance').key, app.key, '1.4', change_log='EDA test')
            assert _wait_for(lambda: 'PLAY RECAP' in out.read_text(), process, 180), out.read_text()[-3000:]
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
    text = out.read_text()
    assert not marker.exists(), 'a template in an application name ran: ' + text[-3000:]
    tagged_key = tagged if isinstance(tagged, str) else tagged.get('ApplicationVersionKey', tagged)
    assert str(sim.state.running_version_key('Production', app.key)).lower() == str(tagged_key).lower(), text[-3000:]
    assert (tmp_path / 'lifetime-events-promote-local.json').is_file(), 'state_file is relative to the directory ansible-rulebook runs in'
    assert sim.token not in text


def test_documented_rulebook_commands_name_files_that_exist_and_state_files_in_the_working_directory():
    """ansible-rulebook refuses `-i localhost,` ("Inventory localhost, not found"): each documented command names an
    inventory file and a rulebook that exist; each example's state_file is relative (the directory of the run exists)."""
    examples = glob.glob(os.path.join(REPO, 'examples', 'eda', 'rulebooks', '*.yml'))
    texts = [open(os.path.join(REPO, 'docs', 'eda.md')).read()] + [open(path).read() for path in examples]
    commands = [m for text in texts for m in re.findall(r'ansible-rulebook (--rulebook \S+[^\n]*)', text)]
    assert commands
    for command in commands:
        words = command.replace('\\\\', ' ').split()
        assert '-i' in words, command
        for option in ('--rulebook', '-i'):
            assert os.path.isfile(os.path.join(REPO, words[words.index(option) + 1])), command
    for name, book in _example_rulebooks()[:-1]:
        for source in book[0]['sources']:
            assert not os.path.isabs(source['outsystems.lifetime.lifetime_events']['state_file']), name
