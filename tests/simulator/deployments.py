# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deployment plans: creation, the start/continue/abort state machine and progress.

A started plan runs through four phases, one every ``step_seconds`` on the
monotonic clock: upload (at start), prepare, deploy modules, finish. The
finish phase makes it terminal, 3 steps after it started; with step 0 that
happens by the next request. An intervention rule stops the plan in
``needs_user_intervention`` before one of the phases; ``continue`` resumes it
one step later (so does ``POST .../configuration/`` itself under the setting
``configuration_continues``).
"""

from __future__ import annotations

import datetime
import math
import types

from tests.simulator.model import (
    API_USER, API_USERNAME, ApiError, BLOCKING_STATUSES, Deployment, LogLine, MobileVersion, Operation, new_key,
    parse_date,
)

FINAL_PHASE = 3
# Before which phase each kind of user intervention stops the plan.
INTERVENTION_PHASE = {
    'business_process_impact': 1,
    'needs_configuration_or_confirmation': 1,
    'deployment_suspended': 2,
    'deploy_prepared': 3,
    'deployment_prepared': 3,
}
INTERVENTION_MESSAGE = {
    'business_process_impact': 'The deployment impacts running business processes. Waiting for confirmation to continue.',
    'needs_configuration_or_confirmation': "Database connection mappings are missing in '%s'. Configure them before continuing.",
    'deployment_suspended': 'Deployment suspended. Waiting for the user to continue.',
    'deploy_prepared': 'Deployment prepared. Waiting for the user to continue the deployment.',
    'deployment_prepared': 'Deployment prepared. Waiting for the user to continue the deployment.',
}
COMMANDS = ('start', 'continue', 'abort')


# ------------------------------------------------------------------ creation

def create(world, body):
    """POST /deployments/: a new saved plan."""
    source = _environment_from(world, body, 'SourceEnvironmentKey', 'Source')
    target = _environment_from(world, body, 'TargetEnvironmentKey', 'Target')
    if source is target:
        raise ApiError(400, 'Cannot deploy from an environment to itself: SourceEnvironmentKey and TargetEnvironmentKey '
                            'are both %s (%s).' % (target.key, target.name))
    operations = _operations(world, target, body.get('ApplicationOperations'))
    _check_not_blocked(world, target, [world.app_index[op.app_key.lower()] for op in operations])
    plan = new_plan(world, source, target, operations, _notes(body))
    plan.conflicts = _conflicts(world, plan)
    return plan


def _blocked_reason(world, target, apps):
    """Why a plan with these applications may not go to ``target`` (an application configuration blocks one), or None."""
    for app in apps:
        if world.is_blocked(app.key, target.key):
            reason = world.app_configurations[(app.key.lower(), target.key.lower())]['reason']
            return "application %s (%s) is blocked for deployment to environment '%s'%s" % (
                app.key, app.name, target.name, ': %s' % reason if reason else '')
    return None


def _check_not_blocked(world, target, apps):
    reason = _blocked_reason(world, target, apps)
    if reason:
        raise ApiError(400, 'Invalid request: %s.' % reason)


def new_plan(world, source, target, operations, notes):
    now = world.now()
    plan = Deployment(key=new_key(), source_key=source.key if source else '', target_key=target.key, notes=notes,
                      created_on=now, saved_on=now, seq=world.next_seq(), operations=operations)
    world.deployment_index[plan.key.lower()] = plan
    return plan


def create_binary(world, target, upload):
    """POST /environments/{key}/deployment/: a saved plan that deploys an uploaded package."""
    if target.env_type == 'Production' and not world.allow_binary_to_production:
        raise ApiError(400, "Deploying binaries to production environments is disabled in LifeTime settings "
                            "(target environment '%s')." % target.name)
    _check_not_blocked(world, target, [types.SimpleNamespace(key=a['ApplicationKey'], name=a['ApplicationName'])
                                       for a in upload.manifest['Applications']])
    plan = new_plan(world, None, target, [], '')
    plan.package = upload
    plan.applications_to_deploy = [
        {'ApplicationKey': a['ApplicationKey'], 'ApplicationName': a['ApplicationName'],
         'IsNew': a['ApplicationKey'].lower() not in world.app_index,
         'ModulesInBinary': [{'ModuleKey': m['ModuleKey'], 'ModuleName': m['ModuleName'],
                              'IsNew': m['ModuleKey'].lower() not in world.module_index}
                             for m in a.get('Modules') or [] if _module_entry(m)]}
        for a in upload.manifest['Applications']]
    plan.conflicts = _conflicts(world, plan)
    upload.deployment_key = plan.key
    world.uploaded_packages.append(upload)
    return plan


def update(world, plan, body):
    """PUT /deployments/{key}/: change a saved plan."""
    if plan.status != 'saved':
        raise ApiError(400, 'Deployment %s cannot be updated: it is %s, and only saved plans can be changed.'
                       % (plan.key, plan.status))
    if plan.is_binary:
        return _update_binary(world, plan, body)
    source = _environment_from(world, body, 'SourceEnvironmentKey', 'Source') if 'SourceEnvironmentKey' in body else \
        world.env_index[plan.source_key.lower()]
    target = _environment_from(world, body, 'TargetEnvironmentKey', 'Target') if 'TargetEnvironmentKey' in body else \
        world.env_index[plan.target_key.lower()]
    if source is target:
        raise ApiError(400, 'Cannot deploy from an environment to itself: SourceEnvironmentKey and TargetEnvironmentKey '
                            'are both %s (%s).' % (target.key, target.name))
    if 'ApplicationOperations' in body:
        operations = _operations(world, target, body['ApplicationOperations'])
    else:
        operations = _operations(world, target, [{'ApplicationVersionKey': op.version_key, 'DeploymentZoneKey': op.zone_key}
                                                 for op in plan.operations])
    _check_not_blocked(world, target, [world.app_index[op.app_key.lower()] for op in operations])
    plan.notes = _notes(body) if 'Notes' in body else plan.notes
    plan.source_key, plan.target_key, plan.operations = source.key, target.key, operations
    plan.saved_on = world.now()
    plan.conflicts = _conflicts(world, plan)
    return plan


def delete(world, plan):
    if plan.status != 'saved':
        raise ApiError(400, 'Deployment with key %s cannot be deleted: it is %s, and only saved plans can be deleted.'
                       % (plan.key, plan.status))
    del world.deployment_index[plan.key.lower()]


def _environment_from(world, body, field, role):
    key = body.get(field)
    if not isinstance(key, str) or not key:
        raise ApiError(400, '%s is required and must be an environment key.' % field)
    env = world.env_index.get(key.lower())
    if env is None:
        raise ApiError(404, '%s environment with key %s not found.' % (role, key))
    return env


def _notes(body):
    notes = body.get('Notes') or ''
    if not isinstance(notes, str):
        raise ApiError(400, 'Notes must be text.')
    return notes


def _operations(world, target, operations):
    if operations is None:
        return []
    if not isinstance(operations, list):
        raise ApiError(400, 'ApplicationOperations must be a list of {"ApplicationVersionKey", "DeploymentZoneKey"} objects.')
    result, seen = [], set()
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise ApiError(400, 'ApplicationOperations[%d] must be an object.' % index)
        version_key = operation.get('ApplicationVersionKey')
        if not isinstance(version_key, str) or not version_key:
            raise ApiError(400, 'ApplicationOperations[%d] has no ApplicationVersionKey.' % index)
        version = world.version_index.get(version_key.lower())
        if version is None:
            raise ApiError(400, 'Application version with key %s (ApplicationOperations[%d]) does not exist.' % (version_key, index))
        zone_key = operation.get('DeploymentZoneKey') or ''
        if not isinstance(zone_key, str):
            raise ApiError(400, 'ApplicationOperations[%d].DeploymentZoneKey must be text ("" for the default zone).' % index)
        zone = target.zone(zone_key) if zone_key else None
        if zone_key and zone is None:
            raise ApiError(400, 'Deployment zone with key %s does not exist in environment %s (%s); use "" for the default zone.'
                           % (zone_key, target.key, target.name))
        app = world.app_index[version.application_key.lower()]
        if app.key in seen:
            raise ApiError(400, 'Application %s (%s) appears more than once in ApplicationOperations.' % (app.key, app.name))
        seen.add(app.key)
        result.append(Operation(app_key=app.key, version_key=version.key, zone_key=zone.key if zone else ''))
    return result


def _update_binary(world, plan, body):
    """A plan created from a package deploys what the package holds: only its Notes can change (unless the scenario says read-only).

    The definition requires every field of the body, so the others are accepted when they repeat what the plan has
    (SourceEnvironmentKey "", its target, ApplicationOperations []).
    """
    if world.binary_plans_read_only:
        raise ApiError(400, 'Deployment %s was created from a binary package and is read-only.' % plan.key)
    unchanged = {'SourceEnvironmentKey': '', 'TargetEnvironmentKey': plan.target_key, 'ApplicationOperations': []}
    fixed = sorted(field for field, value in body.items()
                   if field != 'Notes' and not (field in unchanged and _same(value, unchanged[field])))
    if fixed:
        raise ApiError(400, 'Deployment %s was created from a binary package: %s cannot change, only Notes.' % (plan.key, ', '.join(fixed)))
    plan.notes = _notes(body)
    plan.saved_on = world.now()
    return plan


def _same(value, expected):
    if isinstance(value, str) and isinstance(expected, str):
        return value.lower() == expected.lower()
    return value == expected


def _module_entry(item):
    """Whether a package manifest's module entry has what the simulator needs of it."""
    return isinstance(item, dict) and all(isinstance(item.get(f), str) and item.get(f)
                                          for f in ('ModuleKey', 'ModuleName', 'ModuleVersionKey'))


def plan_extensions(world, plan):
    """(key, name, logical databases) of each extension with logical databases that a plan deploys."""
    if plan.package is not None:
        return [(m['ModuleKey'], m['ModuleName'], [n for n in m['LogicalDatabases'] if isinstance(n, str) and n])
                for a in plan.package.manifest['Applications'] for m in a.get('Modules') or []
                if _module_entry(m) and isinstance(m.get('LogicalDatabases'), list)]
    extensions = []
    for op in plan.operations:
        version = world.version_index[op.version_key.lower()]
        for mv_key in version.module_version_keys:
            module = world.module_index[world.module_version_index[mv_key.lower()].module_key.lower()]
            if module.logical_databases:
                extensions.append((module.key, module.name, list(module.logical_databases)))
    return extensions


def missing_mappings(world, plan):
    """The logical databases a plan deploys that its target has not mapped to a database connection (REST_LogicalDatabase)."""
    target = world.env_index[plan.target_key.lower()]
    return [{'ExtensionKey': key, 'ExtensionName': name, 'LogicalDatabase': database}
            for key, name, databases in plan_extensions(world, plan) for database in databases
            if (key.lower(), database.lower()) not in target.database_mappings]


def configure(world, plan, mappings):
    """POST /deployments/{key}/configuration/: map the logical databases the plan waits for (ExtensionDBFullMapping list)."""
    target = world.env_index[plan.target_key.lower()]
    if plan.status != 'needs_user_intervention' or plan.info != 'needs_configuration_or_confirmation':
        raise ApiError(400, 'The deployment provided is not awaiting for confirmation: deployment %s is %s%s.'
                       % (plan.key, plan.status, ' (%s)' % plan.info if plan.info else ''))
    if not isinstance(mappings, list) or not mappings:
        raise ApiError(400, 'Extension mappings were not provided: the body must be a list of {"ExtensionKey", "DBMapping"}.')
    extensions = {key.lower(): (key, databases) for key, _name, databases in plan_extensions(world, plan)}
    given = {}
    for item in mappings:
        extension_key = item.get('ExtensionKey') if isinstance(item, dict) else None
        if not isinstance(extension_key, str) or extension_key.lower() not in extensions:
            raise ApiError(400, 'The extension provided does not exist or is not part of this deployment: %s' % (extension_key,))
        key, databases = extensions[extension_key.lower()]
        pairs = item.get('DBMapping')
        if not isinstance(pairs, list) or not pairs:
            raise ApiError(400, 'DB mappings were not provided for extension %s' % key)
        for pair in pairs:
            logical = pair.get('LogicalDatabaseName') if isinstance(pair, dict) else None
            if not isinstance(logical, str) or logical.lower() not in {d.lower() for d in databases}:
                raise ApiError(400, 'The logical database %s does not exist for this extension (%s)' % (logical, key))
            database = pair.get('DatabaseName')
            if not isinstance(database, str) or database not in target.database_connections:
                raise ApiError(400, "The database %s does not exist for this extension (%s): environment '%s' has the database "
                                    "connections %s" % (database, key, target.name, ', '.join(target.database_connections) or 'none'))
            given[(key.lower(), logical.lower())] = (key, next(d for d in databases if d.lower() == logical.lower()), database)
    for missing in missing_mappings(world, plan):
        if (missing['ExtensionKey'].lower(), missing['LogicalDatabase'].lower()) not in given:
            if not any(k == missing['ExtensionKey'].lower() for k, _l in given):
                raise ApiError(400, 'The mapping for the following extension was not provided: %s' % missing['ExtensionKey'])
            raise ApiError(400, 'The mapping for the following logical database was not provided: %s' % missing['LogicalDatabase'])
    for key, logical, database in given.values():
        target.database_mappings[(key.lower(), logical.lower())] = database
        plan.database_mappings.append({'ExtensionKey': key, 'LogicalDatabaseName': logical, 'DatabaseName': database})
    plan.needs_mappings = False
    plan.log.append(LogLine(world.now(), "Database connection mappings configured in '%s'." % target.name))
    if world.configuration_continues:
        # The definition does not say whether LifeTime waits for continue after this; this way a later continue answers 400.
        _resume(world, plan, 'Deployment resumed after its database connection mappings were configured.')


def plan_applications(world, plan):
    """The applications a plan deploys, as objects with ``key`` and ``name`` (for rule matching)."""
    if plan.package is not None:
        return [types.SimpleNamespace(key=a['ApplicationKey'], name=a['ApplicationName'])
                for a in plan.package.manifest['Applications']]
    return [world.app_index[op.app_key.lower()] for op in plan.operations]


def _package_producer(plan, rule):
    """The package application a conflict rule names (the first one when it names none), and its operation as LifeTime shows it."""
    entries = plan.package.manifest['Applications']
    ref = (rule['application'] or '').lower()
    entry = next((e for e in entries if ref in (e['ApplicationKey'].lower(), e['ApplicationName'].lower())), entries[0])
    producer = types.SimpleNamespace(key=entry['ApplicationKey'], name=entry['ApplicationName'],
                                     module_keys=[module['ModuleKey'] for module in entry.get('Modules') or []])
    view = {'ApplicationKey': entry['ApplicationKey'], 'ApplicationVersionKey': entry.get('VersionKey', ''),
            'DeploymentOperation': 'Deploy %s' % entry.get('Version', ''), 'DeploymentZoneKey': ''}
    return producer, view


def _conflicts(world, plan):
    """ApplicationConflicts of a plan, from the conflict rules that match it."""
    target = world.env_index[plan.target_key.lower()]
    conflicts = []
    apps = plan_applications(world, plan)
    for rule in world.take_rules('conflicts', target, apps):
        if plan.package is not None:
            producer, producer_view = _package_producer(plan, rule)
        else:
            producer_op = next((op for op in plan.operations if _names(world, op.app_key, rule['application'])), plan.operations[0]) \
                if plan.operations else None
            if producer_op is None:
                continue
            producer = world.app_index[producer_op.app_key.lower()]
            producer_view = operation_view(world, producer_op)
        consumer = world.find_application(rule['consumer']) if rule['consumer'] else next(
            (a for a in world.running_apps(target) if not a.is_system and a.key != producer.key), producer)
        consumer_status = world.status_index.get((target.key.lower(), consumer.key.lower()))
        consumer_version = consumer_status.base_version_key if consumer_status else ''
        conflicts.append({
            'Message': rule['message'] or "Application '%s' uses elements of '%s' that will be missing or incompatible after "
                                          "this deployment." % (consumer.name, producer.name),
            'ProducerApplicationOperation': producer_view,
            'ConsumerApplicationOperation': {'ApplicationKey': consumer.key, 'ApplicationVersionKey': consumer_version,
                                             'DeploymentOperation': 'No changes',
                                             'DeploymentZoneKey': consumer_status.zone_key if consumer_status else ''},
            'ModuleConflict': {'ProducerModuleKey': producer.module_keys[0] if producer.module_keys else '',
                               'ConsumerModuleKey': consumer.module_keys[0] if consumer.module_keys else '',
                               'TotalRequiredElements': 1, 'ConflictType': rule['conflict_type']},
        })
    return conflicts


def _names(world, app_key, ref):
    app = world.app_index[app_key.lower()]
    return ref is None or ref.lower() in (app.key.lower(), app.name.lower())


def operation_view(world, op):
    version = world.version_index.get(op.version_key.lower())
    return {'ApplicationKey': op.app_key, 'ApplicationVersionKey': op.version_key,
            'DeploymentOperation': 'Deploy %s' % version.number if version else 'Deploy',
            'DeploymentZoneKey': op.zone_key}


# ------------------------------------------------------------------ commands

def execute(world, plan, command, *, redeploy_outdated=True, continue_with_errors=False):
    """POST /deployments/{key}/{command}/."""
    command = command.lower()
    if command not in COMMANDS:
        raise ApiError(404, "Command '%s' not found: use start, continue or abort." % command)
    {'start': start, 'continue': resume, 'abort': abort}[command](
        world, plan, redeploy_outdated=redeploy_outdated, continue_with_errors=continue_with_errors)


def _refuse(command, plan, reason):
    raise ApiError(400, "Command %s can't be executed for deployment %s: %s" % (command, plan.key, reason))


def start(world, plan, *, redeploy_outdated=True, continue_with_errors=False, hold=None):
    if plan.status != 'saved':
        _refuse('start', plan, 'it is %s, and only a saved plan can be started.' % plan.status)
    target = world.env_index[plan.target_key.lower()]
    blocking = sorted((d for d in world.deployment_index.values()
                       if d.target_key == plan.target_key and d.status in BLOCKING_STATUSES and d is not plan),
                      key=lambda d: d.seq)
    if blocking:
        _refuse('start', plan, "deployment %s is %s in the target environment '%s', and only one deployment can run at a "
                               "time per environment." % (blocking[0].key, blocking[0].status, target.name))
    if not plan.operations and not plan.is_binary:
        _refuse('start', plan, 'the plan has no applications to deploy.')
    apps = plan_applications(world, plan)
    blocked = _blocked_reason(world, target, apps)
    if blocked:
        _refuse('start', plan, blocked + '.')
    outcome = world.take_rule('outcomes', target, apps)
    if outcome:
        plan.outcome, plan.outcome_message = outcome['status'], outcome['message']
        plan.failed_application = outcome.get('application')
    intervention = world.take_rule('interventions', target, apps)
    if intervention:
        plan.intervention = intervention['info']
        plan.intervention_phase = INTERVENTION_PHASE[intervention['info']]
    plan.redeploy_outdated, plan.continue_with_errors = redeploy_outdated, continue_with_errors
    plan.status = 'running'
    plan.started_on = world.now()
    plan.mappings_checked = False
    plan.next_phase, plan.next_due = 0, world.mono()
    plan.held_until = hold
    world.active_deployments.add(plan.key.lower())


def resume(world, plan, **_options):
    if plan.status != 'needs_user_intervention':
        _refuse('continue', plan, 'it is %s, and only a plan in needs_user_intervention can be continued.' % plan.status)
    if plan.needs_mappings:
        target = world.env_index[plan.target_key.lower()]
        _refuse('continue', plan, "database connection mappings are missing in the target environment '%s' "
                                  "(needs_configuration_or_confirmation). Configure them in LifeTime first: a plain "
                                  "continue does not fix it." % target.name)
    _resume(world, plan, 'Deployment resumed by the user.')


def _resume(world, plan, message):
    """A paused plan runs again: its next phase one step from now."""
    plan.status, plan.info = 'running', ''
    plan.log.append(LogLine(world.now(), message))
    plan.next_due = world.mono() + world.step_seconds
    world.active_deployments.add(plan.key.lower())


def abort(world, plan, **_options):
    if plan.status == 'needs_user_intervention':
        _finish_abort(world, plan, world.mono())
    elif plan.status == 'running':
        plan.status, plan.held_until = 'aborting', None
        plan.log.append(LogLine(world.now(), 'Aborting deployment.'))
        plan.next_due = world.mono() + world.step_seconds
    else:
        _refuse('abort', plan, 'it is %s, and only a running plan or one in needs_user_intervention can be aborted.'
                % plan.status)


def start_blocking(world, target, application, source, hold_seconds):
    env = world.environment(target)
    running = world.running_apps(env)
    if application:
        app = world.application(application)
    else:
        app = next((a for a in running if not a.is_system), running[0] if running else None)
    if app is None:
        raise ValueError('%s runs no application to redeploy' % env.name)
    status = world.app_status(env.key, app.key)
    version_key = status.base_version_key if status else world.versions(app)[-1].key
    source_env = world.environment(source) if source else next(e for e in world.environments() if e.key != env.key)
    plan = new_plan(world, source_env, env, [Operation(app.key, version_key, status.zone_key if status else '')],
                    'Blocking deployment started by the simulator')
    start(world, plan, hold=math.inf if hold_seconds is None else world.mono() + float(hold_seconds))
    return plan.key


# ------------------------------------------------------------------ progress

def advance(world, plan, now):
    """Apply the phases of a started plan that are due at monotonic time ``now``."""
    if plan.status == 'aborting':
        if now >= plan.next_due:
            _finish_abort(world, plan, plan.next_due)
        return
    if plan.status != 'running':
        world.active_deployments.discard(plan.key.lower())
        return
    if plan.held_until is not None:
        if now < plan.held_until:
            return
        plan.next_due, plan.held_until = max(plan.next_due, plan.held_until), None
    while plan.status == 'running' and now >= plan.next_due:
        due = plan.next_due
        if plan.next_phase == INTERVENTION_PHASE['needs_configuration_or_confirmation'] and not plan.mappings_checked:
            plan.mappings_checked = True
            if missing_mappings(world, plan):
                _stop_for_intervention(world, plan, due, 'needs_configuration_or_confirmation')
                return
        if plan.intervention and plan.next_phase == plan.intervention_phase:
            info, plan.intervention = plan.intervention, ''
            _stop_for_intervention(world, plan, due, info)
            return
        _apply_phase(world, plan, plan.next_phase, due)
        plan.next_phase += 1
        plan.next_due = due + world.step_seconds


def _stop_for_intervention(world, plan, due, info):
    target = world.env_index[plan.target_key.lower()]
    message = INTERVENTION_MESSAGE[info]
    plan.log.append(LogLine(world.date_of(due), message % target.name if '%s' in message else message, 'Warning'))
    plan.status, plan.info = 'needs_user_intervention', info
    plan.needs_mappings = info == 'needs_configuration_or_confirmation'
    world.active_deployments.discard(plan.key.lower())


def _finish_abort(world, plan, due):
    plan.status, plan.info = 'aborted', ''
    plan.aborted_on = world.date_of(due)
    plan.log.append(LogLine(plan.aborted_on, 'Deployment aborted.', 'Warning'))
    plan.finished_at = world.wall_of(due)
    world.active_deployments.discard(plan.key.lower())


def _apply_phase(world, plan, phase, due):
    target = world.env_index[plan.target_key.lower()]
    if phase < FINAL_PHASE:
        lines = _phase_lines(world, plan, phase)
    else:
        if plan.outcome in ('finished_successful', 'finished_with_warnings'):
            _apply_to_target(world, plan, target)
        elif plan.outcome == 'finished_with_errors' and plan.continue_with_errors and plan.failed_application:
            # ContinueWithErrors: the applications that did not fail are deployed, the one that failed is not.
            _apply_to_target(world, plan, target, leave_out=plan.failed_application)
        if plan.outcome == 'aborted':
            plan.aborted_on = world.date_of(due)
        lines = _final_lines(plan, target, _module_names(world, plan))
        plan.status = plan.outcome
        plan.finished_at = world.wall_of(due)
        world.active_deployments.discard(plan.key.lower())
    when = world.date_of(due)
    plan.log.extend(LogLine(when, *line) if isinstance(line, tuple) else LogLine(when, line) for line in lines)


def _phase_lines(world, plan, phase):
    """The log lines of the upload (0), prepare (1) and deploy (2) phases, worded like seeds 000 and 001."""
    source = world.env_index[plan.source_key.lower()].name if plan.source_key else ''
    target = world.env_index[plan.target_key.lower()].name
    modules = _module_names(world, plan)
    plan_name = ('%s_to_%s' % (source, target) if source else 'Binary_deployment_to_%s' % target).replace(' ', '_')
    if phase == 0:
        if plan.is_binary:
            return ['Uploaded solution pack file from disk']
        return ['Uploading modules from %s to %s' % (source, target)] + [
            "Uploading '%s' from %s to %s" % (app.name, source, target) for app in plan_applications(world, plan)]
    if phase == 1:
        lines = ['Applying Deployment Zones configurations in %s Environment' % target,
                 'Creating solution pack in %s' % target,
                 "Upgrading and refreshing modules of '%s'." % plan_name]
        if not plan.is_binary:  # binary deployments skip impact analysis (seed 003)
            lines.append("Performing Impact Analysis of '%s'." % plan_name)
        return lines + ["Compiling module '%s'." % name for name in modules]
    lines = ["Deploying modules of '%s'." % plan_name]
    for name in modules:
        lines += ["Creating tables and altering columns of module '%s'" % name, "Deploying module '%s'." % name,
                  "Updating status of module '%s'." % name]
    return lines


def _final_lines(plan, target, modules):
    """The last log lines, as (message, Type) pairs."""
    first_module = modules[0] if modules else 'the application'
    sync = [("Synchronizing data with '%s' environment." % target.name, 'Info'),
            ("Updating application versions for '%s' environment." % target.name, 'Info')]
    if plan.outcome == 'finished_with_warnings':
        return [("Module '%s' was deployed with warnings: %s"
                 % (first_module, plan.outcome_message or 'deprecated elements are still in use.'), 'Warning')] + sync + [
            ('Deploy completed with warnings', 'Warning')]
    if plan.outcome == 'finished_with_errors':
        return [("Error deploying module '%s': %s" % (first_module, plan.outcome_message or 'the database upgrade failed.'), 'Error'),
                ('Deploy finished with errors', 'Error')]
    if plan.outcome == 'aborted':
        return [('Deployment aborted: %s' % (plan.outcome_message or 'the deployment was stopped by LifeTime.'), 'Error')]
    return sync + [('Deploy completed', 'Info')]


def record_finished(world, plan, started_on, status, seconds_per_phase=20):
    """Give a plan from the scenario's history the log and dates of a run that ended with ``status``.

    History is only a record: what environments run comes from the scenario itself.
    """
    plan.status, plan.outcome = 'running', status
    plan.started_on = started_on
    target = world.env_index[plan.target_key.lower()]
    for phase in range(FINAL_PHASE + 1):
        when = started_on + datetime.timedelta(seconds=phase * seconds_per_phase)
        lines = _phase_lines(world, plan, phase) if phase < FINAL_PHASE else _final_lines(plan, target, _module_names(world, plan))
        plan.log.extend(LogLine(when, *line) if isinstance(line, tuple) else LogLine(when, line) for line in lines)
    plan.status = status
    plan.finished_at = (started_on + datetime.timedelta(seconds=FINAL_PHASE * seconds_per_phase)).timestamp()
    if status == 'aborted':
        plan.aborted_on = started_on + datetime.timedelta(seconds=FINAL_PHASE * seconds_per_phase)


def _module_names(world, plan):
    if plan.package is not None:
        return [m['ModuleName'] for a in plan.package.manifest['Applications'] for m in a.get('Modules') or []
                if isinstance(m, dict) and isinstance(m.get('ModuleName'), str)]
    names = []
    for op in plan.operations:
        app = world.app_index[op.app_key.lower()]
        names.extend(world.module_index[k.lower()].name for k in app.module_keys)
    return names


def _apply_to_target(world, plan, target, leave_out=None):
    if plan.package is not None:
        for entry in plan.package.manifest['Applications']:
            if leave_out is None or leave_out.lower() not in (entry['ApplicationKey'].lower(), entry['ApplicationName'].lower()):
                _install(world, target, entry)
        return
    for op in plan.operations:
        app = world.app_index[op.app_key.lower()]
        if leave_out is None or leave_out.lower() not in (app.key.lower(), app.name.lower()):
            world.set_running_version(target.key, op.app_key, op.version_key, zone_key=op.zone_key)


def _install(world, target, entry):
    """Run one application of an uploaded package in the target, creating what this LifeTime does not know yet."""
    app = world.app_index.get(entry['ApplicationKey'].lower())
    if app is None:
        app = world.add_application(entry['ApplicationName'], key=entry['ApplicationKey'],
                                    kind=_text(entry, 'ApplicationKind', 'WebResponsive'),
                                    team=_text(entry, 'Team', ''), description=_text(entry, 'Description', ''))
    version = world.version_index.get(entry['VersionKey'].lower())
    if version is None:
        now = world.now()
        module_versions = {}
        for item in entry.get('Modules') or []:
            if not _module_entry(item):
                continue
            databases = [n for n in item.get('LogicalDatabases') or [] if isinstance(n, str) and n]
            module = world.module_index.get(item['ModuleKey'].lower()) or world.add_module(
                app.key, item['ModuleName'], key=item['ModuleKey'], kind=_text(item, 'ModuleKind', 'eSpace'),
                logical_databases=databases)
            module_version = world.module_version_index.get(item['ModuleVersionKey'].lower()) or \
                world.add_module_version(module, now, key=item['ModuleVersionKey'])
            module_versions[module.key] = module_version.key
        mobile = [MobileVersion(m.get('NativePlatform', ''), m.get('VersionNumber', ''), m.get('VersionDescription', ''))
                  for m in entry.get('MobileVersions') or [] if isinstance(m, dict)]
        version = world.add_version(app.key, entry['Version'], key=entry['VersionKey'], created_on=_date(entry, now),
                                    change_log=_text(entry, 'ChangeLog', ''), mobile_versions=mobile,
                                    module_versions=module_versions, env_ref=target.key)
    world.set_running_version(target.key, app.key, version.key, modified=bool(entry.get('IsModified')))


def _text(entry, field, default):
    value = entry.get(field)
    return value if isinstance(value, str) else default


def _date(entry, default):
    try:
        return parse_date(entry['CreatedOn'])
    except (KeyError, TypeError, ValueError):
        return default


def started_by(plan):
    """StartedBy/StartedByUsername of a plan ("" until it starts)."""
    return (API_USER, API_USERNAME) if plan.started_on else ('', '')
