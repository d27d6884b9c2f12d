# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile manifests given to the modules: each is refused with one sentence naming the parameter, no traceback, before
any request, and nothing on the file system changes (dest is not created, the manifest file is left as it was).

Nesting thousands deep (JSON and YAML, a file, text and a mapping given inline), a YAML alias tree of a few hundred
bytes that would write out as a billion values, an anchor, a file bigger than the bound.
"""

import json
import os

import pytest
import yaml

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


# -- values JSON cannot hold: a release manifest is written back as JSON after the deployment --------------------------------

QA = 'Quality Assurance'
ITEM = ('ConfigurationItems:\n- ModuleKey: m1\n  ModuleName: Orders\n  ConfigurationItemKey: c1\n  ConfigurationItemName: Cutoff\n'
        '  ConfigurationItemType: SiteProperty\n  Values:\n  - EnvironmentKey: e1\n    EnvironmentName: Production\n    TargetValue: %s\n')
NOT_JSON = {
    'binary': ('!!binary aGVsbG8=', 'binary data (YAML !!binary) at ConfigurationItems[0].Values[0].TargetValue'),
    'set': ('!!set {a: null, b: null}', 'a set (YAML !!set) at ConfigurationItems[0].Values[0].TargetValue'),
    'mixed-keys': ('{1: a, b: c}', 'a key that is not text (the number 1) at ConfigurationItems[0].Values[0].TargetValue'),
    'nan': ('.nan', 'the number nan at ConfigurationItems[0].Values[0].TargetValue'),
    'infinity': ('.inf', 'the number inf at ConfigurationItems[0].Values[0].TargetValue'),
}


def release_yaml(run_module, simulator, tmp_path, target_value):
    """A release manifest file (YAML) that deploys EmployeeBackoffice 1.3, with one configuration item of ``target_value``."""
    simulator.state.set_running_version(QA, 'EmployeeBackoffice', '1.3')
    made = run_module('lifetime_manifest', dict(environment=QA, applications=['EmployeeBackoffice']))
    assert made.get('failed') is not True, made
    simulator.clear_requests()
    path = tmp_path / 'release.yml'
    path.write_text(yaml.safe_dump(made['manifest']) + ITEM % target_value)
    return path


@pytest.mark.parametrize('case', sorted(NOT_JSON))
def test_lifetime_deployment_refuses_a_value_json_cannot_hold_naming_the_field_before_any_request(run_module, simulator, tmp_path, case):
    value, words = NOT_JSON[case]
    path = release_yaml(run_module, simulator, tmp_path, value)
    dest = tmp_path / 'production.json'
    before = snapshot(str(tmp_path))
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest=str(path), manifest_dest=str(dest)))
    refused(result, simulator, 'manifest', words)
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    assert snapshot(str(tmp_path)) == before and not dest.exists()


@pytest.mark.parametrize('case', sorted(NOT_JSON))
def test_lifetime_manifest_refuses_a_source_manifest_value_json_cannot_hold_and_writes_no_dest(run_module, simulator, tmp_path, case):
    value, words = NOT_JSON[case]
    path = release_yaml(run_module, simulator, tmp_path, value)
    dest = tmp_path / 'written.json'
    before = snapshot(str(tmp_path))
    result = run_module('lifetime_manifest', dict(environment=QA, source_manifest=str(path), dest=str(dest)))
    refused(result, simulator, 'source_manifest', words)
    assert snapshot(str(tmp_path)) == before and not dest.exists()


# YAML 1.1 reads these as numbers or times that JSON would write otherwise (685230, 255, 10, ...500000): the text written stays.
@pytest.mark.parametrize('value, text', [('2024-01-31', '2024-01-31'), ('2024-01-31T10:00:00Z', '2024-01-31T10:00:00Z'),
                                         ('2024-01-31 10:00:00', '2024-01-31 10:00:00'),
                                         ('2024-01-31t10:00:00.5', '2024-01-31t10:00:00.5'), ('190:20:30', '190:20:30'),
                                         ('0x_FF', '0x_FF'), ('012', '012'), ('0b1010', '0b1010'), ('1_000', '1_000'),
                                         ('1:30.5', '1:30.5'), ('42', 42), ('-7', -7), ('1.5', 1.5), ('true', True)],
                         ids=['date', 'utc-time', 'time', 'odd-time', 'sexagesimal', 'hex', 'octal', 'binary', 'underscores',
                              'sexagesimal-float', 'integer', 'negative', 'float', 'boolean'])
def test_an_unquoted_date_or_number_in_a_yaml_manifest_is_deployed_and_written_back_as_written(run_module, simulator, tmp_path, value, text):
    path = release_yaml(run_module, simulator, tmp_path, value)
    dest = tmp_path / 'production.json'
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest=str(path), manifest_dest=str(dest)))
    assert result.get('failed') is not True, result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    written = json.loads(dest.read_text())
    assert written['ConfigurationItems'][0]['Values'][0]['TargetValue'] == text
    assert type(written['ConfigurationItems'][0]['Values'][0]['TargetValue']) is type(text)
    assert result['manifest'] == written and result.get('manifest_written') is not False


def test_a_manifest_dest_that_fails_after_the_deployment_keeps_the_plan_key_and_status(run_module, simulator, tmp_path, monkeypatch):
    from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import writing

    def broken(data):
        raise TypeError('Object of type date is not JSON serializable')

    path = release_yaml(run_module, simulator, tmp_path, 'text')
    dest = tmp_path / 'production.json'
    monkeypatch.setattr(writing, 'manifest_text', broken)
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest=str(path), manifest_dest=str(dest)))
    assert 'exception' not in result, result
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    plan = simulator.state.deployment(result['deployment_key'])
    assert plan is not None and result['deployment_status'] and result['manifest_written'] is False
    assert any(result['deployment_key'] in warning and 'not JSON serializable' in warning for warning in result['warnings']), result
    assert not dest.exists()


# -- a JSON object with fields a release manifest does not have is not one ------------------------------------------------------

SECRETS = {'ApplicationVersions': [], 'db_password': 'hunter2-db', 'aws_secret_access_key': 'AKIA-secret-value'}


@pytest.mark.parametrize('module', ['lifetime_manifest', 'lifetime_deployment'])
def test_a_json_object_with_other_fields_than_a_manifests_is_not_replaced_without_force(run_module, simulator, tmp_path, module):
    dest = tmp_path / 'settings.json'
    dest.write_text(json.dumps(SECRETS))
    before = snapshot(str(tmp_path))
    if module == 'lifetime_manifest':
        args, parameter = dict(environment=QA, dest=str(dest)), 'dest'
    else:
        args, parameter = dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice'}], manifest_dest=str(dest)), 'manifest_dest'
    result = run_module(module, args, diff=True)
    assert result.get('failed') is True and result['msg'].startswith('%s %s exists and is not a release manifest' % (parameter, dest)), result
    assert 'hunter2' not in json.dumps(result) and 'AKIA' not in json.dumps(result)
    assert simulator.writes() == [] and snapshot(str(tmp_path)) == before


def test_a_json_object_with_other_fields_replaced_with_force_is_never_shown_in_the_diff(run_module, simulator, tmp_path):
    dest = tmp_path / 'settings.json'
    dest.write_text(json.dumps(SECRETS))
    result = run_module('lifetime_manifest', dict(environment=QA, dest=str(dest), force=True), diff=True)
    assert result.get('failed') is not True, result
    assert result['diff']['before'] == '' and 'not a release manifest' in result['diff']['before_header']
    assert 'hunter2' not in json.dumps(result) and 'AKIA' not in json.dumps(result)
    assert json.loads(dest.read_text()) == result['manifest'] and simulator.writes() == []


# -- an integer of more digits than Python reads ---------------------------------------------------------------------------------

LONG = '9' * 5000


@pytest.mark.parametrize('form', ['yaml', 'json'])
def test_an_integer_of_5000_digits_is_refused_naming_the_field_before_any_request(run_module, simulator, tmp_path, form):
    path = release_yaml(run_module, simulator, tmp_path, LONG)
    if form == 'json':
        data = yaml.safe_load(path.read_text().replace(LONG, '0'))
        path = tmp_path / 'release.json'
        path.write_text(json.dumps(data).replace('"TargetValue": 0', '"TargetValue": ' + LONG))
    dest = tmp_path / 'production.json'
    before = snapshot(str(tmp_path))
    result = run_module('lifetime_deployment', dict(PROMOTE, manifest=str(path), manifest_dest=str(dest)))
    refused(result, simulator, 'manifest', 'holds an integer of 5000 digits at ConfigurationItems[0].Values[0].TargetValue')
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'
    assert snapshot(str(tmp_path)) == before and not dest.exists()


# -- foreign fields inside the entries: not a release manifest either --------------------------------------------------------------

NESTED_SECRETS = {
    'application-entry': {'ApplicationVersions': [{'db_password': 'hunter2-SECRET', 'ApplicationName': 'x'}]},
    'environment-entry': {'ApplicationVersions': [], 'DeploymentNotes': 'notes', 'EnvironmentDefinitions': [{'Token': 'tok-SECRET'}]},
    'configuration-value': {'ApplicationVersions': [], 'ConfigurationItems': [
        {'ModuleKey': 'm', 'ModuleName': 'M', 'ConfigurationItemKey': 'c', 'ConfigurationItemName': 'C', 'ConfigurationItemType': 'T',
         'Values': [{'EnvironmentKey': 'e', 'api_key': 'AKIA-SECRET'}]}]},
    'configuration-item': {'ApplicationVersions': [], 'ConfigurationItems': [{'Token': 'tok-SECRET', 'Values': []}]},
    'data-under-a-text-field': {'ApplicationVersions': [{'ApplicationName': {'password': 'hunter2-SECRET'}}]},
    'data-as-notes': {'ApplicationVersions': [], 'DeploymentNotes': {'ssh_key': 'AAAA-SECRET'}},
}


@pytest.mark.parametrize('case', sorted(NESTED_SECRETS))
@pytest.mark.parametrize('module', ['lifetime_manifest', 'lifetime_deployment'])
def test_a_json_object_with_foreign_fields_inside_its_entries_is_not_replaced_without_force(run_module, simulator, tmp_path, module, case):
    dest = tmp_path / 'settings.json'
    dest.write_text(json.dumps(NESTED_SECRETS[case]))
    before = snapshot(str(tmp_path))
    if module == 'lifetime_manifest':
        args, parameter = dict(environment=QA, dest=str(dest)), 'dest'
    else:
        args, parameter = dict(PROMOTE, applications=[{'name': 'EmployeeBackoffice'}], manifest_dest=str(dest)), 'manifest_dest'
    result = run_module(module, args, diff=True)
    assert result.get('failed') is True and result['msg'].startswith('%s %s exists and is not a release manifest' % (parameter, dest)), result
    assert 'SECRET' not in json.dumps(result)
    assert simulator.writes() == [] and snapshot(str(tmp_path)) == before
    assert simulator.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


@pytest.mark.parametrize('case', sorted(NESTED_SECRETS))
def test_a_json_object_with_foreign_fields_inside_its_entries_replaced_with_force_is_never_shown(run_module, simulator, tmp_path, case):
    dest = tmp_path / 'settings.json'
    dest.write_text(json.dumps(NESTED_SECRETS[case]))
    result = run_module('lifetime_manifest', dict(environment=QA, dest=str(dest), force=True), diff=True)
    assert result.get('failed') is not True, result
    assert result['diff']['before'] == '' and 'not a release manifest' in result['diff']['before_header']
    assert 'SECRET' not in json.dumps(result)
    assert json.loads(dest.read_text()) == result['manifest'] and simulator.writes() == []


def test_a_release_manifest_with_configuration_items_is_still_replaced_without_force(run_module, simulator, tmp_path):
    path = release_yaml(run_module, simulator, tmp_path, '{nested: [1, 2]}')
    dest = tmp_path / 'release.json'
    earlier = json.dumps(load_release(path))
    dest.write_text(earlier)
    result = run_module('lifetime_manifest', dict(environment=QA, dest=str(dest), applications=['EmployeeBackoffice'],
                                                  source_manifest=str(path)), diff=True)
    assert result.get('failed') is not True, result
    assert result['changed'] and result['diff']['before'] == earlier and result['diff']['before_header'] == str(dest)
    assert json.loads(dest.read_text()) == result['manifest'] and simulator.writes() == []


def load_release(path):
    data = yaml.safe_load(path.read_text())
    data['DeploymentNotes'] = 'an earlier release'
    return data
