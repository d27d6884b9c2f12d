# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Source code packages of an application, or of one module, running in an environment (LifeTime 11.21.1+).

A package moves one status per ``step_seconds`` through SOURCE_CODE_STEPS (InProgress, then Done, as OutSystems'
walkthrough "Get the source code of an application" shows), like a solution does. Its content is a simulator zip
(manifest ``Kind: source``) served through the same download links as .oap and .osp packages; extension code is
never in it ("Extension code is not available through the API"). The setting ``packaging_queued_steps`` puts that
many steps of ``Queued`` before InProgress (no document shows it; README.md).
"""

from __future__ import annotations

import dataclasses

from tests.simulator import solutions
from tests.simulator.model import ApiError, SOURCE_CODE_STEPS, SourceCodePackage, new_key

DONE = len(SOURCE_CODE_STEPS) - 1


@dataclasses.dataclass
class QueuedSourceCodePackage(SourceCodePackage):
    """A source code package whose first ``queued_steps`` steps are spent Queued: ``step`` counts them too."""

    queued_steps: int = 0

    @property
    def status(self):
        return solutions.QUEUED if self.step < self.queued_steps else SOURCE_CODE_STEPS[self.step - self.queued_steps]


def create(world, env, app, module=None):
    """POST .../sourcecodeaccess/: snapshot what the environment runs of the application (or of one of its modules)."""
    status = world.status_index.get((env.key.lower(), app.key.lower()))
    if status is None:
        raise ApiError(404, 'No environment or application found: application %s (%s) is not running in environment %s (%s).'
                       % (app.key, app.name, env.key, env.name))
    running = [world.module_index[key.lower()] for key in status.module_versions]
    if module is not None:
        if module.is_extension:
            raise ApiError(400, 'Module %s (%s) is an extension: extension code is not available through the API.'
                           % (module.key, module.name))
        if module not in running:
            raise ApiError(404, 'No environment or module found: module %s (%s) is not running in environment %s (%s).'
                           % (module.key, module.name, env.key, env.name))
        packaged = [module]
    else:
        packaged = [m for m in running if not m.is_extension]
    entry = world.manifest_entry(app, world.version_index[status.base_version_key.lower()], status)
    entry['Modules'] = [m for m in entry['Modules'] if m['ModuleKey'] in {p.key for p in packaged}]
    spec = world.package_spec('source', [entry], SourceEnvironment={'Key': env.key, 'Name': env.name})
    package = QueuedSourceCodePackage(key=new_key(), env_key=env.key, app_key=app.key, module_keys=[m.key for m in packaged],
                                      module_key=module.key if module is not None else '', created_on=world.now(), package=spec,
                                      next_due=world.mono() + world.step_seconds, queued_steps=world.packaging_queued_steps)
    world.source_package_index[package.key.lower()] = package
    world.active_source_packages.add(package.key.lower())
    return package


def find(world, env, app, module, key):
    """The package ``key`` asked for in that environment for that application (or module); 404 otherwise."""
    package = world.find_source_package(key)
    owner = module.key if module is not None else ''
    if package is None or package.env_key != env.key or package.app_key != app.key or package.module_key != owner:
        raise ApiError(404, 'No source code package with key %s for %s in environment %s (%s).'
                       % (key, module.name if module is not None else app.name, env.key, env.name))
    return package


def advance(world, package, now):
    if solutions.progress(package, now, world.step_seconds, DONE + package.queued_steps):
        world.active_source_packages.discard(package.key.lower())


def messages(world, package):
    """The Platform_HEMessage list of a package: what was packaged, once it is Done."""
    if package.status != 'Done':
        return []
    app = world.app_index[package.app_key.lower()]
    lines = [('Source Code Access', "Source code access for %s." % (
        "module '%s'" % world.module_index[package.module_key.lower()].name if package.module_key else "application '%s'" % app.name))]
    lines += [('Preparing Source Code', "Preparing module '%s' source code for access." % world.module_index[key.lower()].name)
              for key in package.module_keys]
    return [{'Id': '', 'Message': message, 'Detail': detail, 'HelpRef': 0, 'ExtraInfo': '', 'Type': 'Info', 'Submitable': False}
            for message, detail in lines]


def download_spec(package):
    """The package behind .../download/; 400 until it is Done."""
    if package.status != 'Done':
        raise ApiError(400, 'The source code package %s is not ready: its status is %s.' % (package.key, package.status))
    return package.package
