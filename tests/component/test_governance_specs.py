# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each governance module's DOCUMENTATION states the options its ARGUMENT_SPEC takes (names, types, required, defaults,
choices, elements, suboptions), and lifetime_governance's items take the very options of their own modules. The specs
live once in module_utils/_governance/specs.py; the documentation stays inline, so this is what keeps the two together
between sanity runs."""

import pytest
import yaml

from ansible_collections.outsystems.lifetime.plugins.modules import (
    lifetime_db_connection, lifetime_governance, lifetime_role, lifetime_team, lifetime_user)

MODULES = [lifetime_role, lifetime_user, lifetime_team, lifetime_db_connection, lifetime_governance]


def documented(options):
    """The argument spec the documented options describe (the keys validate-modules compares)."""
    spec = {}
    for name, doc in options.items():
        item = dict(type=doc.get('type', 'str'))
        for key in ('required', 'default', 'choices', 'elements'):
            if key in doc:
                item[key] = doc[key]
        if 'suboptions' in doc:
            item['options'] = documented(doc['suboptions'])
        spec[name] = item
    return spec


def stated(spec):
    """The same keys of an argument spec, without no_log (the documentation cannot state it)."""
    out = {}
    for name, item in spec.items():
        entry = {key: value for key, value in item.items() if key not in ('no_log', 'options') and not (key == 'required' and value is False)}
        entry.setdefault('type', 'str')
        if 'options' in item:
            entry['options'] = stated(item['options'])
        out[name] = entry
    return out


@pytest.mark.parametrize('module', MODULES, ids=lambda module: module.__name__.rsplit('.', 1)[-1])
def test_the_documented_options_are_the_argument_spec(module):
    options = yaml.safe_load(module.DOCUMENTATION)['options']
    assert documented(options) == stated(module.ARGUMENT_SPEC)


@pytest.mark.parametrize('kind, module', [('roles', lifetime_role), ('users', lifetime_user), ('teams', lifetime_team),
                                          ('db_connections', lifetime_db_connection)])
def test_a_governance_item_is_documented_as_its_own_module_documents_its_options(kind, module):
    item_options = yaml.safe_load(lifetime_governance.DOCUMENTATION)['options'][kind]['suboptions']
    assert documented(item_options) == documented(yaml.safe_load(module.DOCUMENTATION)['options'])
