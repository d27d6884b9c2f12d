# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: the release manifest lifetime_deployment writes after a deployment (manifest_dest).

The file is checked before anything is sent to LifeTime (check_manifest_dest: a regular file, and a release manifest unless
manifest_dest_force), and written only once the target runs
the versions: what the target runs for every application of the request, read from the verify step's read (no second
read), and, for a release manifest, its test applications that were not deployed, carried as they are.
"""

import os

from ansible_collections.outsystems.lifetime.plugins.module_utils._deployments.status import SUCCEEDED
from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError, LifeTimeUsageError
from ansible_collections.outsystems.lifetime.plugins.module_utils._files import same_file
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import check_manifest_dest as check_release_manifest_dest
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests import manifest_after_deployment, write_manifest


# Replaces a manifest_dest that holds something else than a release manifest.
FORCE_OPTION = 'manifest_dest_force'


def check_manifest_dest(params):
    """manifest_dest, checked before anything is sent: a file that can be written there, and never the manifest read."""
    if not params.get('manifest_dest'):
        return
    dest = check_release_manifest_dest(params['manifest_dest'], parameter='manifest_dest', force=params.get(FORCE_OPTION),
                                       force_option=FORCE_OPTION)
    source = params.get('manifest')
    if isinstance(source, str) and source.strip() and not source.strip().startswith('{'):
        if same_file(os.path.abspath(os.path.expanduser(source.strip())), dest):
            raise LifeTimeUsageError('manifest_dest %s is the manifest file itself (manifest): the file that says what to deploy is never '
                                     'overwritten. Give manifest_dest another path.' % dest, parameter='manifest_dest')
    params['manifest_dest'] = dest


def _runs_the_versions(task, plan, result):
    """Whether the target runs the plan's versions now, for real: nothing to deploy, or a deployment that ended well."""
    if task.params['state'] != 'deployed' or (task.check_mode and plan.to_deploy):
        return False
    return not plan.to_deploy or result.get('deployment_status') in SUCCEEDED


def _not_written(task, plan, result, dest):
    result['manifest_dest'] = dest
    if task.check_mode and task.params['state'] == 'deployed':
        line = 'manifest: would write the manifest of what %s then runs to %s' % (plan.target['Name'], dest)
    else:
        line = 'manifest: not written to %s, %s does not run the versions yet' % (dest, plan.target['Name'])
    result['summary'].append(line)


def _current_resolver(task, plan, listed):
    """A resolver that knows what the target runs now: the one of the task when nothing was deployed, else the read after it."""
    if not plan.to_deploy:
        return task.resolver
    return task.resolver.refreshed(listed if listed is not None else task.client.list_applications(include_env_status=True))


def _write(task, plan, result, data, dest):
    outcome = write_manifest(dest, data, check_mode=task.check_mode, parameter='manifest_dest', force=task.params.get(FORCE_OPTION),
                             force_option=FORCE_OPTION)
    result.update(manifest_dest=outcome['dest'], changed=bool(result.get('changed')) or outcome['changed'])
    if not outcome['changed']:
        result['summary'].append('manifest: %s already holds the manifest of what %s runs' % (outcome['dest'], plan.target['Name']))
        return
    result['summary'].append('manifest: %s the manifest of what %s runs to %s'
                             % ('would write' if task.check_mode else 'wrote', plan.target['Name'], outcome['dest']))
    if task.diff:
        file_diff = dict(before=outcome['before'], after=outcome['after'], before_header=outcome['before_header'], after_header=outcome['dest'])
        result['diff'] = [result['diff'], file_diff] if result.get('diff') else file_diff


def release_manifest(task, plan, result, listed=None):
    """Add the release manifest of what the target runs (``manifest``) to the result, and write it to manifest_dest when given.

    ``listed`` is the applications list the verify step read after the deployment, if it did.
    """
    dest = task.params.get('manifest_dest')
    if not _runs_the_versions(task, plan, result):
        if dest:
            _not_written(task, plan, result, dest)
        return
    if not plan.to_deploy or task.check_mode:
        _manifest_and_file(task, plan, result, listed, dest)
        return
    try:
        _manifest_and_file(task, plan, result, listed, dest)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        # LifeTime completed the deployment: the file that could not be written afterwards is a warning, not a failure
        # (a failure would send an AWX workflow down its rollback path for a release that went well), and whatever went
        # wrong (an error of this collection included) never loses the plan key and status the result carries.
        if not isinstance(exc, LifeTimeError):
            exc = '%s: %s' % (type(exc).__name__, exc)
        result['manifest_written'] = False
        task.warn('Deployment plan %s ended %s, but the release manifest was not %s: %s'
                  % (result.get('deployment_key'), result.get('deployment_status'),
                     'written to %s' % dest if dest else 'made', exc))
        result['summary'].append('manifest: not written: %s' % exc)


def _manifest_and_file(task, plan, result, listed, dest):
    resolver = _current_resolver(task, plan, listed)
    applications = [resolver.application_by_key(item.application['Key']) or item.application for item in plan.applications]
    data = manifest_after_deployment(resolver, plan.target, applications, template=plan.manifest, notes=task.params.get('notes'))
    result['manifest'] = data
    if dest:
        _write(task, plan, result, data, dest)
