"""Images made for the tests without ever holding their pixels in memory:
a PNG is written row by row into its compressed stream, so that a picture
of 13,300 × 13,300 pixels costs half a megabyte, as the probe's did."""

from __future__ import annotations

import functools
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=8)
def png(width: int, height: int, *, rgba: bool = False) -> bytes:
    """A valid PNG of ``width`` × ``height`` black pixels (RGB, or RGBA)."""
    channels = 4 if rgba else 3
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (width * channels)  # filter byte, then the pixels
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack("!IIBBBBB", width, height, 8, 6 if rgba else 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def bomb() -> bytes:
    """The probe's picture: 0.5 MB, 13,300 × 13,300 pixels (177 million,
    just under Pillow's own refusal at 179 million)."""
    return png(13_300, 13_300)


def peak_rss_growth(action) -> tuple[object, int]:
    """Run ``action()`` and return its result and how far this process's
    resident memory rose above where it stood, in bytes (Linux: the peak
    is reset through /proc/self/clear_refs, then read as VmHWM)."""

    def status(field: str) -> int:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(field)

    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    result = action()
    return result, status("VmHWM") - before
