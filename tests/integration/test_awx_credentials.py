# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The playbooks with the environment AWX injects from a credential of the example credential types.

The simulator serves HTTPS with a certificate of its own certificate authority, as a LifeTime behind a private CA
does: a credential with URL and token only must fail on the certificate (verification on), one with the CA
certificate must work, and only "skip TLS verification" may turn verification off.
"""

import pytest

from tests.contract import awx_controller as awx
from tests.integration.test_playbooks import PROMOTE, PUBLISH, summary
from tests.support import OTHER_INFRASTRUCTURE

pytestmark = pytest.mark.integration

TOKEN = 'awx-credential-token-77a0'
CREDENTIAL_TYPES = dict((item['name'], item) for item in awx.load_example('credential_types.yml', {})['controller_credential_types'])
PROMOTE_VARS = dict(source_environment='Development', target_environment='Production', applications='EmployeeBackoffice')
# Nothing from the caller's environment: only what the credential injects.
NO_CONNECTION = dict((name, '') for name in (
    'LIFETIME_URL', 'LIFETIME_TOKEN', 'LIFETIME_VALIDATE_CERTS', 'LIFETIME_CA_PATH', 'LIFETIME_SOURCE_URL', 'LIFETIME_SOURCE_TOKEN',
    'LIFETIME_SOURCE_VALIDATE_CERTS', 'LIFETIME_SOURCE_CA_PATH', 'LIFETIME_TARGET_URL', 'LIFETIME_TARGET_TOKEN',
    'LIFETIME_TARGET_VALIDATE_CERTS', 'LIFETIME_TARGET_CA_PATH', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE'))


def injected(credential_type, inputs, tmp_path):
    env, extra_vars, dummy = awx.inject(CREDENTIAL_TYPES[credential_type], inputs, str(tmp_path / 'private_data_dir'))
    assert extra_vars == {}
    return dict(NO_CONNECTION, **env)


def ca_certificate(sim):
    with open(sim.ca_cert_path, encoding='ascii') as handle:
        return handle.read()


def test_a_credential_with_url_and_token_only_verifies_the_certificate(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN, tls=True)
    env = injected('OutSystems LifeTime', {'lifetime_url': sim.url, 'lifetime_token': TOKEN}, tmp_path)

    run = ansible_playbook(PROMOTE, extra_vars=PROMOTE_VARS, check=True, env=env)

    assert run.rc != 0, run
    assert 'TLS certificate verification failed' in run.output, run
    assert sim.requests == []


def test_a_credential_with_the_ca_certificate_trusts_that_ca(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN, tls=True)
    inputs = {'lifetime_url': sim.url, 'lifetime_token': TOKEN, 'lifetime_ca_certificate': ca_certificate(sim)}
    env = injected('OutSystems LifeTime', inputs, tmp_path)
    assert env['LIFETIME_VALIDATE_CERTS'] == 'true'

    run = ansible_playbook(PROMOTE, extra_vars=PROMOTE_VARS, check=True, env=env)

    assert run.rc == 0, run
    assert 'EmployeeBackoffice 1.2 -> 1.3 (would deploy)' in summary(run)
    assert sim.writes() == [] and sim.requests


def test_only_skip_tls_verify_turns_verification_off(ansible_playbook, make_simulator, tmp_path):
    sim = make_simulator(token=TOKEN, tls=True)
    inputs = {'lifetime_url': sim.url, 'lifetime_token': TOKEN, 'lifetime_skip_tls_verify': True}
    env = injected('OutSystems LifeTime', inputs, tmp_path)

    run = ansible_playbook(PROMOTE, extra_vars=PROMOTE_VARS, check=True, env=env)

    assert run.rc == 0, run
    assert 'EmployeeBackoffice 1.2 -> 1.3 (would deploy)' in summary(run)


def test_the_publish_credentials_give_each_side_its_own_url_token_and_ca(ansible_playbook, make_simulator, tmp_path):
    source = make_simulator(token='source-token', tls=True, step_seconds=0.1)
    target = make_simulator(token='target-token', scenario=OTHER_INFRASTRUCTURE, tls=True, step_seconds=0.1)
    env = dict(injected('OutSystems LifeTime (publish source)', {
        'source_lifetime_url': source.url, 'source_lifetime_token': 'source-token', 'source_ca_certificate': ca_certificate(source)},
        tmp_path / 'source'))
    env.update((name, value) for name, value in injected('OutSystems LifeTime (publish target)', {
        'target_lifetime_url': target.url, 'target_lifetime_token': 'target-token', 'target_ca_certificate': ca_certificate(target)},
        tmp_path / 'target').items() if name.startswith('LIFETIME_TARGET_'))
    extra = dict(source_environment='Development', target_environment='Live', applications='EmployeeBackoffice')

    run = ansible_playbook(PUBLISH, extra_vars=extra, env=env)

    assert run.rc == 0, run
    assert target.state.running_version('Live', 'EmployeeBackoffice') == '1.3'
    assert 'verified: Live runs the versions published' in summary(run)
