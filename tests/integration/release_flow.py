# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Release steps run through the collection's playbooks against one simulator, with a model and the invariants they keep.

Used by test_release_flow_model.py (random sequences of steps) and test_release_flow_cases.py (the sequences it found
that break an invariant, as plain tests). A ``ReleaseFlow`` holds one simulator and a ``Model`` of what each environment
runs; each step method runs the step's playbook in check mode, then for real, and then checks, in this order:

1. the check-mode run wrote nothing: no POST/PUT/DELETE in the request log, no plan, no file;
2. every plan the real run created targets the environment the step asked for, from the source it asked for;
3. a rollback deploys no version created after the one the target ran before it (the simulator's version records);
4. the check-mode run predicted the real run: failed or not, and the versions deployed (the ``lifetime_release`` record
   the roles publish with set_stats, plus the check-mode summary's "would tag, then deploy" lines);
5. a failed real run wrote nothing (every failure here is a refusal: no fault or outcome rule is ever set), and left no
   plan saved;
6. the real run's outcome is one the model allows (failed or not; the plan's versions);
7. after a promote with ``manifest_dest``, the file holds what the target runs for every application of the manifest (or
   of the promotion), the input manifest's test applications still marked IsTestApplication;
8. the model (versions, what runs where, modified, blocked) equals the simulator's state.

The model is computed from the documented behaviour (roles' and modules' documentation): it never reads what a step
did to decide what the step should have done. Where the documentation leaves a choice open (a reference that is a
label of one environment and the name of another; going "back" to a version newer than the running one), the model
allows each outcome that keeps the invariants, and follows the one the run took.

Only ``change`` touches ``sim.state`` directly: it stands for a developer changing an application in Service Studio.
"""

import itertools
import json
import os
import pathlib
import re
import subprocess
from collections import Counter

from tests.conftest import COLLECTIONS_ROOT
from tests.integration.conftest import BIN, REPO_ROOT, TARGETS, PlaybookRun, playbook_env
from tests.integration.test_playbooks import summary

TOKEN = 'release-flow-token-51c7'
ENVIRONMENTS = ('Development', 'Quality Assurance', 'Production')
# The default world's applications a release touches (not ServiceCenter, a system application): two-word names, a mobile
# application, one with a single version, and Google Maps Web, which runs only in Development at first.
APPLICATIONS = ('EmployeeBackoffice', 'Customer Portal', 'Directory Mobile', 'Orders API', 'Google Maps Web')
# EnvironmentLabel of each environment in a manifest, as a pipeline may label them. 'clash' and 'swapped' give an
# environment a label that is another environment's name.
LABELS = {
    'names': dict((env, env) for env in ENVIRONMENTS),
    'short': {'Development': 'DEV', 'Quality Assurance': 'QA', 'Production': 'PRD'},
    'clash': {'Development': 'DEV', 'Quality Assurance': 'Production', 'Production': 'PRD'},
    'swapped': {'Development': 'Development', 'Quality Assurance': 'Production', 'Production': 'Quality Assurance'},
}
SUCCEEDED = ('finished_successful', 'finished_with_warnings')
PLAYBOOKS = os.path.join(COLLECTIONS_ROOT, 'ansible_collections', 'outsystems', 'lifetime', 'playbooks')
PROMOTE = os.path.join(PLAYBOOKS, 'promote.yml')
ROLLBACK = os.path.join(PLAYBOOKS, 'rollback.yml')
TAG = os.path.join(TARGETS, 'flow_tag.yml')
FREEZE = os.path.join(TARGETS, 'flow_freeze.yml')
MANIFEST = os.path.join(TARGETS, 'flow_manifest.yml')
PENDING_TAG = re.compile(r'^(?P<name>.+?) (?:\(not running\)|\S+) -> (?P<version>\S+) \(would tag, then deploy\)$')


def number_tuple(number):
    return tuple(int(part) for part in number.split('.'))


# -- the model ----------------------------------------------------------------------------------------------------------

class Outcome:
    """One outcome the model allows for a step: refused (nothing changes), or what it deploys and tags."""

    def __init__(self, ok, why='', source=None, target=None, deploy=None, tags=None, dest_applications=None):
        self.ok = ok
        self.why = why
        self.source = source
        self.target = target
        self.deploy = dict(deploy or {})  # application -> version number the plan deploys; empty: no plan
        self.tags = dict(tags or {})  # application -> version number tagged in the source
        self.dest_applications = dict(dest_applications or {})  # application -> IsTestApplication, for manifest_dest

    def __repr__(self):
        if not self.ok:
            return 'refused (%s)' % self.why
        return 'ok: %s -> %s deploys %s, tags %s' % (self.source, self.target, self.deploy or 'nothing', self.tags or 'nothing')


class Expectation:
    """What a step asked for (the environments plans may go to) and the outcomes the model allows."""

    def __init__(self, source=None, target=None, rollback=False, dest=None):
        self.source = source
        self.target = target
        self.rollback = rollback
        self.dest = dest
        self.refusals = []
        self.outcomes = []

    def refuse(self, why):
        self.refusals.append(why)


class Model:
    """What each environment runs, which versions exist, what is blocked, and the targets' successful plans."""

    def __init__(self, world):
        # The scenario the simulator starts with; from then on only the steps' expected effects change the model.
        self.versions = dict((app, [v.number for v in world.versions(app)]) for app in APPLICATIONS)
        self.running = dict((env, dict((app, world.running_version(env, app)) for app in APPLICATIONS
                                       if world.running_version(env, app))) for env in ENVIRONMENTS)
        self.modified = dict((env, set(app for app in self.running[env] if world.is_modified(env, app))) for env in ENVIRONMENTS)
        self.blocked = set((app, env) for app in APPLICATIONS for env in ENVIRONMENTS
                           if world.application_configuration(app, env)['is_blocked'])
        self.history = dict((env, []) for env in ENVIRONMENTS)
        for plan in world.deployments():
            if plan.status in SUCCEEDED:
                summary_ = world.deployment_summary(plan)
                self.history[summary_['target']] += [(app['application'], app['version']) for app in summary_['applications']]

    def created_before(self, app, first, second):
        return self.versions[app].index(first) < self.versions[app].index(second)

    def next_tag(self, app):
        """The number lifetime_app_version gives a tag (increment: patch): the highest number's third part plus one."""
        parts = list(max(number_tuple(number) for number in self.versions[app]))
        parts = parts + [1] if len(parts) < 3 else parts[:2] + [parts[2] + 1] + parts[3:]
        return '.'.join(str(part) for part in parts)

    def previous(self, env, app):
        """The version that ran in ``env`` before: the newest successful plan's other version created before the running one.

        None when there is none: no rollback available (a version that never ran there is not guessed).
        """
        current = self.running[env][app]
        for name, number in reversed(self.history[env]):
            if name == app and number != current and self.created_before(app, number, current):
                return number
        return None

    def apply(self, outcome):
        if not outcome.ok:
            return
        for app, number in outcome.tags.items():
            self.versions[app].append(number)
            self.running[outcome.source][app] = number
            self.modified[outcome.source].discard(app)
        for app, number in outcome.deploy.items():
            self.running[outcome.target][app] = number
            self.modified[outcome.target].discard(app)
            self.history[outcome.target].append((app, number))

    # -- expected outcomes of deployments ---------------------------------------------------------------------------

    def _deployment(self, expect, app, number, target, allow_downgrade=False, newer=None):
        """Where one application goes: None (skipped), its number (deployed), or a refusal noted on ``expect``.

        ``newer``: a list that collects applications a rollback would move forward (the model allows a refusal or
        leaving them out).
        """
        running = self.running[target].get(app)
        if running == number and app not in self.modified[target]:
            return None
        # A tag made in this step is newer than every version the target can run.
        if running is not None and number in self.versions[app]:
            if newer is not None and self.created_before(app, running, number):
                newer.append(app)
                return None
            if not allow_downgrade and self.created_before(app, number, running):
                expect.refuse('%s %s is older than the %s %s runs' % (app, number, running, target))
                return number
        if (app, target) in self.blocked:
            expect.refuse('%s is blocked in %s' % (app, target))
        return number

    def expect_promote(self, source, target, applications, tag_modified=False, dest=None, versions=None):
        """promote.yml with applications (names; ``versions`` gives a version to some, as a release record does)."""
        expect = Expectation(source, target, dest=dest)
        if source == target:
            expect.refuse('source and target are both %s' % target)
        tags, deploy = {}, {}
        for app in applications:
            number = (versions or {}).get(app)
            if number is None:
                number = self.running[source].get(app)
                if number is None:
                    expect.refuse('%s does not run in %s' % (app, source))
                    continue
                if app in self.modified[source]:
                    if not tag_modified:
                        expect.refuse('%s is modified in %s' % (app, source))
                        continue
                    number = tags[app] = self.next_tag(app)
            if source != target:
                planned = self._deployment(expect, app, number, target)
                if planned is not None:
                    deploy[app] = planned
        self._check_dest(expect, target, dict((app, False) for app in applications), deploy)
        self._settle(expect, Outcome(True, source=source, target=target, deploy=deploy, tags=tags,
                                     dest_applications=dict((app, False) for app in applications)))
        return expect

    def _check_dest(self, expect, target, dest_applications, deploy):
        """manifest_dest can be known unwritable before anything is deployed: its directory, or an application it cannot name."""
        if expect.dest is None:
            return
        if not os.path.isdir(os.path.dirname(expect.dest)):
            expect.refuse('the directory of manifest_dest does not exist')
        for app in dest_applications:
            if app not in deploy and (app not in self.running[target] or app in self.modified[target]):
                expect.refuse('manifest_dest cannot name %s, which %s runs modified or not at all' % (app, target))

    @staticmethod
    def _settle(expect, outcome, newer=()):
        if expect.refusals:
            expect.outcomes = [Outcome(False, '; '.join(expect.refusals))]
        elif newer:
            expect.outcomes = [Outcome(False, 'going back to a newer version of %s' % ', '.join(newer)), outcome]
        else:
            expect.outcomes = [outcome]

    def expect_rollback(self, target, applications, to_version='previous'):
        """rollback.yml: ``applications`` maps each application to the version to go back to (None: ``to_version``)."""
        index = ENVIRONMENTS.index(target)
        source = ENVIRONMENTS[index - 1] if index > 0 else None
        expect = Expectation(source, target, rollback=True)
        if source is None:
            expect.refuse('%s is the first environment: no source to roll back from' % target)
        deploy, newer = {}, []
        for app, number in applications.items():
            if app not in self.running[target]:
                expect.refuse('%s does not run in %s' % (app, target))
                continue
            number = number or to_version
            if number == 'previous':
                number = self.previous(target, app)
                if number is None:
                    expect.refuse('no rollback available for %s in %s' % (app, target))
                    continue
            planned = self._deployment(expect, app, number, target, allow_downgrade=True, newer=newer)
            if planned is not None:
                deploy[app] = planned
        self._settle(expect, Outcome(True, source=source, target=target, deploy=deploy), newer)
        return expect

    def expect_manifest_promote(self, manifest, source_ref, target_ref, include_test_applications=False, dest=None):
        """promote.yml with a manifest written by a manifest step; environments by name or by the manifest's label."""
        resolved = [self.resolve(manifest, ref) for ref in (source_ref, target_ref)]
        source, target = resolved[0][0], resolved[1][0]
        expect = Expectation(source, target, dest=dest)
        ambiguous = [ref for ref, (named, labelled) in zip((source_ref, target_ref), resolved) if labelled not in (None, named)]
        if source == target:
            expect.refuse('source and target are both %s' % target)
        entries = [(app, number) for app, number in manifest['entries'].items()
                   if include_test_applications or app not in manifest['tests']]
        if not entries:
            expect.refuse('the manifest has only test applications')
        deploy = {}
        for app, number in entries:
            if source != target:
                planned = self._deployment(expect, app, number, target)
                if planned is not None:
                    deploy[app] = planned
        dest_applications = dict((app, app in manifest['tests']) for app in manifest['entries'])
        self._check_dest(expect, target, dest_applications, deploy)
        outcome = Outcome(True, source=source, target=target, deploy=deploy, dest_applications=dest_applications)
        self._settle(expect, outcome)
        if ambiguous and expect.outcomes[0].ok:
            # A name of one environment that is another's label: refusing it as ambiguous is fine; following the label is not.
            expect.outcomes.insert(0, Outcome(False, '%s is a name and another environment\'s label' % ', '.join(ambiguous)))
        return expect

    @staticmethod
    def resolve(manifest, ref):
        """(the environment a reference asks for, the environment the manifest labels so): LifeTime's name wins."""
        labelled = next((env for env, label in manifest['labels'].items() if label == ref), None)
        return (ref if ref in ENVIRONMENTS else labelled), labelled


# -- invariants -----------------------------------------------------------------------------------------------------------

def created_after(sim, app, first_key, second_key):
    """Whether version ``first_key`` was created after ``second_key`` (created_on, then the order LifeTime created them in)."""
    application = sim.state.application(app)
    order = [key.lower() for key in application.version_keys]
    first, second = sim.state.version(app, first_key), sim.state.version(app, second_key)
    return (first.created_on, order.index(first.key.lower())) > (second.created_on, order.index(second.key.lower()))


def assert_check_mode_wrote_nothing(step, check):
    assert check.writes == [], '%s: the check-mode run wrote to LifeTime: %s\n%r' % (step, check.write_lines(), check.run)
    assert check.new_plans == [], '%s: the check-mode run created plans %s' % (step, check.new_plans)
    assert check.files_after == check.files_before, '%s: the check-mode run wrote files: %s' % (step, check.changed_files())


def assert_plans_target_what_was_asked(step, sim, real, expect):
    assert len(real.new_plans) <= 1, '%s: one step created %d plans' % (step, len(real.new_plans))
    for plan in real.new_plans:
        made = sim.state.deployment_summary(plan)
        assert (made['source'], made['target']) == (expect.source, expect.target), (
            '%s: plan %s goes %s -> %s, the step asked for %s -> %s\n%r'
            % (step, plan.key, made['source'], made['target'], expect.source, expect.target, real.run))


def assert_rollback_never_goes_forward(step, sim, real, running_before):
    for plan in real.new_plans:
        for item in sim.state.deployment_summary(plan)['applications']:
            before = running_before.get(item['application'])
            assert before is None or not created_after(sim, item['application'], item['version_key'], before), (
                '%s: the rollback deployed %s %s, created after %s, which ran there before it\n%r'
                % (step, item['application'], item['version'], sim.state.version(item['application'], before).number, real.run))


def assert_check_mode_predicts_the_real_run(step, check, real):
    assert check.failed == real.failed, '%s: check mode %s, the real run %s\n--- check mode ---\n%r\n--- real ---\n%r' % (
        step, 'failed' if check.failed else 'succeeded', 'failed' if real.failed else 'succeeded', check.run, real.run)
    if not real.failed:
        assert check.predicted() == real.predicted(), '%s: check mode predicted %s, the real run did %s\n%r\n%r' % (
            step, check.predicted(), real.predicted(), check.run, real.run)


def assert_a_failure_wrote_nothing(step, sim, real):
    if real.failed:
        assert real.writes == [], '%s: the run failed after writing %s\n%r' % (step, real.write_lines(), real.run)
    saved = [plan.key for plan in sim.state.deployments() if plan.status == 'saved']
    assert saved == [], '%s: plans left saved: %s\n%r' % (step, saved, real.run)


def assert_outcome_is_one_the_model_allows(step, sim, real, expect):
    deployed = {}
    for plan in real.new_plans:
        made = sim.state.deployment_summary(plan)
        assert made['status'] in SUCCEEDED or real.failed, '%s: plan %s ended %s\n%r' % (step, plan.key, made['status'], real.run)
        deployed.update((item['application'], item['version']) for item in made['applications'])
    for outcome in expect.outcomes:
        if outcome.ok != real.failed and (real.failed or outcome.deploy == deployed):
            return outcome
    raise AssertionError('%s: the real run %s%s; the model allows only: %s\n%r' % (
        step, 'failed' if real.failed else 'succeeded', '' if real.failed else ' deploying %s' % (deployed or 'nothing'),
        '; '.join(repr(outcome) for outcome in expect.outcomes), real.run))


def assert_manifest_dest_holds_what_the_target_runs(step, sim, real, expect, outcome):
    if expect.dest is None or real.failed:
        return
    assert os.path.isfile(expect.dest), '%s: manifest_dest %s was not written\n%r' % (step, expect.dest, real.run)
    with open(expect.dest, encoding='utf-8') as handle:
        written = json.load(handle)
    found = dict((entry['ApplicationName'], (entry['VersionKey'], entry['IsTestApplication'])) for entry in written['ApplicationVersions'])
    wanted = dict((app, (sim.state.running_version_key(outcome.target, app), test)) for app, test in outcome.dest_applications.items())
    assert found == wanted, '%s: manifest_dest holds %s, %s runs %s (key, IsTestApplication)' % (step, found, outcome.target, wanted)


def assert_model_matches_simulator(step, model, sim):
    state = sim.state
    for app in APPLICATIONS:
        assert [v.number for v in state.versions(app)] == model.versions[app], '%s: %s has versions %s, the model expects %s' % (
            step, app, [v.number for v in state.versions(app)], model.versions[app])
        for env in ENVIRONMENTS:
            running = (state.running_version(env, app), state.is_modified(env, app) if state.running_version(env, app) else False)
            assert running == (model.running[env].get(app), app in model.modified[env]), (
                '%s: %s runs %s (modified: %s), the model expects %s (modified: %s)'
                % (step, env, '%s %s' % (app, running[0]), running[1], model.running[env].get(app), app in model.modified[env]))
            blocked = state.application_configuration(app, env)['is_blocked']
            assert blocked == ((app, env) in model.blocked), '%s: %s blocked in %s: %s, the model expects %s' % (
                step, app, env, blocked, not blocked)


# -- running steps --------------------------------------------------------------------------------------------------------

class StepRun:
    """One ansible-playbook run of a step, with what LifeTime and the files saw."""

    def __init__(self, run, writes, new_plans, files_before, files_after, names):
        self.run = run
        self.names = names  # application key (lower case) -> name: a summary line may name an application by its key
        self.writes = writes
        self.new_plans = new_plans
        self.files_before = files_before
        self.files_after = files_after
        stats = [line.split('RUN: ', 1)[1] for line in run.stdout.splitlines() if line.startswith('\tRUN: ')]
        self.stats = json.loads(stats[-1]) if stats else {}

    @property
    def failed(self):
        return self.run.rc != 0

    def write_lines(self):
        return ['%s %s -> %s' % (w['method'], w['path'], w['status']) for w in self.writes]

    def changed_files(self):
        return sorted(set(self.files_before.items()) ^ set(self.files_after.items()))

    def predicted(self):
        """What the run did or would do: the release record's environments and deployed versions (a pending tag included),
        or the flow playbook's result."""
        if 'flow_result' in self.stats:
            return self.stats['flow_result']
        record = self.stats.get('lifetime_release') or {}
        deployed = set((app['name'], str(app['to_version'])) for app in record.get('applications') or [] if app.get('deployed'))
        for line in summary(self.run) if '--check' in self.run.args else []:
            match = PENDING_TAG.match(line)
            if match:
                deployed.add((self.names.get(match.group('name').lower(), match.group('name')), match.group('version')))
        return dict(source=record.get('source_environment'), target=record.get('target_environment'), deployed=sorted(deployed))


class ReleaseFlow:
    """Release steps against one simulator, each run in check mode then for real, each checked against the invariants."""

    def __init__(self, sim, workdir, counts=None):
        self.sim = sim
        self.workdir = pathlib.Path(workdir)
        self.files = str(self.workdir / 'files')
        os.makedirs(self.files, exist_ok=True)
        self.model = Model(sim.state)
        self.counts = counts if counts is not None else Counter()
        self.serial = itertools.count(1)
        self.step = 'the start'
        self.steps = []

    # -- plumbing ---------------------------------------------------------------------------------------------------

    def _files(self):
        found = {}
        for root, dummy, names in os.walk(self.files):
            for name in names:
                stat = os.stat(os.path.join(root, name))
                found[os.path.relpath(os.path.join(root, name), self.files)] = (stat.st_size, stat.st_mtime_ns)
        return found

    def _run(self, playbook, extra_vars, check):
        plans = set(plan.key for plan in self.sim.state.deployments())
        files_before = self._files()
        self.sim.clear_requests()
        command = [os.path.join(BIN, 'ansible-playbook'), playbook, '-e', json.dumps(extra_vars)] + (['--check'] if check else [])
        process = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=False,
                                 env=playbook_env(self.workdir, self.sim, {'ANSIBLE_SHOW_CUSTOM_STATS': '1'}))
        new_plans = [plan for plan in self.sim.state.deployments() if plan.key not in plans]
        names = dict((app.key.lower(), app.name) for app in self.sim.state.applications())
        return StepRun(PlaybookRun(command, process), self.sim.writes(), new_plans, files_before, self._files(), names)

    def path(self, name):
        return os.path.join(self.files, '%02d-%s' % (next(self.serial), name))

    def _begin(self, kind, description):
        self.counts[kind] += 1
        self.step = 'step %d (%s)' % (len(self.steps) + 1, description)
        self.steps.append(description)
        return self.step

    def _deploy_step(self, kind, description, playbook, extra_vars, expect):
        """A promote or rollback: check mode, then for real, then every invariant. Returns the real run and the outcome taken."""
        step = self._begin(kind, description)
        check = self._run(playbook, extra_vars, check=True)
        assert_check_mode_wrote_nothing(step, check)
        running_before = dict((app, self.sim.state.running_version_key(expect.target, app)) for app in APPLICATIONS) \
            if expect.target in ENVIRONMENTS else {}
        real = self._run(playbook, extra_vars, check=False)
        assert_plans_target_what_was_asked(step, self.sim, real, expect)
        if expect.rollback:
            assert_rollback_never_goes_forward(step, self.sim, real, running_before)
        assert_check_mode_predicts_the_real_run(step, check, real)
        assert_a_failure_wrote_nothing(step, self.sim, real)
        outcome = assert_outcome_is_one_the_model_allows(step, self.sim, real, expect)
        assert_manifest_dest_holds_what_the_target_runs(step, self.sim, real, expect, outcome)
        self.model.apply(outcome)
        assert_model_matches_simulator(step, self.model, self.sim)
        return real, outcome

    def _module_step(self, kind, description, playbook, extra_vars, expected_ok, expected_result):
        """A tag, freeze or manifest step (a flow_ playbook that publishes flow_result): check mode, then for real."""
        step = self._begin(kind, description)
        check = self._run(playbook, extra_vars, check=True)
        assert_check_mode_wrote_nothing(step, check)
        real = self._run(playbook, extra_vars, check=False)
        assert_check_mode_predicts_the_real_run(step, check, real)
        assert_a_failure_wrote_nothing(step, self.sim, real)
        assert real.failed != expected_ok, '%s: the real run %s, the model expects it to %s\n%r' % (
            step, 'failed' if real.failed else 'succeeded', 'succeed' if expected_ok else 'fail', real.run)
        if expected_ok and expected_result is not None:
            assert real.predicted() == expected_result, '%s: the step did %s, the model expects %s' % (step, real.predicted(), expected_result)
        return step, real

    @staticmethod
    def _record(real, outcome):
        """The lifetime_release record of a successful real run, for later steps (None when it failed)."""
        return real.stats.get('lifetime_release') if outcome.ok else None

    # -- steps ------------------------------------------------------------------------------------------------------

    def promote(self, source, target, applications, by_key=(), tag_modified=False, manifest_dest=None, as_text=False):
        """promote.yml by application names (``by_key``: those given as {key}); manifest_dest None, 'file' or 'missing' (its
        directory does not exist). Returns the release record it published, or None."""
        dest = {None: None, 'file': self.path('promoted.json'), 'missing': os.path.join(self.path('missing'), 'promoted.json')}[manifest_dest]
        refs = [{'key': self.sim.state.application(app).key} if app in by_key else app for app in applications]
        extra = dict(source_environment=source, target_environment=target,
                     applications=', '.join(refs) if as_text and not by_key else refs)
        if tag_modified:
            extra['tag_modified'] = True
        if dest:
            extra['manifest_dest'] = dest
        expect = self.model.expect_promote(source, target, applications, tag_modified, dest)
        description = 'promote %s -> %s %s%s%s%s' % (source, target, applications, ' by key %s' % list(by_key) if by_key else '',
                                                     ' tag_modified' if tag_modified else '', ' manifest_dest=%s' % manifest_dest if dest else '')
        return self._record(*self._deploy_step('promote', description, PROMOTE, extra, expect))

    def promote_release(self, target, release):
        """promote.yml -e target_environment=... -e release=<record> (nothing else), as a workflow's next node runs it."""
        versions = dict((app['name'], str(app['to_version'])) for app in release['applications'])
        expect = self.model.expect_promote(release['target_environment'], target, list(versions), versions=versions)
        description = 'promote the release record of %s %s to %s' % (release['target_environment'], sorted(versions.items()), target)
        extra = dict(target_environment=target, release=release)
        return self._record(*self._deploy_step('promote a release record', description, PROMOTE, extra, expect))

    def rollback(self, target, applications, to_version=None):
        """rollback.yml with applications; ``to_version`` None leaves it out (the default: previous)."""
        extra = dict(target_environment=target, applications=list(applications))
        if to_version is not None:
            extra['to_version'] = to_version
        expect = self.model.expect_rollback(target, dict((app, None) for app in applications), to_version or 'previous')
        description = 'rollback %s %s%s' % (target, list(applications), ' to_version=%s' % to_version if to_version else '')
        self._deploy_step('rollback', description, ROLLBACK, extra, expect)

    def rollback_release(self, release):
        """rollback.yml -e release=<record> alone: each application back to its from_version."""
        versions = dict((app['name'], str(app['from_version'])) for app in release['applications']
                        if app.get('from_version_key') or app.get('from_version'))
        expect = self.model.expect_rollback(release['target_environment'], versions)
        if not versions:
            expect.refusals.append('no application of the record ran in %s before' % release['target_environment'])
            expect.outcomes = [Outcome(False, expect.refusals[-1])]
        description = 'rollback the release record of %s to %s' % (release['target_environment'], sorted(versions.items()))
        self._deploy_step('rollback a release record', description, ROLLBACK, dict(release=release), expect)

    def promote_manifest(self, manifest, source, target, source_by_label=False, target_by_label=False,
                         include_test_applications=False, manifest_dest=None):
        """promote.yml -e manifest=<file>, the environments by name or by the manifest's label."""
        refs = [manifest['labels'][env] if by_label else env for env, by_label in ((source, source_by_label), (target, target_by_label))]
        dest = {None: None, 'file': self.path('promoted.json'), 'missing': os.path.join(self.path('missing'), 'promoted.json')}[manifest_dest]
        extra = dict(source_environment=refs[0], target_environment=refs[1], manifest=manifest['path'])
        if include_test_applications:
            extra['include_test_applications'] = True
        if dest:
            extra['manifest_dest'] = dest
        expect = self.model.expect_manifest_promote(manifest, refs[0], refs[1], include_test_applications, dest)
        description = 'promote manifest %s (%s labels) %r -> %r%s%s' % (
            os.path.basename(manifest['path']), manifest['label_mode'], refs[0], refs[1],
            ' include_test_applications' if include_test_applications else '', ' manifest_dest=%s' % manifest_dest if dest else '')
        return self._record(*self._deploy_step('promote a manifest', description, PROMOTE, extra, expect))

    def change(self, app):
        """A developer changes the application in Development (Service Studio): the one direct change to sim.state."""
        step = self._begin('change', 'change %s in Development' % app)
        self.sim.state.mark_modified('Development', app)
        self.model.modified['Development'].add(app)
        assert_model_matches_simulator(step, self.model, self.sim)

    def tag(self, app):
        """lifetime_app_version in Development without a version: a new version only when the application was modified."""
        modified = app in self.model.modified['Development']
        number = self.model.next_tag(app) if modified else self.model.running['Development'][app]
        step, dummy = self._module_step('tag', 'tag %s in Development' % app, TAG, dict(flow_application=app, flow_environment='Development'),
                                        True, dict(changed=modified, version=number))
        if modified:
            self.model.apply(Outcome(True, source='Development', tags={app: number}))
        assert_model_matches_simulator(step, self.model, self.sim)

    def freeze(self, app, env, blocked):
        reason = 'Release freeze, flow step %d' % (len(self.steps) + 1) if blocked else 'Freeze lifted'
        changed = blocked != ((app, env) in self.model.blocked)
        step, dummy = self._module_step('freeze' if blocked else 'unfreeze', '%s %s in %s' % ('freeze' if blocked else 'unfreeze', app, env),
                                        FREEZE, dict(flow_application=app, flow_environment=env, flow_blocked=blocked, flow_reason=reason),
                                        True, dict(changed=changed))
        if blocked:
            self.model.blocked.add((app, env))
        else:
            self.model.blocked.discard((app, env))
        if changed:
            assert self.sim.state.application_configuration(app, env)['reason'] == reason, '%s: LifeTime has the reason %r' % (
                step, self.sim.state.application_configuration(app, env)['reason'])
        assert_model_matches_simulator(step, self.model, self.sim)

    def write_manifest(self, env, applications, test_applications=(), label_mode='names'):
        """lifetime_manifest of what ``env`` runs, to a file; then the labels a pipeline gives the environments.

        Returns the manifest as the model knows it (path, entries, tests, labels), or None when the step failed.
        """
        dest = self.path('manifest.json')
        ok = all(app in self.model.running[env] and app not in self.model.modified[env] for app in applications)
        entries = dict((app, self.model.running[env].get(app)) for app in applications)
        extra = dict(flow_environment=env, flow_applications=list(applications), flow_test_applications=list(test_applications), flow_dest=dest)
        description = 'manifest of %s %s tests %s, %s labels' % (env, list(applications), list(test_applications), label_mode)
        step, dummy = self._module_step('manifest', description, MANIFEST, extra, ok, dict(changed=True, versions=entries))
        if not ok:
            assert not os.path.exists(dest), '%s: a failed manifest step wrote %s' % (step, dest)
            return None
        with open(dest, encoding='utf-8') as handle:
            data = json.load(handle)
        found = dict((entry['ApplicationName'], (entry['VersionKey'], entry['IsTestApplication'])) for entry in data['ApplicationVersions'])
        wanted = dict((app, (self.sim.state.running_version_key(env, app), app in test_applications)) for app in applications)
        assert found == wanted, '%s: the manifest holds %s, %s runs %s' % (step, found, env, wanted)
        for definition in data['EnvironmentDefinitions']:
            definition['EnvironmentLabel'] = LABELS[label_mode][definition['EnvironmentName']]
        with open(dest, 'w', encoding='utf-8') as handle:
            json.dump(data, handle, indent=4, sort_keys=True)
        return dict(path=dest, entries=entries, tests=set(test_applications), labels=LABELS[label_mode], label_mode=label_mode)
