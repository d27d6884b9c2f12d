# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""OutSystems' own LifeTime client, outsystems-pipeline 0.11.0, against the simulator.

The package is installed once into a virtualenv under .tmp/ (reused by later
runs); the test is skipped, with pip's output, only when it cannot be installed.
Both scripts run in a temporary working directory, where they write their
Artifacts/ folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

PIPELINE = 'outsystems-pipeline==0.11.0'
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV = os.path.join(REPO_ROOT, '.tmp', 'real-client', 'outsystems-pipeline-0.11.0')

pytestmark = pytest.mark.slow


def _python(venv):
    return os.path.join(venv, 'bin', 'python')


def _installed(venv):
    python = _python(venv)
    return os.path.exists(python) and subprocess.run(
        [python, '-c', 'import outsystems.pipeline.deploy_latest_tags_to_target_env'], capture_output=True,
        check=False).returncode == 0


@pytest.fixture(scope='module')
def pipeline_python():
    """The python of a virtualenv with outsystems-pipeline installed."""
    if _installed(VENV):
        return _python(VENV)
    staging = '%s.installing-%d' % (VENV, os.getpid())
    shutil.rmtree(staging, ignore_errors=True)
    steps = ([sys.executable, '-m', 'venv', staging],
             [_python(staging), '-m', 'pip', 'install', '--disable-pip-version-check', '-q', PIPELINE])
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False, timeout=600)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.skip('cannot install %s:\n%s%s' % (PIPELINE, result.stdout, result.stderr))
    try:
        os.rename(staging, VENV)
    except OSError:  # another test run installed it first; use that one
        shutil.rmtree(staging, ignore_errors=True)
    return _python(VENV)


def _run(python, cwd, module, *args):
    env = dict(os.environ, OVERRIDE_CONFIG_IN_USE='True', SLEEP_PERIOD_IN_SECS='1')
    env.pop('WORKSPACE', None)  # the pipeline would put it on sys.path
    return subprocess.run([python, '-m', module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_fetch_lifetime_data_reads_environments_and_applications(pipeline_python, make_simulator, tmp_path):
    sim = make_simulator()
    result = _run(pipeline_python, tmp_path, 'outsystems.pipeline.fetch_lifetime_data', '-u', sim.url, '-t', sim.token)
    assert result.returncode == 0, result.stdout + result.stderr
    environments = json.loads((tmp_path / 'Artifacts' / 'environments.cache').read_text())
    assert [e['Name'] for e in environments] == ['Development', 'Quality Assurance', 'Production']
    applications = json.loads((tmp_path / 'Artifacts' / 'applications.cache').read_text())
    assert 'EmployeeBackoffice' in [a['Name'] for a in applications]
    assert [r['path'] for r in sim.requests] == ['/lifetimeapi/rest/v2/environments', '/lifetimeapi/rest/v2/applications']


def test_deploy_latest_tags_promotes_development_to_production(pipeline_python, make_simulator, tmp_path):
    sim = make_simulator(step_seconds=0.2)
    result = _run(pipeline_python, tmp_path, 'outsystems.pipeline.deploy_latest_tags_to_target_env', '-u', sim.url,
                  '-t', sim.token, '-s', 'Development', '-d', 'Production', '-l', 'EmployeeBackoffice')
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert 'Deployment plan finished with status finished_successful.' in output
    assert sim.state.running_version('Production', 'EmployeeBackoffice') == '1.3'
    plan = sim.state.latest_deployment('Production')
    assert plan.status == 'finished_successful'
    assert sim.state.deployment_summary(plan)['applications'][0]['version'] == '1.3'
    assert [w['path'].rsplit('/', 1)[-1] for w in sim.writes()] == ['deployments', 'start']
    manifest = json.loads((tmp_path / 'Artifacts' / 'deployment_data' / 'deployment_manifest.cache').read_text())
    assert manifest[0]['Version'] == '1.3'
