# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run galaxy-importer on a built tarball, as Galaxy and Automation Hub do on upload, and fail on any finding.

    python tests/utils/galaxy_importer.py TARBALL WORKDIR

Runs offline and without containers (tests/utils/galaxy-importer.cfg), with the python of the virtualenv that
runs this script (.tmp/galaxy-tools). Every line galaxy-importer logs as WARNING or ERROR fails the run; the last
line is a summary of what it imported.

galaxy.yml names no repository until the collection has a public home, and galaxy-importer refuses a collection
without one. So the tarball is checked as a copy whose MANIFEST.json names the placeholder below: every other check
runs, and the run says that an upload needs a real repository.
"""

from __future__ import annotations

import collections
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = os.path.join(HERE, 'galaxy-importer.cfg')
NO_REPOSITORY = 'none yet: galaxy.yml names the repository once the collection has a public home'


def with_repository(tarball, workdir):
    """The tarball itself when its MANIFEST.json names a repository, else a copy that names the placeholder."""
    with tarfile.open(tarball, 'r:gz') as source:
        manifest = json.load(source.extractfile('MANIFEST.json'))
        if manifest['collection_info'].get('repository'):
            return tarball, False
        manifest['collection_info']['repository'] = NO_REPOSITORY
        copy = os.path.join(workdir, os.path.basename(tarball))
        with tarfile.open(copy, 'w:gz') as target:
            for member in source.getmembers():
                if member.name == 'MANIFEST.json':
                    data = json.dumps(manifest, indent=4).encode('utf-8')
                    member.size = len(data)
                    target.addfile(member, io.BytesIO(data))
                else:
                    target.addfile(member, source.extractfile(member) if member.isfile() else None)
    return copy, True


def main(tarball, workdir):
    shutil.rmtree(workdir, ignore_errors=True)
    for name in ('tmp', 'ansible-tmp', 'ansible-home'):
        os.makedirs(os.path.join(workdir, name))
    checked, placeholder = with_repository(os.path.abspath(tarball), workdir)
    bindir = os.path.dirname(sys.executable)
    env = dict(os.environ, GALAXY_IMPORTER_CONFIG=CONFIG, GALAXY_IMPORTER_TMP_ROOT_DIR=os.path.join(workdir, 'tmp'),
               GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=os.path.join(workdir, 'ansible-tmp'), ANSIBLE_HOME=os.path.join(workdir, 'ansible-home'),
               PATH=bindir + os.pathsep + os.environ.get('PATH', ''))
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    process = subprocess.run([sys.executable, '-m', 'galaxy_importer.main', checked], cwd=workdir, env=env, capture_output=True,
                             text=True, check=False)
    output = process.stdout + process.stderr
    sys.stdout.write(output)
    findings = [line for line in output.splitlines() if line.startswith(('WARNING', 'ERROR', 'CRITICAL'))]
    completed = 'Importer processing completed successfully' in output

    if placeholder:
        print('NOTE: galaxy.yml names no repository; Galaxy and Automation Hub refuse an upload without one. '
              'Checked as a copy naming "%s".' % NO_REPOSITORY)
    summary = 'galaxy-importer: did not complete'
    if completed:
        with open(os.path.join(workdir, 'importer_result.json'), encoding='utf-8') as handle:
            result = json.load(handle)
        counts = collections.Counter(content['content_type'] for content in result['contents'])
        summary = 'galaxy-importer: %s.%s %s imported (%s), requires_ansible %s' % (
            result['metadata']['namespace'], result['metadata']['name'], result['metadata']['version'],
            ', '.join('%d %s' % (count, kind) for kind, count in sorted(counts.items())), result['requires_ansible'])
    print('%s; %d warning(s) or error(s)' % (summary, len(findings)))
    for line in findings:
        print('  ' + line)
    return 0 if completed and process.returncode == 0 and not findings else 1


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
