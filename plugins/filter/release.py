# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Filters the roles use to turn task results into the next task's input, so the roles hold no logic in Jinja.

Each filter is a pure function of its arguments; their documentation is in the .yml file of the same name.
"""

import json

import yaml

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.outsystems.lifetime.plugins.module_utils._errors import LifeTimeError
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.reading import load_data

SPEC_FIELDS = ('name', 'key', 'version', 'deployment_zone')


def _spec(item, index, parameter):
    """One application as a dictionary, or a sentence naming its place."""
    if isinstance(item, str) and item.strip():
        return {'name': item.strip()}
    if not isinstance(item, dict) or not (item.get('name') or item.get('key')):
        raise AnsibleFilterError('%s[%d] must be an application name or a dictionary with a name, not %r.' % (parameter, index, item))
    unknown = sorted(set(item) - set(SPEC_FIELDS))
    if unknown:
        raise AnsibleFilterError('%s[%d] has unknown fields %s: use %s.' % (parameter, index, ', '.join(unknown), ', '.join(SPEC_FIELDS)))
    return dict((name, value) for name, value in item.items() if value is not None and value != '')


def application_specs(applications, version=None, parameter='applications'):
    """Names or dictionaries (or one comma-separated string) as lifetime_deployment's applications: fields set to null dropped."""
    if isinstance(applications, str):
        applications = [item.strip() for item in applications.split(',') if item.strip()]
    if not applications or not isinstance(applications, list):
        raise AnsibleFilterError('%s must list at least one application, each a name or a dictionary with a name.' % parameter)
    specs = [_spec(item, index, parameter) for index, item in enumerate(applications)]
    if version is not None and version != '':
        specs = [dict(spec, version=spec.get('version', version)) for spec in specs]
    return specs


def _changed_tags(tag_results):
    return [result for result in tag_results or [] if result.get('changed') and result.get('version')]


def _ref(spec):
    """How an application spec names it: its name, else its key."""
    return spec.get('name') or spec.get('key')


def application_refs(specs):
    """The name (or, for an application given by key, the key) of each application spec."""
    return [_ref(spec) for spec in specs or []]


def tagged_versions(specs, tag_results, check_mode=False):
    """The applications to deploy once tagged: a new tag is deployed by its number; in check mode it does not exist, so it is left out."""
    tags = dict((_ref(result['item']), result['version'].get('version')) for result in _changed_tags(tag_results))
    deploy = []
    for spec in specs:
        if _ref(spec) not in tags:
            deploy.append(spec)
        elif not check_mode:
            deploy.append(dict(spec, version=tags[_ref(spec)]))
    return deploy


def pending_tag_lines(tag_results, applications_info):
    """Check mode: a summary line for each application that would be tagged, then deployed (it is not in the plan yet)."""
    running = {}
    for application in (applications_info or {}).get('applications') or []:
        environments = application.get('environments') or []
        version = environments[0].get('version') if environments else None
        running[application['name']] = running[str(application.get('key', '')).lower()] = version
    lines = []
    for result in _changed_tags(tag_results):
        ref = _ref(result['item'])
        before = running.get(ref) or running.get(str(ref).lower())
        lines.append('%s %s -> %s (would tag, then deploy)' % (ref, before or '(not running)', result['version'].get('version')))
    return lines


def deployment_summary(deployment, target, pending=None):
    """lifetime_deployment's summary lines, or the one line for no plan; check-mode lines for pending tags go before the plan line."""
    pending = list(pending or [])
    lines = list((deployment or {}).get('summary') or [])
    if not lines:
        lines = ['plan: none, %s already runs these versions' % target]
    if not pending:
        return lines
    planned = len([app for app in (deployment or {}).get('applications') or [] if not app.get('skipped')]) + len(pending)
    body = [line for line in lines if not line.startswith('plan')]
    return body + pending + ['plan: would create one deployment plan for %d application(s)' % planned]


def release_record(deployment, source=None, target=None):
    """What a promote or rollback hands to the next workflow node (set_stats ``lifetime_release``): the plan and every version."""
    deployment = deployment or {}
    # A plan that ended with errors or was aborted deployed nothing the record can vouch for; in check mode (no status yet)
    # deployed is the prediction.
    ended_badly = deployment.get('deployment_status') in ('finished_with_errors', 'aborted')
    applications = [dict(name=app.get('name'), key=app.get('key'), from_version=app.get('from_version'),
                         from_version_key=app.get('from_version_key'), to_version=app.get('to_version'), version_key=app.get('version_key'),
                         planned=not app.get('skipped'), deployed=not ended_badly and not app.get('skipped'))
                    for app in deployment.get('applications') or []]
    return dict(source_environment=deployment.get('source_environment') or source,
                target_environment=deployment.get('target_environment') or target,
                deployment_key=deployment.get('deployment_key'), deployment_status=deployment.get('deployment_status'),
                applications=applications)


def release_data(value):
    """A release record given as JSON text (-e 'release={...}') as data; anything else unchanged, for the playbook's check to judge."""
    if isinstance(value, str) and value.strip().startswith('{'):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def release_versions(release, side='to'):
    """The applications of a release record with the version to deploy: ``to`` what it deployed, ``from`` what ran before.

    A version is given by its key when the record has it: AWX writes artifacts as !unsafe strings, and ansible-core 2.19
    reads one that looks like a number ("1.10") as a number. An application that ran nothing before has no ``from``.
    """
    fields = {'to': ('version_key', 'to_version'), 'from': ('from_version_key', 'from_version')}
    if side not in fields:
        raise AnsibleFilterError('release_versions takes to or from, not %r.' % (side,))
    if release is not None and not isinstance(release, dict):
        raise AnsibleFilterError('release_versions reads a lifetime_release record (a dictionary), not %r.' % (release,))
    specs = [_release_spec(index, app, *fields[side]) for index, app in enumerate((release or {}).get('applications') or [])]
    return [spec for spec in specs if spec is not None]


def _release_spec(index, app, key_field, number_field):
    """One application of a release record as lifetime_deployment takes it, or None when it has no such version."""
    if not isinstance(app, dict) or not (app.get('name') or app.get('key')):
        raise AnsibleFilterError('applications[%d] of the release record has no name: %r.' % (index, app))
    version = app.get(key_field) or app.get(number_field)
    if not version:
        return None
    if not app.get(key_field) and isinstance(version, (int, float)) and not isinstance(version, bool):
        # "1.10" read as 1.1: the version meant is unknown. Records the roles publish always carry the keys.
        raise AnsibleFilterError(
            'applications[%d].%s of the release record is the number %r, not text, and the record has no %s: AWX writes artifacts as '
            '!unsafe strings and ansible-core 2.19 reads one that looks like a number as a number (1.10 becomes 1.1), so the '
            'version meant is unknown. Use the record the role published (it carries the version keys), or quote the version.'
            % (index, number_field, version, key_field))
    # By key when the record has it: the name is then only for people, and cannot name another application.
    spec = {'key': app['key']} if app.get('key') else {'name': app['name']}
    spec['version'] = str(version)
    return spec


def _number_of(text):
    """What YAML (and so ansible-core 2.19 reading an AWX survey answer) makes of a version written as ``text``: a number or None."""
    try:
        value = yaml.safe_load(str(text))
    except yaml.YAMLError:
        return None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _same_number(value, number):
    """Equal and of the same kind: 2 and 2.0 are different answers (YAML reads "2" as an integer, "2.0" as a float)."""
    return value is not None and isinstance(value, float) == isinstance(number, float) and value == number


def version_from_number(applications_info, number, parameter='to_version'):
    """The version of each application whose number YAML reads as ``number`` (a version number that arrived as a number).

    AWX writes survey answers as !unsafe strings, and ansible-core 2.19 reads one that looks like a number as a number: "1.10"
    arrives as 1.1, losing the text. Each application's versions (lifetime_application_info with include_versions) are
    matched by what YAML reads them as, of the same type: exactly one must match, else the version meant is unknown.
    Returns {applications: [{name, version}], problem: None, or the sentence that says why the version meant is unknown}.
    """
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise AnsibleFilterError('version_from_number takes a number, not %r.' % (number,))
    specs = []
    problems = []
    for application in (applications_info or {}).get('applications') or []:
        versions = [item.get('version') for item in application.get('versions') or []]
        found = [text for text in versions if _same_number(_number_of(text), number)]
        if len(found) == 1:
            specs.append({'name': application.get('name'), 'version': found[0]})
        else:
            problems.append('%s has %s' % (application.get('name'), 'no version that reads as that number' if not found else
                                           'several versions that read as it (%s)' % ', '.join(found)))
    if not problems:
        return {'applications': specs, 'problem': None}
    return {'applications': specs, 'problem': (
        '%s arrived as the number %r, not as text (YAML, and ansible-core 2.19 reading an AWX survey answer, turn 1.10 into 1.1), and %s: '
        'the version meant is unknown, and nothing was changed. Give the version as text - in an AWX survey, write it with a v '
        '(v1.10) - or its key.' % (parameter, number, '; '.join(problems)))}


def publish_versions(solution, downloads):
    """The versions a publication carries, from lifetime_solution's result or lifetime_app_version's loop results."""
    if solution and solution.get('applications') is not None:
        return [dict(name=app['name'], key=app.get('key'), version=app.get('version'), version_key=app.get('version_key'),
                     modified=bool(app.get('is_modified'))) for app in solution['applications']]
    return [dict(name=result['item'], key=(result.get('version') or {}).get('application_key'),
                 version=(result.get('version') or {}).get('version'), version_key=(result.get('version') or {}).get('key'),
                 modified=False) for result in (downloads or {}).get('results') or []]


def publish_summary(versions, published, check_mode=False, package='solution'):
    """The body of the publish role's summary: each application and version, then what became of each package."""
    outcome = 'would be published' if check_mode else 'published'
    lines = ['%s %s%s (%s)' % (item['name'], item['version'], ' with changes since that version' if item.get('modified') else '', outcome)
             for item in versions or []]
    if check_mode:
        action = 'build the solution in the source' if package == 'solution' else 'download each application package from the source'
        return lines + ['would %s and publish it in the target' % action]
    return lines + [result['summary'] for result in (published or {}).get('results') or [] if result.get('summary')]


def version_mismatches(expected, applications_info):
    """Sentences for each expected {name, version} that the environment read by lifetime_application_info does not run."""
    running = {}
    for application in (applications_info or {}).get('applications') or []:
        environments = application.get('environments') or []
        running[application['name']] = environments[0].get('version') if environments else None
    return ['%s runs %s, not %s' % (item['name'], running.get(item['name']) or 'nothing', item['version'])
            for item in expected or [] if not item.get('modified') and running.get(item['name']) != item['version']]


def release_file_data(path):
    """A release record read from a JSON or YAML file on the controller as data: depth, size and YAML aliases bounded."""
    try:
        return load_data(to_text(path), 'release_file')
    except LifeTimeError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    """The outsystems.lifetime filters for release roles."""

    def filters(self):
        return {
            'application_specs': application_specs,
            'application_refs': application_refs,
            'version_from_number': version_from_number,
            'tagged_versions': tagged_versions,
            'pending_tag_lines': pending_tag_lines,
            'deployment_summary': deployment_summary,
            'release_record': release_record,
            'release_versions': release_versions,
            'release_data': release_data,
            'release_file_data': release_file_data,
            'publish_versions': publish_versions,
            'publish_summary': publish_summary,
            'version_mismatches': version_mismatches,
        }
