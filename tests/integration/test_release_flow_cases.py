# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The release flows test_release_flow_model.py found breaking an invariant, shrunk, as plain sequential tests.

Each step runs its playbook in check mode, then for real, and checks every invariant of release_flow.py (and the model
of what each environment runs) against the simulator; the docstring names the invariant the flow broke when it was
found. The last assertion of each test restates, in the simulator's terms, what must hold at the end.
"""

import pytest

from tests.integration.release_flow import TOKEN, ReleaseFlow
from tests.simulator import Simulator

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def flow(tmp_path):
    with Simulator(TOKEN) as sim:
        yield ReleaseFlow(sim, tmp_path)


def test_a_manifest_label_that_names_another_environment_never_redirects_the_deployment(flow):
    """Broke: every plan targets the environment the step asked for (it went to Quality Assurance, labelled "Production")."""
    manifest = flow.write_manifest('Development', ['EmployeeBackoffice'], label_mode='clash')

    flow.promote_manifest(manifest, 'Development', 'Production')

    assert flow.sim.state.running_version('Quality Assurance', 'EmployeeBackoffice') == '1.2'


def test_manifest_dest_after_a_manifest_promote_keeps_the_test_applications_marked(flow):
    """Broke: manifest_dest holds every application of the manifest, its test applications still marked (they were dropped)."""
    manifest = flow.write_manifest('Development', ['EmployeeBackoffice', 'Orders API'], test_applications=['Orders API'])

    flow.promote_manifest(manifest, 'Development', 'Quality Assurance', manifest_dest='file')

    assert flow.sim.state.running_version('Quality Assurance', 'EmployeeBackoffice') == '1.3'


def test_manifest_dest_after_a_promote_to_a_labelled_target_describes_that_target(flow):
    """Broke: manifest_dest holds what the target runs (it held Quality Assurance's versions: the manifest writer took
    "Production", the target's name, for the label the input manifest gives Quality Assurance)."""
    manifest = flow.write_manifest('Development', ['EmployeeBackoffice'], label_mode='clash')

    flow.promote_manifest(manifest, 'Quality Assurance', 'Production', target_by_label=True, manifest_dest='file')

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_manifest_dest_that_cannot_be_written_is_refused_before_anything_is_deployed(flow):
    """Broke: check mode predicts the real run (it succeeded, the real run failed) and a refusal writes nothing (the plan ran)."""
    flow.promote('Development', 'Production', ['EmployeeBackoffice'], manifest_dest='missing')

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_promote_of_a_release_record_alone_deploys_its_versions_from_its_environment(flow):
    """Broke: the outcome is one the model allows (promote.yml failed with -e release=... and no applications)."""
    release = flow.promote('Development', 'Quality Assurance', ['EmployeeBackoffice'])

    flow.promote_release('Production', release)

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_rollback_of_a_release_record_alone_returns_each_application_to_its_from_version(flow):
    """Broke: the outcome is one the model allows (rollback.yml failed with -e release=... and no applications)."""
    release = flow.promote('Development', 'Production', ['EmployeeBackoffice'])

    flow.rollback_release(release)

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_a_second_rollback_goes_further_back_not_to_the_version_the_first_left(flow):
    """Broke: a rollback never deploys a version created after the one running before it (the second went back to 1.2)."""
    flow.rollback('Production', ['EmployeeBackoffice'])
    flow.rollback('Production', ['EmployeeBackoffice'])

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.0'


def test_check_mode_predicts_that_a_frozen_application_is_refused(flow):
    """Broke: check mode predicts the real run (check mode succeeded, the real run was refused by the freeze)."""
    flow.freeze('EmployeeBackoffice', 'Production', True)

    flow.promote('Development', 'Production', ['EmployeeBackoffice'])

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_promote_takes_an_application_given_by_its_key(flow):
    """Broke: the outcome is one the model allows (promote.yml failed on {key: ...} in applications, in both modes)."""
    flow.promote('Development', 'Production', ['EmployeeBackoffice'], by_key=['EmployeeBackoffice'])

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'


def test_a_rollback_to_a_given_version_never_goes_forward(flow):
    """Broke: a rollback never deploys a version created after the one running before it (to_version=1.3 deployed 1.3 over 1.2)."""
    flow.rollback('Production', ['EmployeeBackoffice'], to_version='1.3')

    assert flow.sim.state.running_version('Production', 'EmployeeBackoffice') == '1.2'


def test_promote_with_tag_modified_of_an_application_frozen_in_the_target_is_refused_in_check_mode_and_tags_nothing(flow):
    """Broke: check mode predicts the real run (the version to tag is left out of the check-mode plan, so the freeze went
    unseen), and a refusal writes nothing (the real run tagged 2.1.1, then was refused)."""
    flow.freeze('Customer Portal', 'Quality Assurance', True)

    flow.promote('Development', 'Quality Assurance', ['Customer Portal'], tag_modified=True)

    assert [version.number for version in flow.sim.state.versions('Customer Portal')] == ['2.0', '2.1']


def test_promote_with_tag_modified_to_its_own_source_is_refused_before_anything_is_tagged(flow):
    """Broke: check mode predicts the real run (with only a version to tag there is no check-mode plan, so nothing checked the
    environments), and a refusal writes nothing (the real run tagged 2.1.1, then was refused: source and target are one)."""
    flow.promote('Development', 'Development', ['Customer Portal'], tag_modified=True)

    assert flow.sim.state.is_modified('Development', 'Customer Portal')
