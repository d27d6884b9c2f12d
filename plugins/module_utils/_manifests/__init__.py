# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: release manifests, so that a later stage deploys exactly the versions an earlier one tested.

The format is the trigger manifest of OutSystems' pipelines (outsystems-pipeline's ``generate_manifest_file`` and
``deploy_tags_to_target_env_with_manifest``; LifeTime's Trigger Pipeline plugin writes the same), a JSON object::

    ApplicationVersions     [{ApplicationKey, ApplicationName, VersionKey, VersionNumber, CreatedOn, ChangeLog,
                              IsTestApplication, DeploymentZoneKey, DeploymentZoneName}]
    EnvironmentDefinitions  [{EnvironmentKey, EnvironmentName, EnvironmentLabel}]   environments are addressed by label
    DeploymentNotes         the notes of the deployment plans
    ConfigurationItems      optional: [{ModuleKey, ModuleName, ConfigurationItemKey, ConfigurationItemName,
                              ConfigurationItemType, Values: [{EnvironmentKey, EnvironmentName, TargetValue}]}]

CreatedOn and ChangeLog are LifeTime's own values of the version, unchanged; DeploymentZoneName is null when the
application runs in no named zone. Configuration items are kept and reported, never applied here (that needs
OutSystems' Properties API).

By concern: ``reading`` (a manifest read and checked, ``load_manifest``, ``Manifest``), ``resolving`` (against
LifeTime: ``resolve_environment``, ``resolve_versions``, ``manifest_of``, ``manifest_after_deployment``) and
``writing`` (``check_manifest_dest``, ``manifest_text``, ``write_manifest``, ``write_environment_manifest``: lifetime_manifest). Each
module's docstring describes its functions. This package offers all of them, so its users import them from here.
"""

from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.reading import Manifest, check_manifest, load_manifest
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.resolving import (
    manifest_after_deployment,
    manifest_of,
    resolve_environment,
    resolve_versions,
)
from ansible_collections.outsystems.lifetime.plugins.module_utils._manifests.writing import (
    check_manifest_dest,
    manifest_text,
    write_environment_manifest,
    write_manifest,
)

__all__ = ['Manifest', 'check_manifest', 'check_manifest_dest', 'load_manifest',
           'manifest_after_deployment', 'manifest_of', 'manifest_text', 'resolve_environment',
           'resolve_versions', 'write_environment_manifest', 'write_manifest']
