# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection's version is written once for the code (module_utils/_version.py) and must equal galaxy.yml's."""

import os

import yaml

from ansible_collections.outsystems.lifetime.plugins.module_utils import _version

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_collection_version_is_the_one_in_galaxy_yml():
    with open(os.path.join(REPO_ROOT, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    assert _version.COLLECTION_VERSION == galaxy['version']


def test_no_other_plugin_file_writes_the_version():
    """A release changes galaxy.yml and _version.py, nothing else."""
    version = "'%s'" % _version.COLLECTION_VERSION
    offenders = []
    for folder, dummy, names in os.walk(os.path.join(REPO_ROOT, 'plugins')):
        for name in names:
            path = os.path.join(folder, name)
            if name.endswith('.py') and name != '_version.py':
                with open(path) as handle:
                    if 'VERSION = ' + version in handle.read():
                        offenders.append(path)
    assert not offenders
