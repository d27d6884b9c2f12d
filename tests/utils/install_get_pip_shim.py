# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Put the offline pip bootstrap where the installed ansible-test looks for it.

Run with the Python that has ansible-core installed. The file name follows the
pip version this ansible-test pins for its virtual environments
(get_pip_24_2.py for pip 24.2), so it is read from ansible-test rather than
hard-coded. The target is $HOME/.ansible/test/cache/, so point HOME where
ansible-test will run with the same HOME.

Prints the path it wrote.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))
SHIM = os.path.join(HERE, 'get_pip_offline.py')


def ansible_test_pip_version(python_version):
    """Return the pip version ansible-test installs into its virtual environments."""
    try:
        # pylint: disable-next=import-outside-toplevel
        from ansible_test._internal.python_requirements import get_venv_packages
    except ImportError:
        get_venv_packages = None

    if get_venv_packages is not None:
        return get_venv_packages(types.SimpleNamespace(version=python_version))['pip']

    # Older or reorganised ansible-test: read the default out of its source.
    # pylint: disable-next=import-outside-toplevel
    import ansible_test

    source_path = os.path.join(os.path.dirname(ansible_test.__file__), '_internal', 'python_requirements.py')

    with open(source_path, encoding='utf-8') as source_file:
        match = re.search(r"pip='([0-9.]+)'", source_file.read())

    if not match:
        raise SystemExit('cannot find the pip version ansible-test uses in %s' % source_path)

    return match.group(1)


def main():
    """Copy the stand-in get-pip script into ansible-test's cache directory."""
    python_version = sys.argv[1] if len(sys.argv) > 1 else '%d.%d' % sys.version_info[:2]
    pip_version = ansible_test_pip_version(python_version)
    cache_dir = os.path.join(os.path.expanduser('~'), '.ansible', 'test', 'cache')
    target = os.path.join(cache_dir, 'get_pip_%s.py' % pip_version.replace('.', '_'))

    os.makedirs(cache_dir, exist_ok=True)
    shutil.copyfile(SHIM, target)
    print(target)


if __name__ == '__main__':
    main()
