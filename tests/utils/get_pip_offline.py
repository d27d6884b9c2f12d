# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for the get-pip.py script that ansible-test downloads.

ansible-test creates its virtual environments without pip and bootstraps pip by
running ``get-pip.py`` from ~/.ansible/test/cache/get_pip_<version>.py, which it
otherwise downloads from a host outside the package registry. This stand-in
gives the same result offline: pip from the interpreter's own ensurepip, then
the requested packages (pinned pip, and so on) from the package index.

tests/utils/install_get_pip_shim.py copies it into place.
"""

from __future__ import annotations

import subprocess
import sys

# get-pip.py options that pip install itself does not know.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    """Install pip with ensurepip, then pip install the given arguments."""
    pip_args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]

    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])

    if pip_args:
        subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + pip_args)


if __name__ == '__main__':
    main()
