# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""For internal use only: LifeTime's records in the shape modules return them (snake_case keys)."""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict


def snake(value):
    """LifeTime's PascalCase records as the snake_case keys modules return."""
    if isinstance(value, dict):
        return camel_dict_to_snake_dict(value)
    if isinstance(value, list):
        return [snake(item) for item in value]
    return value


def version_entry(version, include_modules=False):
    """An ApplicationVersion record in snake_case; module versions only when asked for (they are long)."""
    entry = snake(dict((field, value) for field, value in version.items() if include_modules or field != 'ModuleVersions'))
    entry.setdefault('mobile_versions', [])
    entry['in_use'] = bool(entry.get('in_use'))
    return entry
