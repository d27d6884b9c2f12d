# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile manifests given to the modules: each is refused with one sentence naming the parameter, no traceback, before
any request, and nothing on the file system changes (dest is not created, the manifest file is left as it was).

Nesting thousands deep (JSON and YAML, a file, text and a mapping given inline), a YAML alias tree of a few hundred
bytes that would write out as a billion values, an anchor, a file bigger than the bound.
"""

import os

import pytest

DEPTH = 100000
PROMOTE = dict(source_environment='Quality Assurance', target_environment='Production')


def alias_tree(levels=8, width=10):
    lines = ['l0: &l0 [%s]' % ', '.join(['x'] * width)]
    for level in range(1, levels):
        lines.append('l%d: &l%d [%s]' % (level, level, ', '.join(['*l%d' % (level - 1)] * width)))
    return '\n'.join(lines) + '\n'


ENTRY = 'ApplicationVersions:\n- ApplicationKey: k1\n  ApplicationName: A\n  VersionKey: v1\n  VersionNumber: "1.0"\n'
FILES = {
    'json-deep': ('release.json', '{"ApplicationVersions": ' + '[' * DEPTH + ']' * DEPTH + '}', 'is nested more than 32 levels deep'),
    'yaml-flow-deep': ('release.yml', 'ApplicationVersions: ' + '[' * DEPTH + ']' * DEPTH + '\n', 'is nested more than 32 levels deep'),
    'yaml-block-deep': ('release.yml', ''.join('%sk:\n' % (' ' * level) for level in range(2000)), 'is nested more than 32 levels deep'),
    'alias-tree': ('release.yml', alias_tree() + ENTRY + 'DeploymentNotes: *l7\n', 'uses a YAML anchor or alias (line 1)'),
    'anchor': ('release.yml', ENTRY.replace('ApplicationVersions:', 'ApplicationVersions: &all') + 'DeploymentNotes: x\n',
               'uses a YAML anchor or alias (line 1)'),
}


def nested(depth=DEPTH):
    value = []
    for dummy in range(depth):
        value = [value]
    return value


def snapshot(directory):
    """Every file under ``directory`` with its size and modification time."""
    found = {}
    for root, dummy, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            stat = os.stat(path)
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def refused(result, simulator, parameter, words):
    """One sentence naming the parameter, no traceback, no request at all."""
    assert result.get('failed') is True, result
    assert 'exception' not in result and 'Traceback' not in result['msg'], result
    assert result['msg'].startswith(parameter + ' ') or result['msg'].startswith('the %s given inline' % parameter), result['msg']
    assert words in result['msg'], result['msg']
    assert len(result['msg']) < 400, len(result['msg'])
    assert simulator.requests == [], simulator.requests
    assert simulator.writes() == []


def run_with_file(run_module, simulator, tmp_path, module, parameter, case, args):
    name, text, words = FILES[case]
    path = tmp_path / name
    path.write_text(text)
    before = snapshot(str(tmp_path))
    result = run_module(module, dict(args, **{parameter: str(path)}))
    refused(result, simulator, parameter, words)
    assert snapshot(str(tmp_path)) == before


@pytest.mark.parametrize('case', sorted(FILES))
def test_lifetime_deployment_refuses_a_hostile_manifest_file_before_any_request(run_module, simulator, tmp_path, case):
    run_with_file(run_module, simulator, tmp_path, 'lifetime_deployment', 'manifest', case, dict(PROMOTE))


@pytest.mark.parametrize('case', sorted(FILES))
def test_lifetime_manifest_refuses_a_hostile_source_manifest_and_writes_no_dest(run_module, simulator, tmp_path, case):
    dest = tmp_path / 'out' / 'release.json'
    dest.parent.mkdir()
    run_with_file(run_module, simulator, tmp_path, 'lifetime_manifest', 'source_manifest', case,
                  dict(environment='Quality Assurance', dest=str(dest)))
    assert not dest.exists()


# A module's arguments travel as JSON, which Ansible writes recursively: a mapping nested 100,000 deep never reaches a module
# (tests/unit/test_manifest_bounds.py gives one to load_manifest directly), 200 levels do.
@pytest.mark.parametrize('value, words', [
    ({'ApplicationVersions': nested(200)}, 'is nested more than 32 levels deep'),
    ('{"ApplicationVersions": ' + '[' * DEPTH + ']' * DEPTH + '}', 'is nested more than 32 levels deep'),
    ({'ApplicationVersions': [{'ApplicationKey': 'k1', 'ApplicationName': 'A', 'VersionKey': 'v1', 'VersionNumber': '1.0'}],
      'DeploymentNotes': [['x'] * 1000] * 2100}, 'holds more than 2000000 values'),
], ids=['mapping-deep', 'json-text-deep', 'shared-lists'])
def test_lifetime_deployment_refuses_a_hostile_manifest_given_inline_before_any_request(run_module, simulator, tmp_path, value, words):
    before = snapshot(str(tmp_path))
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest=value))
    refused(result, simulator, 'manifest', words)
    assert snapshot(str(tmp_path)) == before


def test_a_manifest_file_bigger_than_the_bound_is_refused_before_any_request(run_module, simulator, tmp_path):
    path = tmp_path / 'release.json'
    with open(path, 'wb') as handle:
        handle.truncate(64 * 1024 * 1024 + 1)
    dest = tmp_path / 'written.json'
    result = run_module('lifetime_manifest', dict(environment='Quality Assurance', source_manifest=str(path), dest=str(dest)))
    refused(result, simulator, 'source_manifest', 'is bigger than the 64 MiB a manifest may have')
    assert not dest.exists() and os.path.getsize(path) == 64 * 1024 * 1024 + 1
