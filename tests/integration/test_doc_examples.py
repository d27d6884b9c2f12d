# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shell examples of README.md and docs/*.md, pasted the way a reader pastes them, and the README's release flow.

The examples are found by parsing the markdown (markdown-it-py, as GitHub renders it): fenced blocks marked
sh/bash/shell/console, indented code blocks and code blocks without a language whose first word is a command, and
inline code spans that start with a command. Each command is either run here or listed below (NOT_RUN,
PLACEHOLDERS) with the reason; a new example that is neither fails test_every_shell_example_is_run_or_listed.

A command that drives LifeTime runs through ``bash -c`` exactly as written, in a temporary working directory,
against a fresh simulator: the connection the example sets (``export LIFETIME_URL=...``, ``LIFETIME_SOURCE_TOKEN='...'``)
is pointed at the simulator, and paths under /var/lib/ move into the working directory; nothing else of the text
changes, its quoting least of all. ``--check`` is appended to none of them: the simulator finishes a deployment at
once, so a real run costs about as much as a check run and shows more (the plan LifeTime got, what the target runs
afterwards). Examples written with ``--check`` run in check mode and must send no write.
"""

import glob
import json
import os
import re
import shlex
import subprocess

import pytest
import yaml
from ansible.parsing.splitter import parse_kv
from markdown_it import MarkdownIt

from tests.integration.conftest import BIN, REPO_ROOT, PlaybookRun, playbook_env

pytestmark = pytest.mark.integration

# The collection's version: the docs name its tarball and image (make release changes them all together).
VERSION = yaml.safe_load(open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8'))['version']
DOCS = ['README.md'] + sorted(os.path.relpath(path, REPO_ROOT) for path in glob.glob(os.path.join(REPO_ROOT, 'docs', '*.md')))
SHELL_LANGUAGES = {'sh', 'bash', 'shell', 'console', 'shell-session'}
# First words that make a line a command (after any NAME=value assignments).
COMMAND_WORDS = {
    'ansible', 'ansible-playbook', 'ansible-doc', 'ansible-galaxy', 'ansible-builder', 'ansible-test', 'ansible-lint',
    'ansible-inventory', 'ansible-vault', 'make', 'python', 'python3', 'pip', 'pip3', 'curl', 'git', 'export', 'cd',
    'bash', 'sh', 'source', 'podman', 'docker', 'mkdir', 'cp',
}
ASSIGNMENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*=')
# The connection an example sets, wherever it sets it (export, or an assignment before the command).
CONNECTION = re.compile(r'\b(?P<name>LIFETIME_(?:SOURCE_|TARGET_)?(?:URL|TOKEN))=(?P<value>\'[^\']*\'|"[^"]*"|[^\s\'";]+)')
# Where examples keep files; moved into the test's working directory.
FILE_PREFIXES = ('/var/lib/',)
# A port nothing listens on: a connection an example should not use goes nowhere.
NOWHERE = 'http://127.0.0.1:9'

_MAKE = 'a make target of the checkout: it builds into .tmp, which a running `make test` uses; CI runs `make test`'
# Commands that cannot run here, with the reason.
NOT_RUN = {
    'make demo': _MAKE,
    'make test': _MAKE,
    'make build': _MAKE + ' (the tarball install examples below build the same tarball with ansible-galaxy)',
    'make install': _MAKE,
    'make compat': _MAKE,
    'make floor': _MAKE,
    'ansible-test sanity': 'what `make sanity` runs, from a staged copy of the collection',
    'ansible-rulebook --rulebook examples/eda/rulebooks/promote-tagged-versions-local.yml -i examples/eda/inventory.yml':
        'runs until stopped; tests/integration/test_eda_rulebook.py runs this rulebook with this command against a simulator',
    'mkdir -p /var/lib/eda': 'creates a system directory; the rulebook test uses a relative state_file in its working directory',
    'ansible-lint --profile production': 'what `make lint` runs',
    'ansible-builder create': 'tests/contract/test_awx_examples.py runs it on the execution environment definitions',
    'ansible-builder build -f execution-environment.yml -t registry.example.com/ee-outsystems-lifetime:%s' % VERSION:
        'needs a container runtime and the base image; tests/contract/test_awx_examples.py runs ansible-builder create',
    "python3 -m pip install 'requests>=2.25'": 'installs into a Python environment from a package index',
    'ansible-galaxy collection install -r requirements.yml': "the requirements.yml above names a Git server of the reader's own",
    'ansible-galaxy collection publish outsystems-lifetime-%s.tar.gz --server <your hub> --api-key ...' % VERSION:
        "uploads to the reader's Automation Hub",
    'ansible-galaxy collection install outsystems.lifetime': "installs by name from the reader's Automation Hub",
    'export ANSIBLE_COLLECTIONS_PATH=$PWD/.tmp/collections': 'points at the copy `make install` puts in a checkout',
    # docs/governance.md
    'ansible-playbook -i inventory outsystems.lifetime.governance --check --diff':
        'the example repository of docs/governance.md (examples/governance/inventory, its secrets from the environment): '
        'tests/integration/test_governance_role.py runs this playbook with that inventory against the simulator, in check mode too',
    'ansible-playbook -i inventory outsystems.lifetime.governance':
        'tests/integration/test_governance_role.py applies examples/governance/inventory with this playbook, then reruns it unchanged',
    'python -m pytest tests/integration/test_governance_role.py -k requests_per_run -s':
        'the 200-user measurement itself: `make test` runs this test (about 6 seconds)',
}
# Commands with a placeholder, standing for a family of commands that the runnable examples cover.
PLACEHOLDERS = {
    'ansible-playbook outsystems.lifetime.<name>': 'any of the playbooks',
    'ansible-playbook playbooks/<name>.yml': 'any of the playbooks, from a checkout',
    'ansible-playbook playbooks/promote.yml -e ...': 'promote from a checkout, with the extra vars of the examples',
    'ansible-doc outsystems.lifetime.<name>': 'any of the modules',
}
# Code blocks without a language that are not shell, by their first line.
NOT_SHELL = {
    '"EmployeeBackoffice 1.2 -> 1.3 (deployed)",': 'the summary a role prints',
    'promote to Quality Assurance -> approval -> promote the same versions to Production -(failed)-> roll back Production':
        'the shape of the AWX workflow',
}
# Extra vars shown as what not to write: they must really lose a word, as the text around them says.
COUNTER_EXAMPLES = {
    '-e source_environment="Quality Assurance"': 'the shell removes the quotes: Ansible reads Quality and a stray word',
}


class Example:
    """One command of a document, as written (continuation lines included), with the exports before it in its block."""

    def __init__(self, doc, line, text, setup=()):
        self.doc = doc
        self.line = line
        self.text = text
        self.setup = tuple(setup)

    @property
    def command(self):
        """The command on one line, as the shell joins it, whitespace collapsed (how NOT_RUN and PLACEHOLDERS name it)."""
        return ' '.join(self.text.replace('\\\n', ' ').split())

    @property
    def words(self):
        """The words the shell passes, without the NAME=value assignments in front."""
        words = shlex.split(self.text.replace('\\\n', ''))
        while words and ASSIGNMENT.match(words[0]):
            words.pop(0)
        return words

    @property
    def check_mode(self):
        return '--check' in self.words or '-C' in self.words

    def __str__(self):
        return '%s:%d' % (self.doc, self.line)


def _is_command(text, least_words=1):
    """Whether a line is a command: a known program, after any NAME=value assignments, with at least least_words words."""
    try:
        words = shlex.split(text.replace('\\\n', ''))
    except ValueError:
        words = text.split()
    while words and ASSIGNMENT.match(words[0]):
        words.pop(0)
    return len(words) >= least_words and words[0] in COMMAND_WORDS


def _logical_lines(content, first_line, language):
    """(line number, text) of each command of a block: continuation lines joined, comments and blank lines left out."""
    pending, start = [], None
    for offset, line in enumerate(content.split('\n')):
        if language == 'console' and not pending:
            if not line.startswith('$ '):
                continue  # output, not a command
            line = line[2:]
        if not pending:
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            start = first_line + offset
        pending.append(line)
        if not line.endswith('\\'):
            yield start, '\n'.join(pending).strip()
            pending = []
    if pending:
        yield start, '\n'.join(pending).strip()


def _line_of(lines, token_map, text):
    """The line of an inline code span: the line of its paragraph that holds most of its first words (it may wrap)."""
    words = text.split()
    for count in range(len(words), 0, -1):
        needle = '`' + ' '.join(words[:count])
        for number in range(token_map[0], token_map[1]):
            if needle in lines[number]:
                return number + 1
    return token_map[0] + 1


def _parse(doc):
    """Shell commands, -e fragments, code blocks that are not shell, and YAML blocks of one document."""
    with open(os.path.join(REPO_ROOT, doc), encoding='utf-8') as handle:
        text = handle.read()
    lines = text.split('\n')
    found = {'commands': [], 'fragments': [], 'other_blocks': [], 'yaml': []}
    for token in MarkdownIt('commonmark').enable('table').parse(text):
        if token.type in ('fence', 'code_block'):
            language = token.info.split()[0].lower() if token.info.strip() else ''
            # The content starts on the line after a fence's opening line.
            first = token.map[0] + (2 if token.type == 'fence' else 1)
            if language in ('yaml', 'yml'):
                found['yaml'].append((first, token.content))
            if language and language not in SHELL_LANGUAGES:
                continue
            commands = list(_logical_lines(token.content, first, language))
            if not language and not (commands and _is_command(commands[0][1])):
                found['other_blocks'].append((first, token.content.split('\n')[0]))
                continue
            setup = []
            for index, (line, command) in enumerate(commands):
                if command.startswith('export ') and any(not later.startswith('export ') for dummy, later in commands[index:]):
                    setup.append(command)  # runs before every later command of the block
                else:
                    found['commands'].append(Example(doc, line, command, setup))
        elif token.type == 'inline':
            for child in token.children or ():
                if child.type != 'code_inline':
                    continue
                if child.content.startswith(('-e ', '--extra-vars ', '--extra-vars=')):
                    found['fragments'].append(Example(doc, _line_of(lines, token.map, child.content), child.content))
                elif _is_command(child.content, least_words=2):  # a program's bare name in a sentence is a mention
                    found['commands'].append(Example(doc, _line_of(lines, token.map, child.content), child.content))
    return found


PARSED = {doc: _parse(doc) for doc in DOCS}
COMMANDS = [example for doc in DOCS for example in PARSED[doc]['commands']]
FRAGMENTS = [example for doc in DOCS for example in PARSED[doc]['fragments']]


# --- reading a command the way ansible-playbook does


def _extra_var_values(words):
    values = []
    for index, word in enumerate(words):
        if word in ('-e', '--extra-vars') and index + 1 < len(words):
            values.append(words[index + 1])
        elif word.startswith('--extra-vars='):
            values.append(word.partition('=')[2])
    return values


def _parse_extra_vars(value):
    """One -e value as ansible-core's load_extra_vars reads it: @file, JSON/YAML when it starts with { or [, else key=value."""
    if value.startswith('@'):
        return {}
    if value[:1] in ('{', '['):
        return json.loads(value)
    return parse_kv(value)


def _extra_vars(example):
    merged = {}
    for value in _extra_var_values(example.words):
        merged.update(_parse_extra_vars(value))
    return merged


def _application_names(applications):
    """The playbooks' applications extra var: a list of names or {name: ...}, or a comma-separated string."""
    if isinstance(applications, str):
        return [name.strip() for name in applications.split(',') if name.strip()]
    return [item['name'] if isinstance(item, dict) else item for item in applications or []]


def _playbook_name(words):
    """promote for outsystems.lifetime.promote or playbooks/promote.yml."""
    for word in words[1:]:
        if word.startswith('outsystems.lifetime.'):
            return word.rpartition('.')[2]
        if word.endswith(('.yml', '.yaml')):
            return os.path.splitext(os.path.basename(word))[0]
    return None


# --- running an example


def _point_at_simulator(match, connection):
    """NAME=value of a connection, with the simulator's value in the example's quotes."""
    quote = match.group('value')[0] if match.group('value')[0] in '\'"' else ''
    return '%s=%s%s%s' % (match.group('name'), quote, connection.get(match.group('name'), NOWHERE), quote)


def _rewrite(text, work, connection):
    """The example's text with its connection pointed at the simulator and /var/lib/ paths moved into work."""
    text = CONNECTION.sub(lambda match: _point_at_simulator(match, connection), text)
    for prefix in FILE_PREFIXES:
        for path in re.findall(r'(?<![\w.])%s[^\s\'"]*' % re.escape(prefix), text):
            os.makedirs(os.path.dirname(str(work) + path), exist_ok=True)
        text = re.sub(r'(?<![\w.])%s' % re.escape(prefix), lambda match: str(work) + match.group(0), text)
    return text


def _bash(example, tmp_path, env, connection=None):
    work = tmp_path / 'work'
    work.mkdir(exist_ok=True)
    script = '\n'.join(_rewrite(text, work, connection or {}) for text in example.setup + (example.text,))
    assert 'example.com' not in script, 'the example would reach a LifeTime of example.com:\n' + script
    command = ['bash', '-c', script]
    process = subprocess.run(command, cwd=str(work), env=env, capture_output=True, text=True, timeout=300, check=False)
    return PlaybookRun(command, process)


def _env(tmp_path, sim=None, extra=None):
    """playbook_env with .venv/bin first in PATH (examples say ansible-playbook) and no LifeTime connection of the caller's."""
    env = playbook_env(tmp_path, None, dict(extra or {}, PATH=BIN + os.pathsep + os.environ.get('PATH', '')))
    for name in [name for name in env if name.startswith('LIFETIME_')]:
        del env[name]
    if sim is not None:
        env.update(LIFETIME_URL=sim.url, LIFETIME_TOKEN=sim.token)
    return env


def _connection(sim):
    return {'LIFETIME_URL': sim.url, 'LIFETIME_TOKEN': sim.token}


def _next_number(number):
    parts = number.split('.')
    return '.'.join(parts[:-1] + [str(int(parts[-1]) + 1)])


def _give_source_something_to_deploy(state, source, target, application):
    """The source runs a newer version than the target (a new one if needed), so the example has a version to deploy."""
    if not (state.find_environment(source) and state.find_environment(target) and state.find_application(application)):
        return  # the run fails on the name; its message says which
    numbers = [version.number for version in state.versions(application)]
    in_source, in_target = state.running_version(source, application), state.running_version(target, application)
    if in_source is None:
        return
    if in_target is not None and numbers.index(in_source) <= numbers.index(in_target):
        newer = _next_number(numbers[-1])
        state.add_version(application, newer)
        state.set_running_version(source, application, newer)


def _new_plans(state, count_before):
    """The deployment plans created since there were count_before, as deployment_summary shows them."""
    return [state.deployment_summary(plan) for plan in state.deployments()[count_before:]]


def _run_promote(example, make_simulator, tmp_path):
    sim = make_simulator()
    state = sim.state
    extra = _extra_vars(example)
    source, target = extra.get('source_environment'), extra.get('target_environment')
    applications = _application_names(extra.get('applications'))
    assert applications, 'the example names no applications: %s' % example.command
    tag_modified = str(extra.get('tag_modified', '')).lower() in ('true', 'yes', '1')
    for application in applications:
        _give_source_something_to_deploy(state, source, target, application)
        if tag_modified and state.find_environment(source) and state.find_application(application):
            state.mark_modified(source, application)
    before = {application: state.running_version(target, application) for application in applications if state.find_environment(target)}
    versions_before = {application: len(state.versions(application)) for application in before}
    plans_before = len(state.deployments())

    run = _bash(example, tmp_path, _env(tmp_path, sim), _connection(sim))

    assert run.rc == 0, run
    if example.check_mode:
        assert sim.writes() == [], run
        assert 'Promote %s -> %s' % (source, target) in run.stdout, run
        for application in applications:
            assert re.search(r'%s %s -> \S+ \(would deploy\)' % (re.escape(application), re.escape(before[application])), run.stdout), run
        return
    plans = _new_plans(state, plans_before)
    assert len(plans) == 1, (plans, run)
    plan = plans[0]
    assert (plan['source'], plan['target']) == (state.environment(source).name, state.environment(target).name), plan
    assert sorted(item['application'] for item in plan['applications']) == sorted(applications), plan
    if extra.get('notes'):
        assert extra['notes'] in plan['notes'], plan
    for application in applications:
        now = state.running_version(target, application)
        assert now == state.running_version(source, application) and now != before[application], (application, now, run)
        if tag_modified:
            # What was modified got a new version, and that version is what the target runs now.
            assert len(state.versions(application)) == versions_before[application] + 1, application
            assert now == state.versions(application)[-1].number, (application, now)


def _run_rollback(example, make_simulator, tmp_path):
    sim = make_simulator()
    state = sim.state
    extra = _extra_vars(example)
    target = extra.get('target_environment')
    applications = _application_names(extra.get('applications'))
    assert applications, 'the example names no applications: %s' % example.command
    order = [environment.name for environment in state.environments()]
    source = extra.get('source_environment') or order[order.index(state.environment(target).name) - 1]
    before = {application: state.running_version(target, application) for application in applications}
    plans_before = len(state.deployments())

    run = _bash(example, tmp_path, _env(tmp_path, sim), _connection(sim))

    assert run.rc == 0, run
    if example.check_mode:
        assert sim.writes() == [], run
        for application in applications:
            assert re.search(r'%s %s -> \S+ \(would roll back\)' % (re.escape(application), re.escape(before[application])), run.stdout), run
        return
    plans = _new_plans(state, plans_before)
    assert len(plans) == 1, (plans, run)
    assert (plans[0]['source'], plans[0]['target']) == (state.environment(source).name, state.environment(target).name), plans[0]
    assert sorted(item['application'] for item in plans[0]['applications']) == sorted(applications), plans[0]
    for application in applications:
        numbers = [version.number for version in state.versions(application)]
        now = state.running_version(target, application)
        assert numbers.index(now) < numbers.index(before[application]), (application, before[application], now)


def _run_publish(example, make_simulator, tmp_path):
    source_sim, target_sim = make_simulator(), make_simulator()
    extra = _extra_vars(example)
    source, target = extra.get('source_environment'), extra.get('target_environment')
    applications = _application_names(extra.get('applications'))
    assert applications, 'the example names no applications: %s' % example.command
    # The source runs a version the target does not have yet, so the target's version afterwards shows the publication.
    for application in applications:
        if source_sim.state.find_environment(source) and source_sim.state.find_application(application):
            newer = _next_number(source_sim.state.versions(application)[-1].number)
            source_sim.state.add_version(application, newer)
            source_sim.state.set_running_version(source, application, newer)
    plans_before = len(target_sim.state.deployments())
    source_plans_before = len(source_sim.state.deployments())
    connection = {'LIFETIME_SOURCE_URL': source_sim.url, 'LIFETIME_SOURCE_TOKEN': source_sim.token,
                  'LIFETIME_TARGET_URL': target_sim.url, 'LIFETIME_TARGET_TOKEN': target_sim.token}

    # No LIFETIME_URL in the environment: the example must name both sides itself.
    run = _bash(example, tmp_path, _env(tmp_path), connection)

    assert run.rc == 0, run
    assert source_sim.requests and target_sim.requests, run
    if example.check_mode:
        assert source_sim.writes() == [] and target_sim.writes() == [], run
        return
    plans = _new_plans(target_sim.state, plans_before)
    assert len(plans) == 1 and plans[0]['binary'] and plans[0]['target'] == target_sim.state.environment(target).name, (plans, run)
    assert len(source_sim.state.deployments()) == source_plans_before, 'the source LifeTime got a deployment plan'
    for application in applications:
        assert target_sim.state.running_version(target, application) == source_sim.state.running_version(source, application), (application, run)


def _run_ansible_doc(example, make_simulator, tmp_path):
    words = example.words
    name = words[-1]
    run = _bash(example, tmp_path, _env(tmp_path))
    assert run.rc == 0, run
    assert 'was not found' not in run.output and name in run.stdout, run
    if '-t' in words and words[words.index('-t') + 1] == 'role':
        # "shows the variables": every option of the role's main entry point.
        with open(os.path.join(REPO_ROOT, 'roles', name.rpartition('.')[2], 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
            options = yaml.safe_load(handle)['argument_specs']['main']['options']
        assert [option for option in options if option not in run.stdout] == [], run


def _run_tarball_install(example, make_simulator, tmp_path):
    work = tmp_path / 'work'
    work.mkdir(exist_ok=True)
    # What `make build` runs, into the working directory: the tarball the example names must be the one it writes.
    build = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(work), REPO_ROOT],
                           cwd=REPO_ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=120, check=False)
    assert build.returncode == 0, build.stdout + build.stderr
    tarball = example.words[3]
    assert (work / tarball).is_file(), 'make build writes %s, the example installs %s' % (os.listdir(str(work)), tarball)
    collections = tmp_path / 'collections'

    run = _bash(example, tmp_path, _env(tmp_path, extra={'ANSIBLE_COLLECTIONS_PATH': str(collections)}))

    assert run.rc == 0, run
    with open(str(collections / 'ansible_collections' / 'outsystems' / 'lifetime' / 'MANIFEST.json'), encoding='utf-8') as handle:
        installed = json.load(handle)['collection_info']
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        assert installed['version'] == yaml.safe_load(handle)['version']


def _run_curl(example, make_simulator, tmp_path):
    sim = make_simulator()
    run = _bash(example, tmp_path, _env(tmp_path, sim), _connection(sim))
    assert run.rc == 0, run
    path = _url_path(example.words[-1])
    assert [request['method'] for request in sim.requests if request['path'] == path] == ['HEAD' if '-I' in example.words else 'GET'], sim.requests
    assert run.stdout.startswith('HTTP/'), run


def _url_path(url):
    """The path of $LIFETIME_URL/... as the simulator logs it."""
    return '/' + url.split('/', 1)[1] if url.startswith('$') else re.sub(r'^\w+://[^/]+', '', url)


def _run_doctor(example, make_simulator, tmp_path):
    sim = make_simulator()
    extra = _extra_vars(example)
    run = _bash(example, tmp_path, _env(tmp_path, sim), _connection(sim))
    # The simulator speaks plain http: a warn line, nothing that fails the play.
    assert run.rc == 0, run
    assert sim.requests and sim.writes() == [], run
    assert run.stdout.count('CHECK ') == 1, run
    if extra.get('dest'):
        with open(str(tmp_path / 'work') + extra['dest'], encoding='utf-8') as handle:
            assert json.load(handle)['format'] == 'outsystems.lifetime.doctor/1'


PLAYBOOK_RUNNERS = {'promote': _run_promote, 'rollback': _run_rollback, 'publish': _run_publish, 'doctor': _run_doctor}


def _run_ansible_inventory(example, make_simulator, tmp_path):
    """The guide's ansible-inventory on examples/inventory/lifetime.yml (cache moved into tmp_path), against a simulator."""
    sim = make_simulator()
    work = tmp_path / 'work'
    work.mkdir(exist_ok=True)
    with open(os.path.join(REPO_ROOT, 'examples', 'inventory', 'lifetime.yml'), encoding='utf-8') as handle:
        config = yaml.safe_load(handle)
    config['cache_connection'] = str(tmp_path / 'cache')
    (work / example.words[example.words.index('-i') + 1]).write_text(yaml.safe_dump(config))
    run = _bash(example, tmp_path, _env(tmp_path, sim), _connection(sim))
    assert run.rc == 0, run
    assert 'lt_Production' in run.stdout and len(sim.requests) == 2, run


def _runner(example):
    """How an example runs here, or None when it cannot."""
    if example.command in NOT_RUN or example.command in PLACEHOLDERS:
        return None
    words = example.words
    if words[0] == 'ansible-playbook':
        return PLAYBOOK_RUNNERS.get(_playbook_name(words))
    if words[0] == 'ansible-doc':
        return _run_ansible_doc
    if words[0] == 'ansible-inventory':
        return _run_ansible_inventory
    if words[:3] == ['ansible-galaxy', 'collection', 'install'] and len(words) == 4 and words[3].endswith('.tar.gz'):
        return _run_tarball_install
    if words[0] == 'curl' and any(word.startswith('$LIFETIME_URL/') for word in words):
        return _run_curl
    return None


RUNNABLE = [example for example in COMMANDS if _runner(example) is not None]


# --- the tests


def test_every_shell_example_is_run_or_listed_with_a_reason():
    unhandled = [str(example) + ' ' + example.command for example in COMMANDS
                 if _runner(example) is None and example.command not in NOT_RUN and example.command not in PLACEHOLDERS]
    unknown_blocks = ['%s:%d %s' % (doc, line, first) for doc in DOCS for line, first in PARSED[doc]['other_blocks'] if first not in NOT_SHELL]
    seen = {example.command for example in COMMANDS + FRAGMENTS} | {first for doc in DOCS for dummy, first in PARSED[doc]['other_blocks']}
    stale = [text for text in list(NOT_RUN) + list(PLACEHOLDERS) + list(NOT_SHELL) + list(COUNTER_EXAMPLES) if text not in seen]

    assert RUNNABLE, 'no runnable example found: is the markdown parsed?'
    assert unhandled == [], 'shell examples neither run by this test nor listed in NOT_RUN or PLACEHOLDERS'
    assert unknown_blocks == [], 'code blocks without a language that are not commands: mark them or list them in NOT_SHELL'
    assert stale == [], 'listed here but no longer in the documents'


@pytest.mark.parametrize('example', [example for example in COMMANDS + FRAGMENTS if example.command not in COUNTER_EXAMPLES], ids=str)
def test_shell_example_splits_and_each_extra_var_reaches_ansible_whole(example):
    for text in example.setup + (example.text,):
        shlex.split(text.replace('\\\n', ''))  # balanced quotes
    if example.command in PLACEHOLDERS:
        return  # "-e ..." stands for the extra vars of the other examples
    for value in _extra_var_values(example.words):
        data = _parse_extra_vars(value)
        assert isinstance(data, dict), '%s: -e %s is not a mapping for Ansible' % (example, value)
        # A word the shell passed that Ansible did not take as key=value (a two-word value split at its space).
        assert '_raw_params' not in data, '%s: Ansible reads -e %r as %r' % (example, value, data)


@pytest.mark.parametrize('example', [example for example in FRAGMENTS if example.command in COUNTER_EXAMPLES], ids=str)
def test_counter_example_loses_the_word_the_document_says_it_loses(example):
    values = _extra_var_values(example.words)
    assert values and all('_raw_params' in _parse_extra_vars(value) for value in values), (example.command, values)


@pytest.mark.parametrize('example', RUNNABLE, ids=str)
def test_shell_example_runs_as_written_against_the_simulator(example, make_simulator, tmp_path):
    _runner(example)(example, make_simulator, tmp_path)


# --- the README's release flow (YAML)


def _release_flow(work):
    """The README's tasks that write a manifest (lifetime_manifest) and deploy it (lifetime_deployment), paths moved into work."""
    flows = []
    for dummy, content in PARSED['README.md']['yaml']:
        tasks = yaml.safe_load(content)
        modules = {key for task in tasks for key in task} if isinstance(tasks, list) and all(isinstance(task, dict) for task in tasks) else set()
        if {'outsystems.lifetime.lifetime_manifest', 'outsystems.lifetime.lifetime_deployment'} <= modules:
            flows.append(content)
    assert len(flows) == 1, 'README.md should have one YAML flow with lifetime_manifest and lifetime_deployment, found %d' % len(flows)
    tasks = yaml.safe_load(_rewrite(flows[0], work, {}))
    manifest_task = next(task['outsystems.lifetime.lifetime_manifest'] for task in tasks if 'outsystems.lifetime.lifetime_manifest' in task)
    deployment_task = next(task['outsystems.lifetime.lifetime_deployment'] for task in tasks if 'outsystems.lifetime.lifetime_deployment' in task)
    return tasks, manifest_task, deployment_task


def _run_release_flow(ansible_playbook, make_simulator, tmp_path, check):
    sim = make_simulator()
    work = tmp_path / 'work'
    work.mkdir()
    tasks, manifest_task, deployment_task = _release_flow(work)
    for application in manifest_task['applications']:
        _give_source_something_to_deploy(sim.state, manifest_task['environment'], deployment_task['target_environment'], application)
    playbook = work / 'release_flow.yml'
    playbook.write_text(yaml.safe_dump([{'name': 'The release flow of README.md', 'hosts': 'localhost', 'gather_facts': False,
                                         'tasks': tasks}], sort_keys=False))
    plans_before = len(sim.state.deployments())
    run = ansible_playbook(str(playbook), sim=sim, check=check)
    return sim, run, manifest_task, deployment_task, plans_before


def test_readme_release_flow_runs_in_check_mode_without_writing(ansible_playbook, make_simulator, tmp_path):
    sim, run, manifest_task, dummy, plans_before = _run_release_flow(ansible_playbook, make_simulator, tmp_path, check=True)

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    # Both tasks say they would change something: a manifest to write, a version to deploy.
    assert run.recap.get('changed') == 2, run
    assert sim.writes() == [], run
    assert len(sim.state.deployments()) == plans_before
    assert not os.path.exists(manifest_task['dest']), 'check mode wrote the manifest'


def test_readme_release_flow_writes_the_manifest_and_deploys_exactly_its_versions(ansible_playbook, make_simulator, tmp_path):
    sim, run, manifest_task, deployment_task, plans_before = _run_release_flow(ansible_playbook, make_simulator, tmp_path, check=False)

    assert run.rc == 0 and run.recap.get('failed') == 0, run
    state = sim.state
    with open(manifest_task['dest'], encoding='utf-8') as handle:
        manifest = json.load(handle)
    written = {entry['ApplicationName']: entry['VersionKey'] for entry in manifest['ApplicationVersions']}
    assert sorted(written) == sorted(manifest_task['applications'])
    source, target = deployment_task['source_environment'], deployment_task['target_environment']
    for application, version_key in written.items():
        assert version_key == state.running_version_key(source, application), application
        assert state.running_version_key(target, application) == version_key, application
    plans = _new_plans(state, plans_before)
    assert len(plans) == 1, plans
    assert (plans[0]['source'], plans[0]['target']) == (source, target), plans[0]
    # Only what the target did not run yet is in the plan, by the manifest's version keys.
    assert {item['version_key'] for item in plans[0]['applications']} <= set(written.values()), plans[0]
    assert plans[0]['applications'], plans[0]
