# -*- coding: utf-8 -*-
# Copyright: Contributors to the outsystems.lifetime collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Application (.oap) and solution (.osp) packages, written and read as streams.

A package is a zip archive with two stored (uncompressed) entries:

* ``manifest.json`` first: what the package holds (kind, applications with
  their keys, names, version numbers and version keys, modules);
* ``padding.bin``: deterministic filler so the whole file has the size asked
  for (``--binary-size-mb``).

Packages can be gigabytes, so neither side ever holds one in memory: the
writer yields fixed-size chunks (the padding CRC is computed while streaming
and written in a data descriptor), the reader looks at the first entry and
hashes the rest as it passes by.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import struct
import zlib

from tests.simulator.model import ApiError

MANIFEST_NAME = 'manifest.json'
PADDING_NAME = 'padding.bin'
MANIFEST_FORMAT = 'lifetime-simulator-package/1'
CHUNK_SIZE = 1 << 20
# Packages without an explicit size still carry a little filler, like a real one.
DEFAULT_PADDING = 16 * 1024
MAX_MANIFEST_SIZE = 4 << 20
DEPLOYABLE_KINDS = ('oap', 'osp')

# Fixed zip timestamps (2024-01-01 00:00) keep two downloads byte-identical.
_DOS_TIME = 0
_DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1
_ZIP32_LIMIT = 0xFFFFFFFF
_FLAG_DATA_DESCRIPTOR = 0x0008
_LOCAL_HEADER = struct.Struct('<IHHHHHIIIHH')
_CENTRAL_HEADER = struct.Struct('<IHHHHHHIIIHHHHHII')
_END_RECORD = struct.Struct('<IHHHHIIH')
_ZIP64_END_RECORD = struct.Struct('<IQHHIIQQQQ')
_ZIP64_LOCATOR = struct.Struct('<IIQI')


@dataclasses.dataclass(frozen=True)
class PackageSpec:
    """What a download link serves: the manifest and the total size of the file."""

    manifest: dict
    size_bytes: int = 0  # 0: as small as the content allows

    def stream(self):
        return PackageStream(manifest_bytes(self.manifest), self.size_bytes)


def manifest_bytes(manifest):
    return json.dumps(manifest, sort_keys=True, indent=1).encode('utf-8')


@functools.lru_cache(maxsize=16)
def _padding_block(seed):
    return hashlib.shake_256(seed).digest(CHUNK_SIZE)


class PackageStream:
    """A zip package generated chunk by chunk; ``size`` is known before the first byte."""

    def __init__(self, manifest, total_size=0):
        self._manifest = manifest
        self._manifest_crc = zlib.crc32(manifest)
        self._block = _padding_block(hashlib.sha256(manifest).digest())
        self.zip64 = False
        self.padding_size = 0
        wanted = total_size if total_size > 0 else 0
        padding = wanted - self._overhead() if wanted else DEFAULT_PADDING
        if self._needs_zip64(max(padding, 0)):
            self.zip64 = True
            padding = wanted - self._overhead()
        self.padding_size = max(padding, 0)
        self.size = self._overhead() + self.padding_size

    def _needs_zip64(self, padding):
        central_offset = len(self._manifest_header()) + len(self._manifest) + len(self._padding_header()) + padding + 16
        return padding >= _ZIP32_LIMIT or central_offset >= _ZIP32_LIMIT

    def _overhead(self):
        return (len(self._manifest_header()) + len(self._manifest) + len(self._padding_header())
                + len(self._descriptor(0, 0)) + len(self._central_directory(0, 0)) + len(self._end_records(0, 0, 0)))

    def _manifest_header(self):
        size = len(self._manifest)
        return _LOCAL_HEADER.pack(0x04034B50, 20, 0, 0, _DOS_TIME, _DOS_DATE, self._manifest_crc, size, size,
                                  len(MANIFEST_NAME), 0) + MANIFEST_NAME.encode()

    def _padding_header(self):
        # Sizes and CRC follow the data (data descriptor); with zip64 the local
        # header carries a zip64 extra field whose sizes are left zero.
        if self.zip64:
            extra = struct.pack('<HHQQ', 0x0001, 16, 0, 0)
            header = _LOCAL_HEADER.pack(0x04034B50, 45, _FLAG_DATA_DESCRIPTOR, 0, _DOS_TIME, _DOS_DATE, 0,
                                        _ZIP32_LIMIT, _ZIP32_LIMIT, len(PADDING_NAME), len(extra))
            return header + PADDING_NAME.encode() + extra
        return _LOCAL_HEADER.pack(0x04034B50, 20, _FLAG_DATA_DESCRIPTOR, 0, _DOS_TIME, _DOS_DATE, 0, 0, 0,
                                  len(PADDING_NAME), 0) + PADDING_NAME.encode()

    def _descriptor(self, crc, size):
        if self.zip64:
            return struct.pack('<IIQQ', 0x08074B50, crc, size, size)
        return struct.pack('<IIII', 0x08074B50, crc, size, size)

    def _central_directory(self, padding_crc, padding_offset):
        manifest_size = len(self._manifest)
        manifest_entry = _CENTRAL_HEADER.pack(
            0x02014B50, 20, 20, 0, 0, _DOS_TIME, _DOS_DATE, self._manifest_crc, manifest_size, manifest_size,
            len(MANIFEST_NAME), 0, 0, 0, 0, 0, 0) + MANIFEST_NAME.encode()
        if self.zip64:
            extra = struct.pack('<HHQQ', 0x0001, 16, self.padding_size, self.padding_size)
            padding_entry = _CENTRAL_HEADER.pack(
                0x02014B50, 45, 45, _FLAG_DATA_DESCRIPTOR, 0, _DOS_TIME, _DOS_DATE, padding_crc,
                _ZIP32_LIMIT, _ZIP32_LIMIT, len(PADDING_NAME), len(extra), 0, 0, 0, 0, padding_offset)
            padding_entry += PADDING_NAME.encode() + extra
        else:
            padding_entry = _CENTRAL_HEADER.pack(
                0x02014B50, 20, 20, _FLAG_DATA_DESCRIPTOR, 0, _DOS_TIME, _DOS_DATE, padding_crc,
                self.padding_size, self.padding_size, len(PADDING_NAME), 0, 0, 0, 0, 0, padding_offset)
            padding_entry += PADDING_NAME.encode()
        return manifest_entry + padding_entry

    def _end_records(self, central_offset, central_size, zip64_end_offset):
        records = b''
        if self.zip64:
            records += _ZIP64_END_RECORD.pack(0x06064B50, 44, 45, 45, 0, 0, 2, 2, central_size, central_offset)
            records += _ZIP64_LOCATOR.pack(0x07064B50, 0, zip64_end_offset, 1)
        records += _END_RECORD.pack(0x06054B50, 0, 0, 2, 2, central_size, min(central_offset, _ZIP32_LIMIT), 0)
        return records

    def chunks(self):
        """Yield the package as byte chunks of at most CHUNK_SIZE (padding chunks are memoryviews)."""
        head = self._manifest_header() + self._manifest
        padding_offset = len(head)
        yield head + self._padding_header()
        crc = 0
        remaining = self.padding_size
        block = memoryview(self._block)
        while remaining:
            piece = block[:min(remaining, CHUNK_SIZE)]
            crc = zlib.crc32(piece, crc)
            remaining -= len(piece)
            yield piece
        descriptor = self._descriptor(crc, self.padding_size)
        central_offset = padding_offset + len(self._padding_header()) + self.padding_size + len(descriptor)
        central = self._central_directory(crc, padding_offset)
        end = self._end_records(central_offset, len(central), central_offset + len(central))
        yield descriptor + central + end


def read_package(read):
    """Check an uploaded package and return ``(manifest, size, sha256)``.

    ``read(n)`` returns up to n bytes of the body, ``b''`` at its end. The body
    is read exactly once: the first zip entry must be the JSON manifest, the
    rest only passes through the hash.
    """
    digest = hashlib.sha256()
    size = 0

    def take(count):
        nonlocal size
        data = b''
        while len(data) < count:
            piece = read(count - len(data))
            if not piece:
                break
            data += piece
        digest.update(data)
        size += len(data)
        return data

    header = take(_LOCAL_HEADER.size)
    if not header:
        raise ApiError(400, 'The request body is empty: expected the binary content of an .oap or .osp package.')
    if len(header) < 4 or header[:4] != b'PK\x03\x04':
        raise ApiError(400, 'The request body is not an .oap or .osp package (it does not start with a zip signature).')
    if len(header) < _LOCAL_HEADER.size:
        raise ApiError(400, 'The package is truncated: its first zip entry header is incomplete.')
    fields = _LOCAL_HEADER.unpack(header)
    flags, method, compressed_size, name_length, extra_length = fields[2], fields[3], fields[7], fields[9], fields[10]
    name = take(name_length).decode('utf-8', 'replace')
    take(extra_length)
    if name != MANIFEST_NAME:
        raise ApiError(400, "The package has no manifest: its first entry is '%s', expected '%s'." % (name, MANIFEST_NAME))
    if (flags & _FLAG_DATA_DESCRIPTOR and compressed_size == 0) or compressed_size > MAX_MANIFEST_SIZE:
        raise ApiError(400, 'The package manifest entry has no usable size in its local header.')
    raw = take(compressed_size)
    manifest = _parse_manifest(raw, method)
    while True:
        piece = read(CHUNK_SIZE)
        if not piece:
            break
        digest.update(piece)
        size += len(piece)
    return manifest, size, digest.hexdigest()


def _parse_manifest(raw, method):
    try:
        if method == 8:
            raw = zlib.decompress(raw, -15)
        elif method != 0:
            raise ApiError(400, 'The package manifest uses an unsupported compression method (%d).' % method)
        manifest = json.loads(raw.decode('utf-8'))
    except (zlib.error, UnicodeDecodeError, ValueError) as error:
        raise ApiError(400, 'The package manifest is not valid JSON: %s' % error) from None
    if not isinstance(manifest, dict) or manifest.get('Kind') not in DEPLOYABLE_KINDS:
        raise ApiError(400, 'The package manifest does not describe an .oap or .osp package (Kind must be one of %s).'
                       % ', '.join(DEPLOYABLE_KINDS))
    apps = manifest.get('Applications')
    if not isinstance(apps, list) or not apps:
        raise ApiError(400, 'The package manifest lists no applications.')
    for app in apps:
        if not isinstance(app, dict) or not all(isinstance(app.get(f), str) and app.get(f) for f in
                                                ('ApplicationKey', 'ApplicationName', 'Version', 'VersionKey')):
            raise ApiError(400, 'Each application in the package manifest needs ApplicationKey, ApplicationName, Version and VersionKey.')
    return manifest
