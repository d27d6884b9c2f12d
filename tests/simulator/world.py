# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state of the simulated infrastructure, with the helpers tests use.

Everything here runs under ``World.lock`` (an RLock): the HTTP layer holds it
while it handles a request, and tests take it (``with sim.lock:``) when they
read or change several things at once. The query helpers take it themselves.

Time: deployments and solutions progress lazily. ``advance()`` runs at the
start of every request and in every query helper; it applies all the steps
whose instant has passed on the monotonic clock, so no background thread is
needed and the exact instant a plan became terminal is known.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import threading
import time

from tests.simulator import deployments, solutions, sourcecode
from tests.simulator.governance import Governance, GovernanceHelpers
from tests.simulator.model import (
    AppStatus, Application, DEFAULT_LIFETIME_VERSION, DeploymentZone, DownloadLink, Environment, INTERVENTION_INFOS,
    MobileVersion, Module, ModuleVersion, TERMINAL_STATUSES, Version, derived_key, iso, new_key,
)
from tests.simulator.packages import MANIFEST_FORMAT, PackageSpec

MIB = 1024 * 1024
DEFAULT_LINK_TTL_SECONDS = 3600
KEY_QUOTING_MODES = ('route', 'bare', 'quoted', 'alternate')
OUTCOME_STATUSES = ('finished_successful', 'finished_with_warnings', 'finished_with_errors', 'aborted')
# What a download link can be made to serve instead of its package (fake_downloads; README.md, Behaviour).
FAKE_DOWNLOADS = ('login_page', 'empty', 'truncated', 'wrong_content_type')
SETTINGS = ('step_seconds', 'link_ttl_seconds', 'key_quoting', 'allow_binary_to_production', 'binary_plans_read_only', 'solution_create_status',
            'binary_size_mb', 'lifetime_version', 'configuration_continues', 'packaging_queued_steps', 'external_authentication')
# What an older LifeTime lacks: the version each feature appeared in (the definition says 11.21.1 for the database
# mapping and source code endpoints; BaseApplicationVersionLabel's version is not documented, see README.md).
FEATURE_VERSIONS = {
    'database_mappings': (11, 21, 1),
    'source_code_access': (11, 21, 1),
    'base_version_label': (11, 21, 1),
}


def version_tuple(text):
    """'11.21.1' -> (11, 21, 1); ValueError for anything that is not dotted numbers."""
    parts = str(text).strip().split('.')
    if not all(part.isdigit() for part in parts):
        raise ValueError('lifetime_version must be dotted numbers such as 11.21.1, got %r' % (text,))
    return tuple(int(part) for part in parts)


def _matches(ref, *candidates):
    """True when a rule's target/application reference (None = any) names one of the candidates."""
    if ref is None:
        return True
    ref = ref.lower()
    return any(c is not None and ref in (c.key.lower(), c.name.lower()) for c in candidates)


class World(GovernanceHelpers):
    """Environments, applications, versions, deployments, solutions and links of one LifeTime."""

    def __init__(self, *, step_seconds=0.0, binary_size_mb=0):
        self.lock = threading.RLock()
        self.step_seconds = float(step_seconds)
        self.package_size_bytes = int(float(binary_size_mb) * MIB)
        self.base_url = ''  # set by the Simulator once it is bound; download links point here
        self.link_ttl_seconds = DEFAULT_LINK_TTL_SECONDS
        self.key_quoting = 'route'
        self.allow_binary_to_production = True
        self.binary_plans_read_only = False
        # outsystems-pipeline expects 200 from POST .../solution; the creating calls of seed 002 answer 201.
        self.solution_create_status = 201
        self.lifetime_version = version_tuple(DEFAULT_LIFETIME_VERSION)
        # No document says whether POST .../configuration/ resumes the plan by itself; both ways are served (README.md).
        self.configuration_continues = False
        # Steps a new solution or source code package spends Queued before its first documented status (README.md).
        self.packaging_queued_steps = 0
        self.env_index = {}
        self.governance = Governance(self)  # users, roles, teams, database connections: filled by the scenario
        self.app_index = {}
        self.module_index = {}
        self.module_version_index = {}
        self.version_index = {}
        self.status_index = {}  # (env key, app key), lower case -> AppStatus
        self.deployment_index = {}
        self.solution_index = {}
        self.source_package_index = {}
        self.app_configurations = {}  # (app key, env key), lower case -> {'blocked': bool, 'reason': str}
        self.link_index = {}
        self.fake_download = None  # (kind, content type or None, how many more or None): see fake_downloads
        self.uploaded_packages = []
        self.rules = {'outcomes': [], 'interventions': [], 'conflicts': [], 'solutions': []}
        self.active_deployments = set()  # keys of plans whose progress advance() must follow
        self.active_solutions = set()
        self.active_source_packages = set()
        self._seq = itertools.count()
        self._quote_toggle = itertools.count()
        self._mono0 = time.monotonic()
        self._wall0 = time.time()
        self._skew = 0.0

    def configure(self, **settings):
        """Change settings at run time (the names of the scenario's ``settings`` section)."""
        with self.lock:
            for name, value in settings.items():
                if name not in SETTINGS:
                    raise ValueError('unknown setting %r; known: %s' % (name, ', '.join(SETTINGS)))
                if name == 'key_quoting' and value not in KEY_QUOTING_MODES:
                    raise ValueError('key_quoting must be one of %s, got %r' % (', '.join(KEY_QUOTING_MODES), value))
                if name == 'binary_size_mb':
                    self.package_size_bytes = int(float(value) * MIB)
                elif name in ('step_seconds', 'link_ttl_seconds'):
                    setattr(self, name, float(value))
                elif name == 'solution_create_status':
                    self.solution_create_status = int(value)
                elif name == 'lifetime_version':
                    self.lifetime_version = version_tuple(value)
                elif name == 'packaging_queued_steps':
                    if isinstance(value, bool) or int(value) != value or value < 0:
                        raise ValueError('packaging_queued_steps must be a whole number of steps, 0 or more, got %r' % (value,))
                    self.packaging_queued_steps = int(value)
                elif name == 'external_authentication':
                    if not isinstance(value, bool):
                        raise ValueError('external_authentication must be true or false, got %r' % (value,))
                    self.governance.external_authentication = value
                elif name == 'configuration_continues':
                    if not isinstance(value, bool):
                        raise ValueError('configuration_continues must be true or false, got %r' % (value,))
                    self.configuration_continues = value
                else:
                    setattr(self, name, value)

    def supports(self, feature):
        """Whether the LifeTime version the simulator answers as has a feature of FEATURE_VERSIONS."""
        return self.lifetime_version >= FEATURE_VERSIONS[feature]

    # ------------------------------------------------------------------ time

    def mono(self):
        """The simulator's monotonic clock (moved forward by ``advance_time``)."""
        return time.monotonic() + self._skew

    def wall_of(self, mono):
        """The time.time() value of a monotonic instant."""
        return self._wall0 + (mono - self._mono0)

    def now(self):
        return datetime.datetime.fromtimestamp(self.wall_of(self.mono()), datetime.timezone.utc)

    def date_of(self, mono):
        return datetime.datetime.fromtimestamp(self.wall_of(mono), datetime.timezone.utc)

    def advance_time(self, seconds):
        """Move the simulator's clocks forward: progress as if ``seconds`` had passed."""
        with self.lock:
            self._skew += float(seconds)
            self.advance()

    def advance(self):
        """Apply every deployment and solution step that is due."""
        with self.lock:
            now = self.mono()
            for key in sorted(self.active_deployments, key=lambda k: self.deployment_index[k].seq):
                deployments.advance(self, self.deployment_index[key], now)
            for key in list(self.active_solutions):
                solutions.advance(self, self.solution_index[key], now)
            for key in list(self.active_source_packages):
                sourcecode.advance(self, self.source_package_index[key], now)

    # --------------------------------------------------------------- lookups

    def find_environment(self, ref):
        """The environment with this key or name (case-insensitive), or None."""
        return self._find(self.env_index, ref)

    def find_application(self, ref):
        """The application with this key or name (case-insensitive), or None."""
        return self._find(self.app_index, ref)

    def find_deployment(self, key):
        return self.deployment_index.get(str(key).lower())

    def find_solution(self, key):
        return self.solution_index.get(str(key).lower())

    def find_source_package(self, key):
        return self.source_package_index.get(str(key).lower())

    def find_version(self, app_ref, ref):
        """The version of an application with this key or version number, or None."""
        app = self.find_application(app_ref)
        if app is None:
            return None
        version = self.version_index.get(str(ref).lower())
        if version is not None and version.application_key == app.key:
            return version
        return next((v for v in self.versions(app) if v.number == ref), None)

    @staticmethod
    def _find(index, ref):
        if ref is None:
            return None
        ref = getattr(ref, 'key', ref)  # helpers accept the records themselves too
        found = index.get(str(ref).lower())
        if found is None:
            lowered = str(ref).lower()
            found = next((o for o in index.values() if o.name.lower() == lowered), None)
        return found

    def environment(self, ref):
        return self._require(self.find_environment(ref), 'environment', ref)

    def application(self, ref):
        return self._require(self.find_application(ref), 'application', ref)

    def deployment(self, key):
        with self.lock:
            self.advance()
            return self._require(self.find_deployment(key), 'deployment', key)

    def version(self, app_ref, ref):
        return self._require(self.find_version(app_ref, ref), 'version of %s' % app_ref, ref)

    @staticmethod
    def _require(found, what, ref):
        if found is None:
            raise KeyError('the simulator has no %s %r' % (what, ref))
        return found

    def app_status(self, env_ref, app_ref):
        """What an environment runs of an application (AppStatus), or None."""
        env, app = self.find_environment(env_ref), self.find_application(app_ref)
        if env is None or app is None:
            return None
        return self.status_index.get((env.key.lower(), app.key.lower()))

    # --------------------------------------------------------------- queries

    def environments(self):
        return sorted(self.env_index.values(), key=lambda e: (e.order, e.name))

    def applications(self):
        return sorted(self.app_index.values(), key=lambda a: a.name.lower())

    def versions(self, app_ref):
        """The versions of an application, oldest first."""
        app = self.application(app_ref)
        return sorted((self.version_index[k.lower()] for k in app.version_keys), key=lambda v: v.created_on)

    def running_apps(self, env_ref):
        env = self.environment(env_ref)
        return [app for app in self.applications() if (env.key.lower(), app.key.lower()) in self.status_index]

    def running_version(self, env_ref, app_ref):
        """The version number an environment runs of an application (its base version), or None."""
        with self.lock:
            self.advance()
            status = self.app_status(env_ref, app_ref)
            return self.version_index[status.base_version_key.lower()].number if status else None

    def running_version_key(self, env_ref, app_ref):
        with self.lock:
            self.advance()
            status = self.app_status(env_ref, app_ref)
            return status.base_version_key if status else None

    def is_modified(self, env_ref, app_ref):
        """True when the application changed in that environment since its last tag."""
        with self.lock:
            self.advance()
            status = self.app_status(env_ref, app_ref)
            return bool(status and status.modified)

    def deployments(self, target=None):
        """The deployment plans in creation order, optionally only those for one target environment."""
        with self.lock:
            self.advance()
            plans = sorted(self.deployment_index.values(), key=lambda d: d.seq)
            if target is not None:
                env = self.environment(target)
                plans = [d for d in plans if d.target_key == env.key]
            return plans

    def latest_deployment(self, target=None):
        plans = self.deployments(target)
        return plans[-1] if plans else None

    def solutions(self):
        with self.lock:
            self.advance()
            return sorted(self.solution_index.values(), key=lambda s: s.created_on)

    def in_use_version_keys(self):
        """Keys of versions running somewhere or part of a plan that is not terminal."""
        keys = {s.base_version_key.lower() for s in self.status_index.values()}
        for plan in self.deployment_index.values():
            if plan.status not in TERMINAL_STATUSES:
                keys.update(op.version_key.lower() for op in plan.operations)
        return keys

    def where_running(self, version):
        return [self.env_index[s.env_key.lower()].name for s in self.status_index.values()
                if s.base_version_key.lower() == version.key.lower()]

    def deployment_summary(self, plan):
        """A plain dict describing a plan, with names instead of keys."""
        source = self.find_environment(plan.source_key) if plan.source_key else None
        target = self.find_environment(plan.target_key)
        apps = []
        for op in plan.operations:
            version = self.version_index.get(op.version_key.lower())
            app = self.app_index.get(op.app_key.lower())
            apps.append({'application': app.name if app else op.app_key, 'version': version.number if version else None,
                         'version_key': op.version_key, 'deployment_zone_key': op.zone_key})
        if plan.package is not None:
            apps = [{'application': a['ApplicationName'], 'version': a['Version'], 'version_key': a['VersionKey'],
                     'deployment_zone_key': ''} for a in plan.package.manifest['Applications']]
        return {
            'key': plan.key, 'source': source.name if source else '', 'target': target.name if target else plan.target_key,
            'status': plan.status, 'info': plan.info, 'notes': plan.notes, 'applications': apps,
            'binary': plan.is_binary, 'created_on': iso(plan.created_on), 'order': plan.seq,
            'finished_at': plan.finished_at, 'log': [line.message for line in plan.log],
            'database_mappings': [dict(m) for m in plan.database_mappings],
        }

    def summary(self):
        """The JSON summary served at GET /_simulator/state."""
        with self.lock:
            self.advance()
            envs = []
            for env in self.environments():
                running = {}
                for app in self.running_apps(env):
                    status = self.status_index[(env.key.lower(), app.key.lower())]
                    running[app.name] = {
                        'key': app.key, 'version': self.version_index[status.base_version_key.lower()].number,
                        'version_key': status.base_version_key, 'is_modified': status.modified,
                    }
                envs.append({'key': env.key, 'name': env.name, 'order': env.order, 'applications': running})
            return {
                'environments': envs,
                'applications': {a.name: {'key': a.key, 'kind': a.kind, 'is_system': a.is_system,
                                          'versions': [v.number for v in self.versions(a)]} for a in self.applications()},
                'deployments': [self.deployment_summary(d) for d in self.deployments()],
                'solutions': [{'key': s.key, 'name': s.name, 'environment': self.env_index[s.env_key.lower()].name,
                               'status': s.status, 'status_reason': s.status_reason} for s in self.solutions()],
                'uploaded_packages': [self.package_summary(p) for p in self.uploaded_packages],
            }

    @staticmethod
    def package_summary(package):
        return {'deployment_key': package.deployment_key, 'target_key': package.target_key, 'size': package.size,
                'sha256': package.sha256, 'kind': package.manifest.get('Kind'),
                'applications': [{'name': a['ApplicationName'], 'version': a['Version']}
                                 for a in package.manifest['Applications']]}

    # ------------------------------------------------------- building a world

    def add_environment(self, name, key=None, order=None, zones=None, **fields):
        key = key or derived_key('environment', name)
        order = len(self.env_index) if order is None else order
        env = Environment(key=key, name=name, order=order, **fields)
        env.zones = zones or [DeploymentZone(key=derived_key('zone', key, 'Global'), name='Global', is_default=True,
                                             technology_key=derived_key('technology', 'Classic'))]
        self.env_index[key.lower()] = env
        return env

    def add_application(self, name, key=None, **fields):
        key = key or derived_key('application', name)
        fields.setdefault('url_path', '/' + name.replace(' ', ''))
        fields.setdefault('icon_hash', 'IconHash' + derived_key('icon', key))
        app = Application(key=key, name=name, **fields)
        self.app_index[key.lower()] = app
        return app

    def add_module(self, app_ref, name, key=None, kind='eSpace', description='', logical_databases=()):
        app = self.application(app_ref)
        module = Module(key=key or derived_key('module', app.key, name), name=name, application_key=app.key, kind=kind,
                        description=description, logical_databases=list(logical_databases))
        self.module_index[module.key.lower()] = module
        app.module_keys.append(module.key)
        return module

    def add_module_version(self, module, created_on, key=None, general_hash=None):
        key = key or new_key()
        previous = module.version_keys[-1] if module.version_keys else None
        mv = ModuleVersion(key=key, module_key=module.key, created_on=created_on,
                           general_hash=general_hash or hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:22],
                           direct_upgrade_from_hash=self.module_version_index[previous.lower()].general_hash if previous else '')
        self.module_version_index[key.lower()] = mv
        module.version_keys.append(key)
        return mv

    def add_version(self, app_ref, number, *, key=None, created_on=None, change_log='', mobile_versions=None,
                    module_versions=None, native_hash='', env_ref=None):
        """Add a version of an application; each module gets a new module version unless ``module_versions`` maps them.

        ``env_ref`` is the environment it is created in (default: the first one, where development happens).
        """
        with self.lock:
            app = self.application(app_ref)
            env = self.environment(env_ref) if env_ref is not None else next(iter(self.environments()), None)
            created_on = created_on or self.now()
            module_versions = dict(module_versions or {})
            for module_key in app.module_keys:
                if module_key not in module_versions:
                    module = self.module_index[module_key.lower()]
                    module_versions[module_key] = self.add_module_version(
                        module, created_on, key=derived_key('module-version', app.key, number, module.key)).key
            if mobile_versions is None and app.is_mobile:
                mobile_versions = [MobileVersion('Android', number)]
            version = Version(key=key or derived_key('version', app.key, number), application_key=app.key, number=number,
                              created_on=created_on, change_log=change_log, module_version_keys=list(module_versions.values()),
                              mobile_versions=list(mobile_versions or []),
                              native_hash=native_hash or (derived_key('native', app.key, number) if app.is_mobile else ''),
                              env_key=env.key if env else '')
            self.version_index[version.key.lower()] = version
            app.version_keys.append(version.key)
            return version

    # ----------------------------------------------------- mutators for tests

    def set_running_version(self, env_ref, app_ref, version_ref, *, modified=False, zone_key=''):
        """Make an environment run a version of an application (adding the application there if needed)."""
        with self.lock:
            env, app = self.environment(env_ref), self.application(app_ref)
            version = self.version(app.key, version_ref)
            module_versions = {}
            for mv_key in version.module_version_keys:
                mv = self.module_version_index[mv_key.lower()]
                module_versions[mv.module_key] = mv.key
            status = AppStatus(env_key=env.key, app_key=app.key, base_version_key=version.key,
                               module_versions=module_versions, zone_key=zone_key)
            self.status_index[(env.key.lower(), app.key.lower())] = status
            self._map_running(env, app)
            if modified:
                self.mark_modified(env.key, app.key)
            return status

    def remove_running(self, env_ref, app_ref):
        """Make an environment stop running an application."""
        with self.lock:
            env, app = self.environment(env_ref), self.application(app_ref)
            self.status_index.pop((env.key.lower(), app.key.lower()), None)

    def mark_modified(self, env_ref, app_ref, *, reason='Module_Modified', message=None):
        """Change an application in an environment since its last tag: its first module gets a new, untagged version."""
        with self.lock:
            status = self.app_status(env_ref, app_ref)
            if status is None:
                raise KeyError('%s does not run in %s' % (app_ref, env_ref))
            app = self.application(status.app_key)
            base = self.version_index[status.base_version_key.lower()]
            if app.module_keys:
                module = self.module_index[app.module_keys[0].lower()]
                status.module_versions[module.key] = self.add_module_version(module, self.now()).key
            status.modified = True
            status.modified_reason = reason
            status.modified_message = message or 'At least one module was modified since the version %s' % base.number
            return status

    def add_outcome_rule(self, status, *, target=None, application=None, message='', once=False):
        """Plans started for a matching target/application end with ``status`` instead of finished_successful."""
        if status not in OUTCOME_STATUSES:
            raise ValueError('outcome status must be one of %s, got %r' % (', '.join(OUTCOME_STATUSES), status))
        rule = {'status': status, 'target': target, 'application': application, 'message': message, 'once': once}
        with self.lock:
            self.rules['outcomes'].append(rule)
        return rule

    def add_intervention_rule(self, info='deploy_prepared', *, target=None, application=None, once=False):
        """Plans started for a matching target/application stop in needs_user_intervention with this Info."""
        if info not in INTERVENTION_INFOS:
            raise ValueError('intervention info must be one of %s, got %r' % (', '.join(INTERVENTION_INFOS), info))
        rule = {'info': info, 'target': target, 'application': application, 'once': once}
        with self.lock:
            self.rules['interventions'].append(rule)
        return rule

    def add_conflict_rule(self, *, target=None, application=None, message=None, conflict_type='Producer Element Missing',
                          consumer=None, once=False):
        """Plans for a matching target/application list an ApplicationConflict in their details."""
        rule = {'target': target, 'application': application, 'message': message, 'conflict_type': conflict_type,
                'consumer': consumer, 'once': once}
        with self.lock:
            self.rules['conflicts'].append(rule)
        return rule

    def add_solution_rule(self, *, application=None, name=None, reason='Failed to get the binaries of module.', once=False):
        """Solutions matching an application key/name or a solution name end Aborted with ``reason``."""
        rule = {'application': application, 'name': name, 'reason': reason, 'once': once}
        with self.lock:
            self.rules['solutions'].append(rule)
        return rule

    def set_next_deployment_outcome(self, target, status, *, info=None, application=None, message=''):
        """Make the next plan started for ``target`` end with ``status`` (or stop in needs_user_intervention with ``info``)."""
        if status == 'needs_user_intervention':
            return self.add_intervention_rule(info or 'deploy_prepared', target=target, application=application, once=True)
        return self.add_outcome_rule(status, target=target, application=application, message=message, once=True)

    def clear_rules(self):
        with self.lock:
            for rules in self.rules.values():
                rules.clear()

    def take_rules(self, kind, target, apps, name=None, first=False):
        """The rules of a kind matching a target environment, applications and a (solution) name.

        Rules made with ``once`` are used up by being returned.
        """
        taken = []
        for rule in list(self.rules[kind]):
            if not _matches(rule.get('target'), target) or not _matches(rule.get('application'), *apps):
                continue
            if rule.get('name') is not None and rule['name'].lower() != (name or '').lower():
                continue
            if rule.get('once'):
                self.rules[kind].remove(rule)
            taken.append(rule)
            if first:
                break
        return taken

    def take_rule(self, kind, target, apps, name=None):
        rules = self.take_rules(kind, target, apps, name, first=True)
        return rules[0] if rules else None

    def start_blocking_deployment(self, target, *, application=None, source=None, hold_seconds=None):
        """Start a plan on ``target`` that stays running (for ``hold_seconds``, or until released or aborted).

        It redeploys what the target runs of ``application`` (default: the first
        application running there), so letting it finish changes nothing.
        Returns the plan's key.
        """
        with self.lock:
            self.advance()
            return deployments.start_blocking(self, target, application, source, hold_seconds)

    def release_deployment(self, key):
        """Let a plan started by start_blocking_deployment go on to its end."""
        with self.lock:
            plan = self.deployment(key)
            plan.held_until = None
            plan.next_due = max(plan.next_due, self.mono())
            self.advance()

    def provide_database_mappings(self, key):
        """Do what a user does in LifeTime's interface for needs_configuration_or_confirmation, so ``continue`` is accepted.

        Every logical database still unmapped in the target is mapped to a database connection of the same name
        (added to the target if it has none of that name).
        """
        with self.lock:
            plan = self.deployment(key)
            target = self.env_index[plan.target_key.lower()]
            for missing in deployments.missing_mappings(self, plan):
                name = missing['LogicalDatabase']
                if name not in target.database_connections:
                    target.database_connections.append(name)
                self._map_database(target, missing['ExtensionKey'], name, name)
            plan.needs_mappings = False

    @staticmethod
    def _map_database(env, extension_key, logical_database, connection):
        env.database_mappings[(extension_key.lower(), logical_database.lower())] = connection

    def add_extension(self, app_ref, name, *, logical_databases=(), key=None):
        """Give an application an extension module whose logical databases each target must map to a connection.

        Every version of the application (and what each environment runs of it) gets a version of the extension,
        as if it had always been there; environments that run the application have its logical databases mapped
        to connections of the same names.
        """
        with self.lock:
            app = self.application(app_ref)
            module = self.add_module(app.key, name, key=key, kind='Extension', logical_databases=logical_databases)
            for version in self.versions(app):
                mv = self.add_module_version(module, version.created_on,
                                             key=derived_key('module-version', app.key, version.number, module.key))
                version.module_version_keys.append(mv.key)
            for status in self.status_index.values():
                if status.app_key == app.key:
                    base = self.version_index[status.base_version_key.lower()]
                    status.module_versions[module.key] = next(k for k in base.module_version_keys
                                                              if self.module_version_index[k.lower()].module_key == module.key)
                    self._map_running(self.env_index[status.env_key.lower()], app)
            return module

    def _map_running(self, env, app):
        """An environment that runs an application has its extensions' logical databases mapped (to same-named connections)."""
        for module_key in app.module_keys:
            module = self.module_index[module_key.lower()]
            for name in module.logical_databases:
                if (module.key.lower(), name.lower()) not in env.database_mappings:
                    if name not in env.database_connections:
                        env.database_connections.append(name)
                    self._map_database(env, module.key, name, name)

    def add_database_connection(self, env_ref, name):
        """A database connection a target can map logical databases to."""
        with self.lock:
            env = self.environment(env_ref)
            if name not in env.database_connections:
                env.database_connections.append(name)

    def database_mappings(self, env_ref):
        """The logical database mappings of an environment: [{extension, logical_database, connection}], sorted."""
        with self.lock:
            env = self.environment(env_ref)
            rows = []
            for (extension_key, logical_database), connection in env.database_mappings.items():
                module = self.module_index.get(extension_key)
                name = next((n for n in module.logical_databases if n.lower() == logical_database), logical_database) \
                    if module else logical_database
                rows.append({'extension': module.name if module else extension_key, 'logical_database': name,
                             'connection': connection})
            return sorted(rows, key=lambda r: (r['extension'].lower(), r['logical_database'].lower()))

    def missing_database_mappings(self, key):
        """What GET /deployments/{key}/getmissingdbmappings/ lists: [{ExtensionKey, ExtensionName, LogicalDatabase}]."""
        with self.lock:
            self.advance()
            return deployments.missing_mappings(self, self.deployment(key))

    # ------------------------------------------------- application configurations

    def set_application_blocked(self, app_ref, env_ref, blocked=True, *, reason=''):
        """Block (or unblock) deployments of an application to an environment, as PUT .../configurations/ does."""
        with self.lock:
            app, env = self.application(app_ref), self.environment(env_ref)
            self.app_configurations[(app.key.lower(), env.key.lower())] = {'blocked': bool(blocked), 'reason': reason or ''}

    def application_configuration(self, app_ref, env_ref):
        """{'is_blocked': bool, 'reason': str} of an application in an environment (reason '' when never changed)."""
        with self.lock:
            app, env = self.application(app_ref), self.environment(env_ref)
            config = self.app_configurations.get((app.key.lower(), env.key.lower()), {'blocked': False, 'reason': ''})
            return {'is_blocked': config['blocked'], 'reason': config['reason']}

    def is_blocked(self, app_key, env_key):
        config = self.app_configurations.get((app_key.lower(), env_key.lower()))
        return bool(config and config['blocked'])

    # ------------------------------------------------------ download links

    def create_link(self, spec, filename='package.bin'):
        link_id = new_key()
        link = DownloadLink(link_id, spec, self.now() + datetime.timedelta(seconds=self.link_ttl_seconds), filename)
        self.link_index[link_id] = link
        return link

    def link_url(self, link):
        return '%s/lifetimeapi/rest/v2/downloads/%s' % (self.base_url, link.id)

    def expire_link(self, link_or_url):
        """Make a download link (its id or url) answer 410 from now on."""
        with self.lock:
            link_id = str(link_or_url).rstrip('/').rsplit('/', 1)[-1].lower()
            self.link_index[link_id].revoked = True

    def fake_downloads(self, kind=None, *, content_type=None, count=None):
        """Answer download links with something that is not the package (``kind``, see FAKE_DOWNLOADS), 200 all the same.

        ``content_type`` replaces the kind's own; ``count`` limits it to the next N downloads; ``kind=None`` stops it.
        """
        if kind is not None and kind not in FAKE_DOWNLOADS:
            raise ValueError('kind must be one of %s, got %r' % (', '.join(FAKE_DOWNLOADS), kind))
        with self.lock:
            self.fake_download = None if kind is None else (kind, content_type, count)

    def take_fake_download(self):
        """(kind, content type) of the fake the next download serves, or None; counts it."""
        with self.lock:
            if self.fake_download is None:
                return None
            kind, content_type, count = self.fake_download
            if count is not None:
                self.fake_download = (kind, content_type, count - 1) if count > 1 else None
            return kind, content_type

    def expire_all_links(self):
        with self.lock:
            for link in self.link_index.values():
                link.revoked = True

    # -------------------------------------------------------------- packages

    def manifest_entry(self, app, version, status=None):
        """How a package manifest describes one application: the version, or what an environment runs."""
        module_versions = status.module_versions if status else {
            self.module_version_index[k.lower()].module_key: k for k in version.module_version_keys}
        modules = []
        for module_key, mv_key in module_versions.items():
            module = self.module_index[module_key.lower()]
            entry = {'ModuleKey': module.key, 'ModuleName': module.name, 'ModuleKind': module.kind, 'ModuleVersionKey': mv_key}
            if module.logical_databases:
                entry['LogicalDatabases'] = list(module.logical_databases)
            modules.append(entry)
        return {
            'ApplicationKey': app.key, 'ApplicationName': app.name, 'ApplicationKind': app.kind, 'Team': app.team,
            'Description': app.description, 'Version': version.number, 'VersionKey': version.key,
            'ChangeLog': version.change_log, 'CreatedOn': iso(version.created_on),
            'IsModified': bool(status and status.modified), 'Modules': modules,
            'MobileVersions': [{'NativePlatform': m.platform, 'VersionNumber': m.number, 'VersionDescription': m.description}
                               for m in version.mobile_versions],
        }

    def package_spec(self, kind, entries, **extra):
        manifest = {'Format': MANIFEST_FORMAT, 'Kind': kind, 'Applications': entries}
        manifest.update(extra)
        return PackageSpec(manifest, self.package_size_bytes)

    # ------------------------------------------------------------- the API

    def quote_key(self, default_quoted):
        """Whether a creating call answers its new key in double quotes (see key_quoting in the README)."""
        if self.key_quoting == 'bare':
            return False
        if self.key_quoting == 'quoted':
            return True
        if self.key_quoting == 'alternate':
            return next(self._quote_toggle) % 2 == 1
        return default_quoted

    def next_seq(self):
        return next(self._seq)
