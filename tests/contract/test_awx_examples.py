# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Contract: the AWX / AAP definitions in examples/awx are what the controller accepts and what the playbooks expect.

The controller's rules are in tests/contract/awx_controller.py. Here: the credential types are valid and inject an
environment that keeps TLS verification on unless a credential asks otherwise, the surveys are valid and ask for
the playbooks' own extra vars, every name a job template or the workflow refers to is defined, the workflow hands
the release record from node to node, and ansible-builder turns both execution environment definitions into a
build context offline.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible.module_utils.parsing.convert_bool import boolean

from tests.contract import awx_controller as awx

REPO_ROOT = awx.REPO_ROOT
EXAMPLES = awx.EXAMPLES
BIN = os.path.dirname(sys.executable)
# The variables an administrator sets (examples/awx/README.md), with sample values.
SITE = {
    'lifetime_awx_organization': 'Default',
    'lifetime_awx_url': 'https://lifetime.example.com',
    'lifetime_awx_token': 'token-of-the-service-account',
    'lifetime_awx_source_url': 'https://lifetime.dev.example.com',
    'lifetime_awx_source_token': 'token-of-the-source',
    'lifetime_awx_target_url': 'https://lifetime.customer.example.com',
    'lifetime_awx_target_token': 'token-of-the-target',
    'lifetime_awx_governance_initial_password': 'initial-password-of-new-users',
    'lifetime_awx_reporting_db_qa_password': 'password-of-reporting-db-in-qa',
    'lifetime_awx_project_url': 'https://git.example.com/automation/outsystems.git',
    'lifetime_awx_project_branch': 'main',
    'lifetime_awx_ee_image': 'registry.example.com/ee-outsystems-lifetime:0.1.0',
}
PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2F0YWxvZw==\n-----END CERTIFICATE-----\n'
TYPES = {'OutSystems LifeTime': '', 'OutSystems LifeTime (publish source)': 'source_',
         'OutSystems LifeTime (publish target)': 'target_'}
# The secrets a governance description reads from the environment: no connection of its own.
SECRET_TYPES = ('OutSystems LifeTime governance secrets',)
ENV_PREFIX = {'': 'LIFETIME_', 'source_': 'LIFETIME_SOURCE_', 'target_': 'LIFETIME_TARGET_'}


def example(name):
    return awx.load_example(name, SITE)


def by_name(items):
    return dict((item['name'], item) for item in items)


CREDENTIAL_TYPES = by_name(example('credential_types.yml')['controller_credential_types'])
TEMPLATES = by_name(example('job_templates.yml')['controller_templates'])
WORKFLOW = example('workflow.yml')['controller_workflows'][0]


def galaxy_version():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['version']


def playbook_spec(playbook):
    """The argument spec of the playbook's "Check the extra vars" task, and the playbook's text."""
    path = os.path.join(REPO_ROOT, 'playbooks', playbook)
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    play = yaml.safe_load(text)[0]
    [task] = [task for task in play['pre_tasks'] if 'ansible.builtin.validate_argument_spec' in task]
    return task['ansible.builtin.validate_argument_spec']['argument_spec'], text


def collection_playbook(template):
    """The collection playbook a job template runs: its project playbook imports outsystems.lifetime.<name>."""
    with open(os.path.join(EXAMPLES, 'project', template['playbook']), encoding='utf-8') as handle:
        [play] = yaml.safe_load(handle)
    namespace, name = play['ansible.builtin.import_playbook'].rsplit('.', 1)
    assert namespace == 'outsystems.lifetime'
    return name + '.yml'


# ---------------------------------------------------------------- credential types


def test_the_examples_are_the_variables_of_infra_controller_configuration():
    expected = {
        'credential_types.yml': {'controller_credential_types'},
        'credentials.yml': {'controller_credentials'},
        'execution_environments.yml': {'controller_execution_environments'},
        'projects.yml': {'controller_projects'},
        'inventories.yml': {'controller_inventories', 'controller_hosts', 'controller_inventory_sources'},
        'job_templates.yml': {'controller_templates'},
        'workflow.yml': {'controller_workflows'},
    }
    for name, keys in expected.items():
        assert set(awx.read_example(name)) == keys, name
    used = set()
    for name in expected:
        with open(os.path.join(EXAMPLES, name), encoding='utf-8') as handle:
            used.update(re.findall(r'\b(lifetime_awx_[a-z_]+)\b', handle.read()))
    with open(os.path.join(EXAMPLES, 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    assert used == set(SITE)
    assert [variable for variable in sorted(used) if '`%s`' % variable not in readme] == []


@pytest.mark.parametrize('name', sorted(TYPES))
def test_the_controller_accepts_the_credential_type(name):
    awx.validate_credential_type(CREDENTIAL_TYPES[name])


def test_the_injector_templates_reach_the_controller_as_written():
    """Without !unsafe, infra.controller_configuration would render them itself, with nothing."""
    raw = awx.read_example('credential_types.yml')['controller_credential_types']
    for credential_type in raw:
        for templates in credential_type['injectors'].values():
            for template in templates.values():
                assert isinstance(template, awx.Unsafe), template
    inventory = awx.read_example('inventories.yml')
    assert isinstance(inventory['controller_hosts'][0]['variables']['ansible_python_interpreter'], awx.Unsafe)


@pytest.mark.parametrize('broken, message', [
    (dict(kind='ssh'), "Must be 'cloud' or 'net'"),
    (dict(inputs={'fields': [{'id': 'flag', 'label': 'Flag', 'type': 'boolean', 'secret': True}]}), 'secret not allowed for boolean'),
    (dict(inputs={'fields': [{'id': 'flag', 'label': 'Flag', 'type': 'boolean', 'default': 'yes'}]}), 'is not a boolean'),
    (dict(inputs={'fields': [{'id': 'a', 'label': 'A'}, {'id': 'a', 'label': 'B'}]}), 'must be unique'),
    (dict(inputs={'fields': [{'id': 'tower', 'label': 'T'}]}), 'reserved'),
    (dict(inputs={'fields': [{'id': 'a', 'label': 'A', 'kind': 'x'}]}), 'inputs:'),
    (dict(injectors={'env': {'ANSIBLE_CONFIG': '{{ a }}'}}), 'may affect Ansible configuration'),
    (dict(injectors={'env': {'PATH': '{{ a }}'}}), 'not allowed to be used'),
    (dict(injectors={'env': {'X': '{{ b }}'}}), 'uses an undefined field'),
    (dict(injectors={'env': {'X': '{{ tower.filename.ca }}'}}), 'uses an undefined field'),
    (dict(injectors={'env': {'X': '{{ a '}}), 'Syntax error'),
    (dict(injectors={'files': {}}), 'injectors:'),
])
def test_the_rules_refuse_what_the_controller_refuses(broken, message):
    credential_type = {'name': 'T', 'kind': 'cloud', 'inputs': {'fields': [{'id': 'a', 'label': 'A'}]}, 'injectors': {}}
    credential_type.update(broken)
    with pytest.raises(awx.ControllerError, match=message):
        awx.validate_credential_type(credential_type)


def field(prefix, name):
    """The id of a credential type's field: lifetime_url, source_lifetime_url; lifetime_ca_certificate, source_ca_certificate."""
    return prefix + 'lifetime_' + name if name in ('url', 'token') else (prefix or 'lifetime_') + name


def connection_inputs(prefix, **extra):
    inputs = {field(prefix, 'url'): 'https://lifetime.example.com', field(prefix, 'token'): 'secret-token'}
    inputs.update(dict((field(prefix, key), value) for key, value in extra.items()))
    return inputs


@pytest.mark.parametrize('name', sorted(TYPES))
def test_a_credential_with_only_url_and_token_keeps_tls_verification_on(name, tmp_path):
    """The credential an API call or configuration as code creates with the two required inputs only."""
    prefix = TYPES[name]
    env, extra_vars, dummy = awx.inject(CREDENTIAL_TYPES[name], connection_inputs(prefix), str(tmp_path))

    variables = ENV_PREFIX[prefix]
    assert env[variables + 'URL'] == 'https://lifetime.example.com'
    assert env[variables + 'TOKEN'] == 'secret-token'
    assert env[variables + 'VALIDATE_CERTS'] == 'true'
    assert boolean(env[variables + 'VALIDATE_CERTS'], strict=True) is True
    # The CA file is written (empty) whatever the inputs; its path is only injected when there is a certificate.
    assert env[variables + 'CA_PATH'] == ''
    assert extra_vars == {}


@pytest.mark.parametrize('name', sorted(TYPES))
def test_skip_tls_verify_is_the_only_way_to_turn_verification_off(name, tmp_path):
    prefix = TYPES[name]
    credential_type = CREDENTIAL_TYPES[name]
    variables = ENV_PREFIX[prefix]

    env, dummy, dummy = awx.inject(credential_type, connection_inputs(prefix, skip_tls_verify=True), str(tmp_path / 'on'))
    assert boolean(env[variables + 'VALIDATE_CERTS'], strict=True) is False

    env, dummy, dummy = awx.inject(credential_type, connection_inputs(prefix, skip_tls_verify=False), str(tmp_path / 'off'))
    assert boolean(env[variables + 'VALIDATE_CERTS'], strict=True) is True


@pytest.mark.parametrize('name', sorted(TYPES))
def test_a_ca_certificate_is_injected_as_a_file_and_its_path(name, tmp_path):
    prefix = TYPES[name]
    variables = ENV_PREFIX[prefix]
    inputs = connection_inputs(prefix, ca_certificate=PEM)

    env, dummy, files = awx.inject(CREDENTIAL_TYPES[name], inputs, str(tmp_path))

    assert env[variables + 'CA_PATH'] in files
    with open(env[variables + 'CA_PATH'], encoding='utf-8') as handle:
        assert handle.read() == PEM
    assert env[variables + 'VALIDATE_CERTS'] == 'true'


def test_the_former_documented_type_switched_verification_off_when_its_field_was_not_set(tmp_path):
    """docs/awx.md used to inject a boolean "verify" field as is: a credential without it rendered False."""
    former = {
        'name': 'Former', 'kind': 'cloud',
        'inputs': {'fields': [{'id': 'lifetime_url', 'label': 'URL', 'type': 'string'},
                              {'id': 'lifetime_token', 'label': 'Token', 'type': 'string', 'secret': True},
                              {'id': 'lifetime_validate_certs', 'label': 'Verify', 'type': 'boolean', 'default': True}],
                   'required': ['lifetime_url', 'lifetime_token']},
        'injectors': {'env': {'LIFETIME_VALIDATE_CERTS': '{{ lifetime_validate_certs }}'}},
    }
    awx.validate_credential_type(former)

    env, dummy, dummy = awx.inject(former, connection_inputs(''), str(tmp_path))

    assert boolean(env['LIFETIME_VALIDATE_CERTS'], strict=True) is False


@pytest.mark.parametrize('name', sorted(TYPES))
def test_every_injected_variable_is_read_by_the_playbook_that_uses_the_type(name):
    playbook = 'publish.yml' if TYPES[name] else 'promote.yml'
    dummy, text = playbook_spec(playbook)
    read = set(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", text))
    assert set(CREDENTIAL_TYPES[name]['injectors']['env']) <= read


def test_the_credentials_are_valid_for_their_types():
    credentials = example('credentials.yml')['controller_credentials']
    assert sorted(credential['credential_type'] for credential in credentials) == sorted(list(TYPES) + list(SECRET_TYPES))
    for credential in credentials:
        awx.validate_credential(CREDENTIAL_TYPES[credential['credential_type']], credential['inputs'])
        # Only the URL and the token: verification stays on.
        assert not any(key.endswith('skip_tls_verify') for key in credential['inputs'])


# ---------------------------------------------------------------- job templates and surveys


@pytest.mark.parametrize('name', sorted(TEMPLATES))
def test_the_job_template_refers_to_what_the_examples_define(name):
    template = TEMPLATES[name]
    credentials = by_name(example('credentials.yml')['controller_credentials'])
    assert template['project'] in by_name(example('projects.yml')['controller_projects'])
    assert template['inventory'] in by_name(example('inventories.yml')['controller_inventories'])
    assert template['execution_environment'] in by_name(example('execution_environments.yml')['controller_execution_environments'])
    assert set(template['credentials']) <= set(credentials)
    # The controller takes one credential per credential type.
    types = [credentials[credential]['credential_type'] for credential in template['credentials']]
    assert len(types) == len(set(types))
    assert os.path.exists(os.path.join(REPO_ROOT, 'playbooks', collection_playbook(template)))


@pytest.mark.parametrize('name', sorted(TEMPLATES))
def test_the_job_template_credentials_give_the_playbook_its_connection(name):
    template = TEMPLATES[name]
    credentials = by_name(example('credentials.yml')['controller_credentials'])
    injected = set()
    for credential in template['credentials']:
        injected.update(CREDENTIAL_TYPES[credentials[credential]['credential_type']]['injectors']['env'])
    if collection_playbook(template) == 'publish.yml':
        assert {'LIFETIME_SOURCE_URL', 'LIFETIME_SOURCE_TOKEN', 'LIFETIME_TARGET_URL', 'LIFETIME_TARGET_TOKEN'} <= injected
    else:
        assert {'LIFETIME_URL', 'LIFETIME_TOKEN'} <= injected


def surveys():
    found = [(name, template['survey_spec']) for name, template in sorted(TEMPLATES.items()) if template.get('survey_enabled')]
    return found + [(WORKFLOW['name'], WORKFLOW['survey_spec'])]


@pytest.mark.parametrize('name, survey', surveys(), ids=[name for name, dummy in surveys()])
def test_the_controller_accepts_the_survey(name, survey):
    awx.validate_survey_spec(survey)


@pytest.mark.parametrize('broken, message', [
    ({'spec': []}, "doesn't contain any items"),
    ({'spec': [{'type': 'text', 'question_name': 'Q', 'variable': 'v'}]}, "'required' missing"),
    ({'spec': [{'type': 'boolean', 'question_name': 'Q', 'variable': 'v', 'required': False}]}, 'allowed question types'),
    ({'spec': [{'type': 'multiplechoice', 'question_name': 'Q', 'variable': 'v', 'required': False}]}, 'must specify choices'),
    ({'spec': [{'type': 'multiplechoice', 'question_name': 'Q', 'variable': 'v', 'required': False, 'choices': ['a'],
                'default': 'b'}]}, 'Default choice'),
    ({'spec': [{'type': 'text', 'question_name': 'Q', 'variable': 'v', 'required': False, 'default': False}]}, 'Default value'),
    ({'spec': [{'type': 'text', 'question_name': 'Q', 'variable': 'v', 'required': False}] * 2}, 'duplicated'),
])
def test_the_survey_rules_refuse_what_the_controller_refuses(broken, message):
    survey = {'name': 'S', 'description': ''}
    survey.update(broken)
    with pytest.raises(awx.ControllerError, match=message):
        awx.validate_survey_spec(survey)


def check_question_against_spec(question, option):
    """A question whose answers the playbook's argument spec accepts."""
    if question['type'] == 'multiplechoice':
        for choice in awx.survey_choices(question):
            if option['type'] == 'bool':
                boolean(choice, strict=True)
            elif 'choices' in option:
                assert choice in option['choices'], (question['variable'], choice)
    else:
        assert question['type'] in ('text', 'textarea'), question
        assert option['type'] in ('str', 'list', 'path'), (question['variable'], option)


def step_templates():
    return [node['unified_job_template']['name'] for node in WORKFLOW['workflow_nodes']
            if node['unified_job_template']['type'] == 'job_template']


@pytest.mark.parametrize('name', sorted(TEMPLATES))
def test_the_survey_asks_for_the_playbook_s_own_extra_vars(name):
    template = TEMPLATES[name]
    spec, dummy = playbook_spec(collection_playbook(template))
    questions = list(template['survey_spec']['spec']) if template.get('survey_enabled') else []
    if name in step_templates():
        assert not template.get('survey_enabled'), 'a workflow step asks nothing: the workflow does'
        questions += WORKFLOW['survey_spec']['spec']
    for question in questions:
        if question['variable'] in spec:
            check_question_against_spec(question, spec[question['variable']])
        else:
            # A workflow's answers reach every step; a step ignores those its playbook does not take.
            assert name in step_templates(), '%s asks for %s, which %s does not take' % (name, question['variable'], template['playbook'])
    given = set(template.get('extra_vars') or {}) | set(q['variable'] for q in questions if q['required'])
    if 'release' in given:
        # A release record gives the applications and the other environment.
        given |= {'applications', 'source_environment', 'target_environment'}
    missing = [option for option, settings in spec.items() if settings.get('required') and option not in given]
    assert missing == []
    for variable, value in (template.get('extra_vars') or {}).items():
        assert variable in spec, variable
        if variable != 'release':
            check_question_against_spec({'type': 'text', 'variable': variable}, spec[variable])
            assert isinstance(value, str)


@pytest.mark.parametrize('name', sorted(name for name, template in TEMPLATES.items() if template.get('survey_enabled')))
def test_a_launch_with_only_the_required_answers_gives_values_the_playbook_accepts(name):
    """The defaults a launch adds ("" for a text left blank) pass the playbook's checks: see test_survey_answers.py."""
    template = TEMPLATES[name]
    spec, dummy = playbook_spec(collection_playbook(template))
    answers = dict((q['variable'], awx.survey_choices(q)[0] if q['type'] == 'multiplechoice' else 'App')
                   for q in template['survey_spec']['spec'] if q['required'])
    extra_vars = awx.survey_extra_vars(template['survey_spec'], answers)
    for variable, value in extra_vars.items():
        option = spec[variable]
        if value == '' and not option.get('required'):
            continue  # not given, for the playbook
        if option['type'] == 'bool':
            boolean(value, strict=True)
        elif 'choices' in option:
            assert value in option['choices']


def test_job_templates_offer_check_and_diff_like_ansible_playbook():
    for name in ('OutSystems LifeTime - Promote', 'OutSystems LifeTime - Roll back', 'OutSystems LifeTime - Publish'):
        assert TEMPLATES[name]['ask_job_type_on_launch'] is True
    assert TEMPLATES['OutSystems LifeTime - Promote']['diff_mode'] is True


def test_the_localhost_inventory_runs_the_tasks_in_the_execution_environment_s_python():
    [host] = example('inventories.yml')['controller_hosts']
    assert host['name'] == 'localhost'
    assert host['variables'] == {'ansible_connection': 'local', 'ansible_python_interpreter': '{{ ansible_playbook_python }}'}


def test_the_project_playbooks_import_the_collection_s_playbooks():
    for path in sorted(glob.glob(os.path.join(EXAMPLES, 'project', '*.yml'))):
        with open(path, encoding='utf-8') as handle:
            [play] = yaml.safe_load(handle)
        assert play['ansible.builtin.import_playbook'] == 'outsystems.lifetime.' + os.path.basename(path)[:-4]


# ---------------------------------------------------------------- workflow


def test_the_workflow_promotes_to_quality_assurance_then_after_approval_the_same_versions_to_production():
    nodes = dict((node['identifier'], node) for node in WORKFLOW['workflow_nodes'])
    assert len(nodes) == len(WORKFLOW['workflow_nodes'])

    def children(identifier, kind):
        return [link['identifier'] for link in nodes[identifier].get('related', {}).get(kind, [])]

    for identifier in nodes:
        for kind in ('success_nodes', 'failure_nodes', 'always_nodes'):
            assert set(children(identifier, kind)) <= set(nodes)
        # The controller refuses a node with "always" children and other children.
        assert not (children(identifier, 'always_nodes') and (children(identifier, 'success_nodes') or children(identifier, 'failure_nodes')))
    parents = [child for identifier in nodes for kind in ('success_nodes', 'failure_nodes', 'always_nodes') for child in children(identifier, kind)]
    [root] = set(nodes) - set(parents)

    qa = nodes[root]
    qa_extra_vars = TEMPLATES[qa['unified_job_template']['name']]['extra_vars']
    assert qa_extra_vars == {'source_environment': 'Development', 'target_environment': 'Quality Assurance'}
    [approval] = children(root, 'success_nodes')
    assert nodes[approval]['unified_job_template']['type'] == 'workflow_approval'
    assert isinstance(nodes[approval]['unified_job_template']['timeout'], int)
    assert children(root, 'failure_nodes') == []
    [production] = children(approval, 'success_nodes')
    production_template = TEMPLATES[nodes[production]['unified_job_template']['name']]
    assert production_template['extra_vars'] == {'target_environment': 'Production', 'release': '{{ lifetime_release }}'}
    assert collection_playbook(production_template) == 'promote.yml'
    [rollback] = children(production, 'failure_nodes')
    assert children(production, 'success_nodes') == []
    rollback_template = TEMPLATES[nodes[rollback]['unified_job_template']['name']]
    assert rollback_template['extra_vars'] == {'target_environment': 'Production', 'release': '{{ lifetime_release }}'}
    assert collection_playbook(rollback_template) == 'rollback.yml'
    for node in nodes.values():
        if node['unified_job_template']['type'] == 'job_template':
            assert node['unified_job_template']['name'] in TEMPLATES
            assert node['unified_job_template']['organization']['name'] == SITE['lifetime_awx_organization']


def test_the_workflow_survey_sets_nothing_a_step_sets_itself():
    """A workflow's extra vars win over a step's own and over artifacts: asking for these would override them."""
    asked = set(question['variable'] for question in WORKFLOW['survey_spec']['spec'])
    for name in step_templates():
        assert not asked & set(TEMPLATES[name].get('extra_vars') or {}), name
    assert not asked & {'release', 'lifetime_release', 'source_environment', 'target_environment'}


def test_the_release_record_of_a_step_reaches_the_next_as_the_release_extra_var():
    record = {'target_environment': 'Quality Assurance', 'deployment_key': 'k', 'deployment_status': 'finished_successful',
              'applications': [{'name': 'EmployeeBackoffice', 'key': 'a', 'from_version': '1.2', 'to_version': '1.3', 'version_key': 'v'}]}
    production = TEMPLATES['OutSystems LifeTime - Promote the release to Production (workflow step)']
    answers = awx.survey_extra_vars(WORKFLOW['survey_spec'], {'applications': 'EmployeeBackoffice'})

    extra_vars = awx.workflow_node_extra_vars(production, {'lifetime_release': record}, answers)

    assert extra_vars['lifetime_release'] == record
    assert extra_vars['release'] == '{{ lifetime_release }}'
    assert extra_vars['target_environment'] == 'Production'


# ---------------------------------------------------------------- execution environments


def builder_create(definition, context):
    command = [os.path.join(BIN, 'ansible-builder'), 'create', '-f', definition, '-c', str(context), '--output-filename', 'Containerfile']
    process = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120, cwd=os.path.dirname(definition))
    assert process.returncode == 0, process.stdout + process.stderr
    with open(os.path.join(str(context), '_build', 'requirements.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_the_air_gapped_execution_environment_installs_the_collection_from_its_tarball(tmp_path):
    version = galaxy_version()
    work = tmp_path / 'ee'
    shutil.copytree(EXAMPLES, str(work))
    build = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', str(work), REPO_ROOT],
                           capture_output=True, text=True, check=False, timeout=120)
    assert build.returncode == 0, build.stdout + build.stderr

    requirements = builder_create(str(work / 'execution-environment.yml'), tmp_path / 'context')

    tarball = 'outsystems-lifetime-%s.tar.gz' % version
    assert requirements == {'collections': [{'name': 'collections/' + tarball, 'type': 'file'}]}
    # What the galaxy stage runs, in /build (the context's _build): no network.
    stage = tmp_path / 'context' / '_build'
    install = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
                              '--collections-path', str(tmp_path / 'image')], cwd=str(stage), capture_output=True, text=True,
                             check=False, timeout=120, env=dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1',
                                                                ANSIBLE_COLLECTIONS_PATH=str(tmp_path / 'image'),
                                                                ANSIBLE_HOME=str(tmp_path / 'ansible-home')))
    assert install.returncode == 0, install.stdout + install.stderr
    assert os.path.exists(str(tmp_path / 'image' / 'ansible_collections' / 'outsystems' / 'lifetime' / 'playbooks' / 'promote.yml'))
    # What the builder stage then installs with pip: the collection's own Python requirements.
    introspect = subprocess.run([sys.executable, str(stage / 'scripts' / 'introspect.py'), 'introspect', str(tmp_path / 'image')],
                                capture_output=True, text=True, check=False, timeout=120)
    assert introspect.returncode == 0, introspect.stderr
    assert yaml.safe_load(introspect.stdout)['python'] == ['requests>=2.25.0  # from collection outsystems.lifetime',
                                                           'urllib3>=1.26.0  # from collection outsystems.lifetime']


def test_the_hub_execution_environment_installs_the_collection_by_name_from_the_configured_hub(tmp_path):
    requirements = builder_create(os.path.join(EXAMPLES, 'execution-environment-hub.yml'), tmp_path / 'context')

    assert requirements == {'collections': [{'name': 'outsystems.lifetime', 'version': galaxy_version()}]}
    with open(str(tmp_path / 'context' / 'Containerfile'), encoding='utf-8') as handle:
        containerfile = handle.read()
    galaxy_stage = containerfile.split('FROM base AS galaxy')[1].split('FROM base AS builder')[0]
    assert 'ARG ANSIBLE_GALAXY_SERVER_AUTOMATION_HUB_TOKEN' in galaxy_stage
    assert 'AUTOMATION_HUB_TOKEN' not in containerfile.split('FROM base AS final')[1]
    config = str(tmp_path / 'context' / '_build' / 'configs' / 'hub-ansible.cfg')
    dump = subprocess.run([os.path.join(BIN, 'ansible-config'), 'dump', '--only-changed', '--type', 'base'], capture_output=True, text=True,
                          check=False, timeout=120, env=dict(os.environ, ANSIBLE_CONFIG=config))
    assert dump.returncode == 0, dump.stderr
    assert re.search(r"GALAXY_SERVER_LIST\(.*\) = \['automation_hub'\]", dump.stdout), dump.stdout


def test_the_governance_inventory_source_is_the_example_repository_s_inventory():
    """The governance job template's inventory is sourced from the project's inventory/hosts.yml: examples/governance's."""
    inventories = by_name(example('inventories.yml')['controller_inventories'])
    projects = by_name(example('projects.yml')['controller_projects'])
    [source] = example('inventories.yml')['controller_inventory_sources']
    assert source['inventory'] in inventories and source['source_project'] in projects
    assert os.path.isfile(os.path.join(REPO_ROOT, 'examples', 'governance', source['source_path']))
    assert TEMPLATES['OutSystems LifeTime - Governance']['inventory'] == source['inventory']


# ---------------------------------------------------------------- governance secrets (review of issue 19, H2)


def governance_env_reads():
    """The environment variables the example governance description reads (its passwords)."""
    found = set()
    for folder, dummy, files in os.walk(os.path.join(REPO_ROOT, 'examples', 'governance')):
        for name in files:
            with open(os.path.join(folder, name), encoding='utf-8') as handle:
                found.update(re.findall(r"lookup\('ansible\.builtin\.env', '([A-Z_]+)'\)", handle.read()))
    return found


def test_the_controller_accepts_the_governance_secrets_type():
    awx.validate_credential_type(CREDENTIAL_TYPES['OutSystems LifeTime governance secrets'])


def test_the_governance_job_template_injects_every_secret_the_example_description_reads(tmp_path):
    template = TEMPLATES['OutSystems LifeTime - Governance']
    credentials = by_name(example('credentials.yml')['controller_credentials'])
    injected = {}
    for name in template['credentials']:
        credential = credentials[name]
        inputs = dict((key, 'value-of-%s' % key) for key in credential['inputs'])
        env, dummy, dummy = awx.inject(CREDENTIAL_TYPES[credential['credential_type']], inputs, str(tmp_path / str(len(injected))))
        injected.update(env)
    reads = governance_env_reads()
    assert {'GOVERNANCE_INITIAL_PASSWORD', 'REPORTING_DB_QA_PASSWORD'} <= reads
    assert reads <= set(injected), reads - set(injected)
    # Each secret arrives as given, not empty.
    assert injected['GOVERNANCE_INITIAL_PASSWORD'] == 'value-of-governance_initial_password'
    assert injected['REPORTING_DB_QA_PASSWORD'] == 'value-of-reporting_db_qa_password'


def test_the_governance_secrets_are_secret_and_required():
    credential_type = CREDENTIAL_TYPES['OutSystems LifeTime governance secrets']
    fields = credential_type['inputs']['fields']
    assert all(item.get('secret') is True for item in fields)
    assert sorted(credential_type['inputs']['required']) == sorted(item['id'] for item in fields)
