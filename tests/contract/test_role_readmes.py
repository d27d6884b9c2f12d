# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's README documents exactly the variables of its meta/argument_specs.yml, with the same defaults.

A user reads the README's Variables table; ansible-core validates against the argument spec. The two must say the same:
every variable of one is in the other, a required one says "required", and every default is the spec's default.
"""

import os
import re

import pytest
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(name for name in os.listdir(os.path.join(REPO_ROOT, 'roles')) if not name.startswith('.'))
ROW = re.compile(r'^\| `(?P<name>[a-z_]+)` \| (?P<default>[^|]+) \|', re.MULTILINE)


def readme_table(role):
    with open(os.path.join(REPO_ROOT, 'roles', role, 'README.md'), encoding='utf-8') as handle:
        text = handle.read()
    section = text.split('## Variables', 1)[1].split('\n## ', 1)[0]
    return dict((found.group('name'), found.group('default').strip()) for found in ROW.finditer(section))


def spec_options(role):
    with open(os.path.join(REPO_ROOT, 'roles', role, 'meta', 'argument_specs.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def readme_default(option):
    """How the README's table writes the spec's default."""
    if option.get('required'):
        return 'required'
    default = option.get('default')
    if isinstance(default, bool):
        return '`%s`' % str(default).lower()
    if default == '':
        return '`""`'
    if isinstance(default, list):
        return '`%s`' % yaml.safe_dump(default, default_flow_style=True).strip()
    return '`%s`' % default


@pytest.mark.parametrize('role', ROLES)
def test_the_readme_lists_every_variable_of_the_argument_spec_and_no_other(role):
    assert sorted(readme_table(role)) == sorted(spec_options(role))


@pytest.mark.parametrize('role', ROLES)
def test_the_readme_gives_each_variable_the_argument_specs_default(role):
    table = readme_table(role)
    wrong = ['%s: README %s, argument spec %s' % (name, table.get(name), readme_default(option))
             for name, option in sorted(spec_options(role).items()) if name in table and table[name] != readme_default(option)]
    assert wrong == []


@pytest.mark.parametrize('role', ROLES)
def test_the_role_defaults_are_the_argument_specs_defaults(role):
    with open(os.path.join(REPO_ROOT, 'roles', role, 'defaults', 'main.yml'), encoding='utf-8') as handle:
        defaults = yaml.safe_load(handle) or {}
    for name, option in spec_options(role).items():
        if 'default' in option:
            assert defaults.get(name) == option['default'], name
