# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Random sequences of release steps against one simulator, through the collection's playbooks (a stateful model test).

Each example starts a simulator with the default world and runs random steps: promote (by names or keys, with
tag_modified, with manifest_dest), promote of a release record, rollback (previous or a version), rollback of a release
record, a developer's change in Development, tag, freeze and unfreeze, manifest writing (test applications, pipeline
labels), and promote of a manifest (environments by name or label, test applications, manifest_dest). Every step runs
in check mode first, then for real, and is checked against the invariants of release_flow.py, and the model of what each
environment runs against the simulator's state.

`make test` runs a short, reproducible run (derandomized, about 30 steps). LIFETIME_FLOW_STEPS=300 runs about that
many steps with random seeds and shrinks what it finds (the soak). The sequences it found that break an invariant are
plain tests in test_release_flow_cases.py.
"""

import math
import os
import shutil
import tempfile
from collections import Counter

import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, multiple, rule, run_state_machine_as_test

from tests.integration.release_flow import APPLICATIONS, ENVIRONMENTS, LABELS, TOKEN, ReleaseFlow
from tests.simulator import Simulator

# One step is two ansible-playbook runs (check mode, then for real), about 3 s.
SOAK_STEPS = int(os.environ.get('LIFETIME_FLOW_STEPS') or 0)
STEPS_PER_EXAMPLE = min(SOAK_STEPS, 20) if SOAK_STEPS else 10
# Hypothesis tries the simplest sequence first: the first rule over and over, `change`, which runs no playbook. The short
# run has one example more for it, so about 30 steps run playbooks.
EXAMPLES = math.ceil(SOAK_STEPS / STEPS_PER_EXAMPLE) if SOAK_STEPS else 4
# The short run repeats the same sequences on every run: a fixed seed, chosen because its three sequences take every
# kind of step. derandomize=True would repeat them too, but derives them from a digest of the machine's source, so any
# edit reshuffles them, and with swarm testing (each sequence leaves some rules out) a digest can give a run that is
# mostly `change` (one gave 9 playbook steps out of 40). The soak draws new sequences on every run.
SHORT_RUN_SEED = 51
# The short run has no shrink phase: shrinking reruns failing sequences for up to five minutes, past the 300 s per-test
# limit of `make test`; the soak shrinks, and gets the time for it.
SETTINGS = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS_PER_EXAMPLE,
    deadline=None,
    database=None,
    derandomize=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink) if SOAK_STEPS else (Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    report_multiple_bugs=bool(SOAK_STEPS),
)
TIMEOUT = 300 if not SOAK_STEPS else 600 + 8 * SOAK_STEPS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PAIRS = [(source, target) for source in ENVIRONMENTS for target in ENVIRONMENTS if source != target]
# Mostly one environment to another; now and then the same one, which must be refused before anything is written.
PAIR = st.sampled_from(PAIRS * 4 + [(env, env) for env in ENVIRONMENTS])
SOME_APPLICATIONS = st.lists(st.sampled_from(APPLICATIONS), min_size=1, max_size=2, unique=True)
DEST = st.sampled_from([None, None, 'file', 'file', 'missing'])
# Steps run since the test started, by kind, over every example (each example is a new machine).
COUNTS = Counter()


class ReleaseFlowMachine(RuleBasedStateMachine):
    """One simulator, random release steps; ReleaseFlow runs each step and checks every invariant."""

    releases = Bundle('releases')
    manifests = Bundle('manifests')

    def __init__(self):
        super().__init__()
        self.workdir = tempfile.mkdtemp(prefix='release-flow-')
        self.sim = Simulator(TOKEN).start()
        self.flow = ReleaseFlow(self.sim, self.workdir, COUNTS)

    def teardown(self):
        self.sim.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    @staticmethod
    def _kept(record):
        return record if record is not None else multiple()

    @rule(target=releases, pair=PAIR, applications=SOME_APPLICATIONS, data=st.data(), tag_modified=st.booleans(), dest=DEST,
          as_text=st.booleans())
    def promote(self, pair, applications, data, tag_modified, dest, as_text):
        by_key = data.draw(st.lists(st.sampled_from(applications), unique=True, max_size=1) | st.just([]), label='by_key')
        return self._kept(self.flow.promote(pair[0], pair[1], applications, by_key=by_key, tag_modified=tag_modified, manifest_dest=dest,
                                            as_text=as_text))

    @rule(target=releases, release=releases, data=st.data())
    def promote_release(self, release, data):
        target = data.draw(st.sampled_from([env for env in ENVIRONMENTS if env != release['target_environment']]), label='target')
        return self._kept(self.flow.promote_release(target, release))

    @rule(target_environment=st.sampled_from(ENVIRONMENTS[1:] * 4 + ENVIRONMENTS[:1]), applications=SOME_APPLICATIONS, data=st.data())
    def rollback(self, target_environment, applications, data):
        choices = [None, 'previous'] + (list(self.flow.model.versions[applications[0]]) if len(applications) == 1 else [])
        to_version = data.draw(st.sampled_from([None, 'previous']) | st.sampled_from(choices), label='to_version')
        self.flow.rollback(target_environment, applications, to_version)

    @rule(release=releases)
    def rollback_release(self, release):
        self.flow.rollback_release(release)

    @rule(application=st.sampled_from(APPLICATIONS))
    def change(self, application):
        self.flow.change(application)

    @rule(application=st.sampled_from(APPLICATIONS))
    def tag(self, application):
        self.flow.tag(application)

    @rule(application=st.sampled_from(APPLICATIONS), environment=st.sampled_from(ENVIRONMENTS[1:] * 3 + ENVIRONMENTS[:1]),
          blocked=st.sampled_from([True, True, False]))
    def freeze(self, application, environment, blocked):
        self.flow.freeze(application, environment, blocked)

    @rule(target=manifests, environment=st.sampled_from(ENVIRONMENTS), applications=SOME_APPLICATIONS, data=st.data(),
          label_mode=st.sampled_from(sorted(LABELS)))
    def write_manifest(self, environment, applications, data, label_mode):
        # A test application runs everywhere, so a manifest_dest written from this manifest can name it in any target.
        everywhere = [app for app in applications if all(app in self.flow.model.running[env] for env in ENVIRONMENTS)]
        tests = data.draw(st.lists(st.sampled_from(everywhere), unique=True, max_size=1) if everywhere else st.just([]), label='tests')
        return self._kept(self.flow.write_manifest(environment, applications, tests, label_mode))

    @rule(target=releases, manifest=manifests, pair=PAIR, by_label=st.tuples(st.booleans(), st.booleans()),
          include_test_applications=st.booleans(), dest=DEST)
    def promote_manifest(self, manifest, pair, by_label, include_test_applications, dest):
        return self._kept(self.flow.promote_manifest(manifest, pair[0], pair[1], by_label[0], by_label[1], include_test_applications, dest))


def short_run_machine():
    """The machine of the short run (a factory of its own, so the seed is set on it and not on the machine's class)."""
    return ReleaseFlowMachine()


@pytest.mark.timeout(TIMEOUT)
def test_random_release_flows_keep_every_invariant(capsys):
    COUNTS.clear()
    machine = ReleaseFlowMachine if SOAK_STEPS else seed(SHORT_RUN_SEED)(short_run_machine)
    try:
        run_state_machine_as_test(machine, settings=SETTINGS)
    finally:
        with capsys.disabled():
            print('\nrelease flow model: %d steps (%s): %s' % (
                sum(COUNTS.values()), 'LIFETIME_FLOW_STEPS=%d' % SOAK_STEPS if SOAK_STEPS else 'short run',
                ', '.join('%s %d' % (kind, count) for kind, count in sorted(COUNTS.items()))))
