# -*- coding: utf-8 -*-
# Copyright (c) 2026 outsystems.lifetime contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """The rule of every module that writes a file at O(dest): what it replaces there, and how (module_utils/_files.py)."""

    DOCUMENTATION = r'''
options:
  force:
    description:
      - Replace an existing O(dest) that does not hold what this module writes (O(dest) says what that is).
      - When V(false), such a file is left as it is and the task fails before anything is asked of LifeTime, in check mode too,
        saying how large it is. An empty file, or one that holds what this module writes, is replaced either way.
      - A named pipe, a device, a socket, a directory or a link to nothing at O(dest) is refused even with V(true).
      - The content of a file that does not hold what this module writes is never shown, in a diff or a message.
    type: bool
    default: false
    version_added: 0.3.0
notes:
  - Only regular files are written at O(dest). The file is written next to O(dest) and renamed over it when complete, so O(dest)
    never holds half a file; a file it replaces keeps its owner, group and mode (as Ansible's own file modules do; the owner
    only when the task runs as root).
'''

    # The modules that download a package: what arrives is checked before it replaces dest.
    DOWNLOAD = r'''
options: {}
notes:
  - A download replaces O(dest) only when it is a complete zip archive (.oap, .osp, .apk, .ipa and source code packages all
    are). An empty answer, an HTML page (the sign-in page of a proxy answering 200, say), or a zip archive cut short fails the
    task with a sentence saying what arrived (its content type, size and first bytes when they are text), and O(dest) is left
    as it was.
'''
