# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What AWX / Ansible Automation Platform does with the definitions in examples/awx, written out for the tests.

Each rule is the controller's own, read from its source (ansible/awx):

* credential types: ``CredentialTypeInputField`` and ``CredentialTypeInjectorField`` in ``awx/main/fields.py``
  (the JSON schemas, reserved and duplicate ids, keys only a string field may have, a boolean default's type,
  injector keys, environment variable names, ``ENV_BLOCKLIST`` of ``awx/main/constants.py``, templates rendered
  with StrictUndefined against every field and ``tower.filename``), and the serializer's "only cloud or net";
* injection: ``CredentialType.inject_credential`` in ``awx/main/models/credential/__init__.py``: only the inputs a
  credential sets are in the template namespace (an empty string is left out), a boolean input it does not set is
  False, every file template is written (an empty file when its input is unset), ``tower.filename.<name>`` is that
  file's path, and an environment variable the controller does not allow is dropped;
* surveys: ``JobTemplateSurveySpec._validate_spec_data`` in ``awx/api/views/__init__.py``, and the defaults a launch
  puts in the extra vars (``SurveyJobTemplateMixin``), a question's default even when it is "";
* workflows: a node's extra vars are the job template's, then the artifacts of the nodes before it (``set_stats``),
  then the workflow's extra vars and survey answers, the last winning (``WorkflowJobNode.get_job_kwargs``).

The example files are variables of infra.controller_configuration: Ansible templates their plain strings when that
collection applies them, and passes the ``!unsafe`` ones to the controller as they are. ``load_example`` does the
same with the values given.
"""

from __future__ import annotations

import copy
import os
import stat
import tempfile

import jinja2
import yaml
from jinja2 import sandbox

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO_ROOT, 'examples', 'awx')

# awx/main/constants.py
ENV_BLOCKLIST = frozenset((
    'VIRTUAL_ENV', 'PATH', 'PYTHONPATH', 'JOB_ID', 'INVENTORY_ID', 'INVENTORY_SOURCE_ID', 'INVENTORY_UPDATE_ID',
    'AD_HOC_COMMAND_ID', 'REST_API_URL', 'REST_API_TOKEN', 'MAX_EVENT_RES', 'CALLBACK_QUEUE', 'CALLBACK_CONNECTION',
    'CACHE', 'JOB_CALLBACK_DEBUG', 'INVENTORY_HOSTVARS', 'AWX_HOST', 'PROJECT_REVISION', 'SUPERVISOR_CONFIG_PATH',
))
_NAME = '^[a-zA-Z_]+[a-zA-Z0-9_]*$'

CREDENTIAL_TYPE_INPUTS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'required': {'type': 'array', 'items': {'type': 'string'}},
        'fields': {
            'type': 'array',
            'items': {
                'type': 'object',
                'properties': {
                    'type': {'enum': ['string', 'boolean']},
                    'format': {'enum': ['ssh_private_key', 'url']},
                    'choices': {'type': 'array', 'minItems': 1, 'items': {'type': 'string'}, 'uniqueItems': True},
                    'id': {'type': 'string', 'pattern': _NAME},
                    'label': {'type': 'string'},
                    'help_text': {'type': 'string'},
                    'multiline': {'type': 'boolean'},
                    'secret': {'type': 'boolean'},
                    'ask_at_runtime': {'type': 'boolean'},
                    'default': {},
                },
                'additionalProperties': False,
                'required': ['id', 'label'],
            },
        },
    },
}

CREDENTIAL_TYPE_INJECTORS_SCHEMA = {
    'type': 'object',
    'additionalProperties': False,
    'properties': {
        'file': {
            'type': 'object',
            'patternProperties': {r'^template(\.[a-zA-Z_]+[a-zA-Z0-9_]*)?$': {'type': 'string'}},
            'additionalProperties': False,
        },
        'env': {
            'type': 'object',
            # The value goes through pexpect: ASCII only.
            'patternProperties': {_NAME: {'type': 'string', 'pattern': '^[\x00-\x7F]*$'}},
            'additionalProperties': False,
        },
        'extra_vars': {
            'type': 'object',
            'patternProperties': {_NAME: {'type': 'string'}},
            'additionalProperties': False,
        },
    },
}

SURVEY_TYPES = {'text': str, 'textarea': str, 'password': str, 'multiplechoice': str, 'multiselect': str,
                'integer': int, 'float': (float, int)}


class Unsafe(str):
    """A string tagged !unsafe: Ansible passes it on without templating it."""


class _Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    pass


_Loader.add_constructor('!unsafe', lambda loader, node: Unsafe(loader.construct_scalar(node)))


def read_example(name):
    """An example file as YAML, its !unsafe strings marked ``Unsafe``."""
    with open(os.path.join(EXAMPLES, name), encoding='utf-8') as handle:
        return yaml.load(handle, Loader=_Loader)  # nosec B506 - a SafeLoader with one more tag


def apply_ansible_templating(value, variables):
    """What the controller receives once Ansible has templated the variables: plain strings rendered, !unsafe kept."""
    if isinstance(value, Unsafe):
        return str(value)
    if isinstance(value, str):
        return jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(value).render(variables)
    if isinstance(value, dict):
        return dict((key, apply_ansible_templating(item, variables)) for key, item in value.items())
    if isinstance(value, list):
        return [apply_ansible_templating(item, variables) for item in value]
    return value


def load_example(name, variables):
    return apply_ansible_templating(read_example(name), variables)


class ControllerError(Exception):
    """The controller would refuse this object (its API answers 400)."""


def validate_credential_type(credential_type):
    """Raise ControllerError when the controller would refuse to create this custom credential type."""
    if credential_type.get('kind') not in ('cloud', 'net'):
        raise ControllerError("Must be 'cloud' or 'net', not %s" % credential_type.get('kind'))
    inputs = credential_type.get('inputs') or {}
    injectors = credential_type.get('injectors') or {}
    if 'dependencies' in inputs:
        raise ControllerError("'dependencies' is not supported for custom credentials.")
    _schema_errors(inputs, CREDENTIAL_TYPE_INPUTS_SCHEMA, 'inputs')
    seen = set()
    for field in inputs.get('fields', []):
        if field['id'] == 'tower':
            raise ControllerError('"tower" is a reserved field name')
        if field['id'] in seen:
            raise ControllerError('field IDs must be unique (%s)' % field['id'])
        seen.add(field['id'])
        kind = field.get('type', 'string')
        if 'default' in field and type(field['default']) is not {'string': str, 'boolean': bool}[kind]:  # pylint: disable=unidiomatic-typecheck
            raise ControllerError('%s is not a %s' % (field['default'], kind))
        for key in ('choices', 'multiline', 'format', 'secret'):
            if key in field and kind != 'string':
                raise ControllerError('%s not allowed for %s type (%s)' % (key, kind, field['id']))
    # Not a controller rule, but a type whose required field does not exist can have no credential.
    missing = set(inputs.get('required', [])) - seen
    if missing:
        raise ControllerError('required fields that are not defined: %s' % sorted(missing))

    _schema_errors(injectors, CREDENTIAL_TYPE_INJECTORS_SCHEMA, 'injectors')
    namespace = dict((field_id, 'EXAMPLE') for field_id in seen)
    namespace['tower'] = _validation_tower_namespace(injectors)
    for env_var in injectors.get('env', {}):
        env_var_allowed(env_var, strict=True)
    for kind, templates in injectors.items():
        for key, template in templates.items():
            try:
                sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined).from_string(template).render(namespace)
            except jinja2.UndefinedError as error:
                raise ControllerError('%s uses an undefined field (%s)' % (key, error)) from error
            except jinja2.TemplateSyntaxError as error:
                raise ControllerError('Syntax error rendering template for %s inside of %s (%s)' % (key, kind, error)) from error


def _schema_errors(value, schema, what):
    import jsonschema  # pylint: disable=import-outside-toplevel  # only the credential type checks need it
    errors = [error.message for error in jsonschema.Draft4Validator(schema).iter_errors(value)]
    if errors:
        raise ControllerError('%s: %s' % (what, '; '.join(errors)))


class _Exploding:
    def __str__(self):
        raise jinja2.UndefinedError('Must define unnamed file injector in order to reference `tower.filename`.')


class _TowerNamespace:
    def __init__(self):
        self.filename = _Exploding()

    def __str__(self):
        raise jinja2.UndefinedError('Cannot directly reference reserved `tower` namespace container.')


def _validation_tower_namespace(injectors):
    tower = _TowerNamespace()
    names = [name for name in injectors.get('file', {}) if name.startswith('template')]
    if 'template' in names:
        if len(names) > 1:
            raise ControllerError('Must use multi-file syntax when injecting multiple files')
        tower.filename = 'EXAMPLE_FILENAME'
    else:
        for name in names:
            setattr(tower.filename, name.split('.')[1], 'EXAMPLE_FILENAME')
    return tower


def env_var_allowed(name, strict=False):
    """False (or ControllerError when strict) for a variable a credential may not set."""
    reason = None
    if name.startswith('ANSIBLE_'):
        reason = 'Environment variable %s may affect Ansible configuration so its use is not allowed in credentials.' % name
    elif name in ENV_BLOCKLIST:
        reason = 'Environment variable %s is not allowed to be used in credentials.' % name
    if reason and strict:
        raise ControllerError(reason)
    return reason is None


def validate_credential(credential_type, inputs):
    """Raise ControllerError when the controller would refuse a credential of this type with these inputs."""
    fields = dict((field['id'], field) for field in credential_type['inputs'].get('fields', []))
    for name, value in inputs.items():
        if name not in fields:
            raise ControllerError('Additional properties are not allowed (%r was unexpected)' % name)
        kind = fields[name].get('type', 'string')
        if type(value) is not {'string': str, 'boolean': bool}[kind]:  # pylint: disable=unidiomatic-typecheck
            raise ControllerError('%s: %r is not of type %s' % (name, value, kind))
        if 'choices' in fields[name] and value not in fields[name]['choices']:
            raise ControllerError('%s: %r is not one of %s' % (name, value, fields[name]['choices']))
    for name in credential_type['inputs'].get('required', []):
        if not inputs.get(name):
            raise ControllerError('%s required for %s credential.' % (name, credential_type['name']))


def inject(credential_type, inputs, private_data_dir):
    """The environment variables, extra vars and files a job gets from a credential of this type with these inputs.

    Returns (env, extra_vars, files), files mapping each written path to its content.
    """
    validate_credential(credential_type, inputs)
    tower = type('TowerNamespace', (), {})()
    namespace = {'tower': tower}
    for name, value in inputs.items():
        if isinstance(value, bool) or len(value):
            namespace[name] = value
    for field in credential_type['inputs'].get('fields', []):
        if field.get('type', 'string') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = False
    environment = sandbox.ImmutableSandboxedEnvironment()
    injectors = credential_type.get('injectors') or {}

    files = {}
    env_dir = os.path.join(private_data_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    for label, template in injectors.get('file', {}).items():
        data = environment.from_string(template).render(**namespace)
        fd, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(fd, 'w') as handle:
            handle.write(data)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IWGRP)
        files[path] = data
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = type('TowerNamespace', (), {})()
            setattr(tower.filename, label.split('.')[1], path)

    env = {}
    for name, template in injectors.get('env', {}).items():
        if env_var_allowed(name):
            env[name] = environment.from_string(template).render(**namespace)
    extra_vars = dict((name, environment.from_string(template).render(**namespace))
                      for name, template in injectors.get('extra_vars', {}).items())
    return env, extra_vars, files


def validate_survey_spec(survey):
    """Raise ControllerError when the controller would refuse this survey spec."""
    for field, expected in (('name', str), ('description', str), ('spec', list)):
        if field not in survey:
            raise ControllerError("Field '%s' is missing from survey spec." % field)
        if not isinstance(survey[field], expected):
            raise ControllerError("Expected %s for field '%s', received %s type." % (expected.__name__, field, type(survey[field]).__name__))
    if not survey['spec']:
        raise ControllerError("'spec' doesn't contain any items.")
    variables = set()
    for index, question in enumerate(survey['spec']):
        if not isinstance(question, dict):
            raise ControllerError('Survey question %s is not a json object.' % index)
        for name in ('type', 'question_name', 'variable', 'required'):
            if name not in question:
                raise ControllerError("'%s' missing from survey question %s" % (name, index))
            if not isinstance(question[name], bool if name == 'required' else str):
                raise ControllerError("'%s' in survey question %s has the wrong type." % (name, index))
        if question['variable'] in variables:
            raise ControllerError("'variable' '%s' duplicated in survey question %s." % (question['variable'], index))
        variables.add(question['variable'])
        qtype = question['type']
        if qtype not in SURVEY_TYPES:
            raise ControllerError("'%s' in survey question %s is not one of the allowed question types." % (qtype, index))
        if question.get('default', '') != '' and not isinstance(question['default'], SURVEY_TYPES[qtype]):
            raise ControllerError('Default value %s in survey question %s has the wrong type.' % (question['default'], index))
        for key in ('min', 'max'):
            if question.get(key) is not None and not isinstance(question[key], int):
                raise ControllerError('The %s limit in survey question %s expected to be integer.' % (key, index))
        if qtype in ('multiselect', 'multiplechoice'):
            if 'choices' not in question:
                raise ControllerError('Survey question %s of type %s must specify choices.' % (index, qtype))
            choices = survey_choices(question)
            if 'default' in question:
                defaults = [line for line in question['default'].splitlines() if line.strip()]
                if qtype == 'multiplechoice' and len(defaults) > 1:
                    raise ControllerError('Multiple Choice (Single Select) can only have one default value.')
                if any(item not in choices for item in defaults):
                    raise ControllerError('Default choice must be answered from the choices listed.')


def survey_choices(question):
    choices = question.get('choices', [])
    if isinstance(choices, str):
        return [line for line in choices.splitlines() if line.strip()]
    return list(choices)


def validate_survey_answers(survey, answers):
    """Raise ControllerError for answers a launch would refuse (the checks of the question types used here)."""
    for question in survey['spec']:
        name = question['variable']
        if name not in answers:
            if question['required'] and 'default' not in question:
                raise ControllerError("'%s' value missing" % name)
            continue
        value = answers[name]
        if question['type'] in ('text', 'textarea', 'password'):
            if not isinstance(value, str):
                raise ControllerError("Value %s for '%s' expected to be a string." % (value, name))
            if question.get('min') not in ('', None) and len(value) < int(question['min']) and (question['required'] or value):
                raise ControllerError("'%s' value %s is too small (must be at least %s characters)." % (name, value, question['min']))
            if question.get('max') not in ('', None) and len(value) > int(question['max']):
                raise ControllerError("'%s' value %s is too large (must be no more than %s characters)." % (name, value, question['max']))
        elif question['type'] == 'multiplechoice':
            if value not in survey_choices(question) and not (value == '' and not question['required']):
                raise ControllerError('Value %s for \'%s\' expected to be one of %s.' % (value, name, survey_choices(question)))
        elif question['type'] == 'multiselect':
            if not isinstance(value, list) or any(item not in survey_choices(question) for item in value):
                raise ControllerError("Value %s for '%s' expected to be a list of %s." % (value, name, survey_choices(question)))


def survey_extra_vars(survey, answers):
    """The extra vars a launch with these answers gives the job: every question's default, then the answers."""
    validate_survey_answers(survey, answers)
    extra_vars = {}
    for question in survey['spec']:
        if question.get('default') is not None:
            extra_vars[question['variable']] = question['default']
    extra_vars.update(answers)
    return extra_vars


def workflow_node_extra_vars(job_template, artifacts, workflow_extra_vars):
    """A workflow node's extra vars: the job template's, then the artifacts before it, then the workflow's."""
    extra_vars = copy.deepcopy(job_template.get('extra_vars') or {})
    extra_vars.update(copy.deepcopy(artifacts))
    extra_vars.update(copy.deepcopy(workflow_extra_vars))
    return extra_vars


class _UnsafeStringDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """Every string tagged !unsafe, as the controller writes extra vars it does not trust."""


_UnsafeStringDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar('!unsafe', value))


def write_extra_vars_file(extra_vars, job_template, path):
    """The extra vars file the controller gives ansible-playbook (``-e @path``).

    With the default ALLOW_JINJA_IN_EXTRA_VARS = template, a variable is left templatable only when the job template
    itself sets it to that value; every other string (survey answers, artifacts, workflow variables) is !unsafe.
    """
    safe = job_template.get('extra_vars') or {}
    documents = []
    for name, value in extra_vars.items():
        dumper = yaml.SafeDumper if name in safe and safe[name] == value else _UnsafeStringDumper
        documents.append(yaml.dump({name: value}, Dumper=dumper, default_flow_style=False))
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(''.join(documents))
    return path
