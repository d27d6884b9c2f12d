# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
"""What several test files need: a file's sha256 computed independently of the collection, and a second LifeTime world."""

import hashlib

# Another infrastructure: its own environments, and none of the applications published to it but Orders API.
OTHER_INFRASTRUCTURE = {
    'environments': [
        {'name': 'Staging', 'order': 0, 'type': 'Quality'},
        {'name': 'Live', 'order': 1, 'type': 'Production'},
    ],
    'applications': [
        {'name': 'Orders API', 'modules': ['OrdersAPI'], 'versions': [{'version': '1.0', 'created': '-10d'}],
         'running': {'Staging': '1.0', 'Live': '1.0'}},
    ],
}


def sha256_file(path):
    """The sha256 of a file, read in 1 MiB chunks (test packages can be large)."""
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()
