# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build a World from a scenario (YAML/JSON file or dict); schema in README.md."""

from __future__ import annotations

import copy
import datetime
import os
import re

import yaml

from tests.simulator import deployments
from tests.simulator.governance import DEFAULT_GOVERNANCE
from tests.simulator.model import DeploymentZone, MobileVersion, Operation, TERMINAL_STATUSES, derived_key, parse_date
from tests.simulator.world import World

DEFAULT_SCENARIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'scenarios', 'default.yaml')
# The default world plus Billing, whose extension has a logical database each target must map (README.md).
DATABASE_MAPPINGS_SCENARIO = os.path.join(os.path.dirname(DEFAULT_SCENARIO), 'database_mappings.yaml')
SECTIONS = ('base', 'settings', 'environments', 'applications', 'deployments', 'rules', 'governance')
_RELATIVE = re.compile(r'^([+-]?)((?:\d+(?:\.\d+)?[dhms])+)$')
_UNIT_SECONDS = {'d': 86400, 'h': 3600, 'm': 60, 's': 1}
_ENVIRONMENT_FIELDS = {
    'type': 'env_type', 'host_name': 'host_name', 'os_version': 'os_version', 'use_https': 'use_https',
    'front_ends': 'number_of_front_ends', 'app_server_type': 'app_server_type', 'app_server': 'app_server',
    'database_provider': 'database_provider', 'cloud': 'is_cloud', 'offline': 'is_offline',
    'database_connections': 'database_connections',
}
_APPLICATION_FIELDS = {'kind': 'kind', 'team': 'team', 'description': 'description', 'url_path': 'url_path',
                       'icon_hash': 'icon_hash', 'system': 'is_system'}


def load(scenario):
    """The scenario as a dict: None means the default world; ``base: default`` extends it."""
    if scenario is None:
        scenario = DEFAULT_SCENARIO
    if isinstance(scenario, dict):
        data = copy.deepcopy(scenario)
    else:
        with open(scenario, encoding='utf-8') as handle:
            data = yaml.safe_load(handle)  # JSON is YAML too
        if not isinstance(data, dict):
            raise ValueError('scenario %s must be a mapping with sections %s' % (scenario, ', '.join(SECTIONS)))
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ValueError('unknown scenario sections: %s (known: %s)' % (', '.join(sorted(unknown)), ', '.join(SECTIONS)))
    base = data.pop('base', None)
    if base is None:
        return data
    if base != 'default':
        raise ValueError("scenario 'base' can only be 'default', got %r" % (base,))
    return _extend(load(None), data)


def _extend(base, extra):
    merged = copy.deepcopy(base)
    merged.setdefault('settings', {}).update(extra.get('settings') or {})
    for section in ('environments', 'applications'):
        names = {item['name'] for item in extra.get(section) or []}
        merged[section] = [item for item in merged.get(section) or [] if item['name'] not in names] + list(extra.get(section) or [])
    merged['deployments'] = list(merged.get('deployments') or []) + list(extra.get('deployments') or [])
    rules = merged.setdefault('rules', {})
    for kind, items in (extra.get('rules') or {}).items():
        rules[kind] = list(rules.get(kind) or []) + list(items)
    if 'governance' in extra:  # users, roles, teams and database connections are replaced as a whole
        merged['governance'] = copy.deepcopy(extra['governance'])
    return merged


def build_world(scenario=None, *, step_seconds=0.0, binary_size_mb=0, generate_apps=0, generate_users=0, generate_teams=0):
    data = load(scenario)
    world = World(step_seconds=step_seconds, binary_size_mb=binary_size_mb)
    world.configure(**(data.get('settings') or {}))
    now = world.now()
    for spec in data.get('environments') or []:
        _add_environment(world, spec)
    for spec in data.get('applications') or []:
        _add_application(world, spec, now)
    for spec in sorted(data.get('deployments') or [], key=lambda s: when(s.get('created'), now)):
        _add_deployment(world, spec, now)
    _add_rules(world, data.get('rules') or {})
    if generate_apps:
        add_generated_apps(world, int(generate_apps))
    # Roles give every environment a level, and teams take the applications' team names: both come last.
    if data.get('governance') is not None:
        world.governance.load(data['governance'])
    else:
        world.governance.load(DEFAULT_GOVERNANCE, strict=False)
    world.governance.generate(int(generate_users), int(generate_teams))
    return world


def when(value, now):
    """A scenario time: relative to ``now`` ("-4d", "-2h30m", "+90s"), ISO text, or a YAML date/datetime."""
    if value is None:
        return now
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)
    text = str(value).strip()
    match = _RELATIVE.match(text)
    if match:
        seconds = sum(float(amount) * _UNIT_SECONDS[unit] for amount, unit in re.findall(r'(\d+(?:\.\d+)?)([dhms])', match.group(2)))
        return now + datetime.timedelta(seconds=-seconds if match.group(1) == '-' else seconds)
    return parse_date(text)


def _text(value):
    """Version numbers must stay text: YAML reads an unquoted 1.10 as the number 1.1."""
    return value if isinstance(value, str) else str(value)


def _add_environment(world, spec):
    fields = {_ENVIRONMENT_FIELDS[k]: v for k, v in spec.items() if k in _ENVIRONMENT_FIELDS}
    _check_keys(spec, {'name', 'key', 'order', 'zones'} | set(_ENVIRONMENT_FIELDS), 'environment')
    zones = None
    if spec.get('zones'):
        key = spec.get('key') or derived_key('environment', spec['name'])
        zones = [DeploymentZone(key=z.get('key') or derived_key('zone', key, z['name']), name=z['name'],
                                is_default=bool(z.get('default')), technology_name=z.get('technology', 'Classic'),
                                technology_key=derived_key('technology', z.get('technology', 'Classic')))
                 for z in spec['zones']]
        if sum(z.is_default for z in zones) != 1:
            raise ValueError('environment %s needs exactly one default deployment zone' % spec['name'])
    world.add_environment(spec['name'], key=spec.get('key'), order=spec.get('order'), zones=zones, **fields)


def _add_application(world, spec, now):
    _check_keys(spec, {'name', 'key', 'modules', 'versions', 'running'} | set(_APPLICATION_FIELDS), 'application')
    fields = {_APPLICATION_FIELDS[k]: v for k, v in spec.items() if k in _APPLICATION_FIELDS}
    app = world.add_application(spec['name'], key=spec.get('key'), **fields)
    for module in spec.get('modules') or [spec['name'].replace(' ', '')]:
        if isinstance(module, str):
            module = {'name': module}
        _check_keys(module, {'name', 'key', 'kind', 'description', 'logical_databases'}, 'module')
        if module.get('logical_databases') and module.get('kind') != 'Extension':
            raise ValueError('module %s has logical_databases: only kind Extension can have them' % module['name'])
        world.add_module(app.key, module['name'], key=module.get('key'), kind=module.get('kind', 'eSpace'),
                         description=module.get('description', ''), logical_databases=module.get('logical_databases') or ())
    for version in spec.get('versions') or []:
        if not isinstance(version, dict):
            version = {'version': version}
        _check_keys(version, {'version', 'key', 'created', 'change_log', 'mobile', 'module_versions', 'native_hash', 'environment'},
                    'version')
        module_versions = {}
        for module_name, mv_key in (version.get('module_versions') or {}).items():
            module = next(world.module_index[k.lower()] for k in app.module_keys
                          if world.module_index[k.lower()].name == module_name)
            module_versions[module.key] = world.add_module_version(module, when(version.get('created'), now), key=mv_key).key
        mobile = None
        if version.get('mobile') is not None:
            mobile = [MobileVersion(m['platform'], _text(m.get('version', version['version'])), m.get('description', ''))
                      for m in version['mobile']]
        world.add_version(app.key, _text(version['version']), key=version.get('key'), created_on=when(version.get('created'), now),
                          change_log=version.get('change_log', ''), mobile_versions=mobile, module_versions=module_versions,
                          native_hash=version.get('native_hash', ''), env_ref=version.get('environment'))
    for env_name, running in (spec.get('running') or {}).items():
        if not isinstance(running, dict):
            running = {'version': running}
        _check_keys(running, {'version', 'modified', 'reason', 'message', 'zone'}, 'running')
        env = world.environment(env_name)
        zone_key = ''
        if running.get('zone'):
            zone = env.zone(running['zone']) or next((z for z in env.zones if z.name == running['zone']), None)
            if zone is None:
                raise ValueError('environment %s has no deployment zone %r' % (env.name, running['zone']))
            zone_key = zone.key
        world.set_running_version(env.key, app.key, _text(running['version']), zone_key=zone_key)
        if running.get('modified'):
            world.mark_modified(env.key, app.key, reason=running.get('reason', 'Module_Modified'), message=running.get('message'))


def _add_deployment(world, spec, now):
    _check_keys(spec, {'source', 'target', 'applications', 'status', 'created', 'notes', 'key'}, 'deployment')
    status = spec.get('status', 'finished_successful')
    if status not in TERMINAL_STATUSES and status != 'saved':
        raise ValueError('history deployment status must be saved or terminal (%s), got %r'
                         % (', '.join(sorted(TERMINAL_STATUSES)), status))
    source, target = world.environment(spec['source']), world.environment(spec['target'])
    applications = spec.get('applications') or {}
    if isinstance(applications, dict):
        applications = [{'application': name, 'version': number} for name, number in applications.items()]
    operations = []
    for item in applications:
        version = world.version(item['application'], _text(item['version']))
        operations.append(Operation(version.application_key, version.key, item.get('zone', '')))
    plan = deployments.new_plan(world, source, target, operations, spec.get('notes', ''))
    if spec.get('key'):
        del world.deployment_index[plan.key.lower()]
        plan.key = spec['key']
        world.deployment_index[plan.key.lower()] = plan
    plan.created_on = plan.saved_on = when(spec.get('created'), now)
    if status != 'saved':
        deployments.record_finished(world, plan, plan.created_on + datetime.timedelta(minutes=1), status)


def _add_rules(world, rules):
    for rule in rules.get('outcomes') or []:
        world.add_outcome_rule(rule['status'], target=rule.get('target'), application=rule.get('application'),
                               message=rule.get('message', ''), once=rule.get('once', False))
    for rule in rules.get('interventions') or []:
        world.add_intervention_rule(rule.get('info', 'deploy_prepared'), target=rule.get('target'),
                                    application=rule.get('application'), once=rule.get('once', False))
    for rule in rules.get('conflicts') or []:
        world.add_conflict_rule(target=rule.get('target'), application=rule.get('application'), message=rule.get('message'),
                                conflict_type=rule.get('conflict_type', 'Producer Element Missing'),
                                consumer=rule.get('consumer'), once=rule.get('once', False))
    for rule in rules.get('solutions') or []:
        world.add_solution_rule(application=rule.get('application'), name=rule.get('name'),
                                reason=rule.get('reason', 'Failed to get the binaries of module.'), once=rule.get('once', False))


def _check_keys(spec, allowed, what):
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError('unknown %s fields %s in %r (known: %s)'
                         % (what, ', '.join(sorted(unknown)), spec.get('name', spec), ', '.join(sorted(allowed))))


def add_generated_apps(world, count):
    """Add ``count`` synthetic applications App0001... with versions 1.0-1.2; newer environments run newer versions."""
    envs = world.environments()
    now = world.now()
    for index in range(1, count + 1):
        app = world.add_application('App%04d' % index, team='Generated')
        world.add_module(app.key, app.name)
        versions = [world.add_version(app.key, number, created_on=now - datetime.timedelta(days=days))
                    for number, days in (('1.0', 30), ('1.1', 20), ('1.2', 10))]
        for position, env in enumerate(envs):
            world.set_running_version(env.key, app.key, versions[max(0, len(versions) - 1 - position)].key)
