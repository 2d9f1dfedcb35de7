"""PNG bytes of a picture in memory, written for speed: an explorer sends one per change.

A PNG is a signature and three chunks: the header (size, 8-bit RGB), the pixel
rows compressed with zlib, and the end. Each row is stored without a filter
(filter type 0): Pillow tries the five PNG filters on every row, which costs
more time than it saves bytes on a plot's flat colours. The pixels are exactly
the canvas's (lossless); the alpha channel is dropped, as the figures are opaque.

Examples
--------
>>> import numpy as np
>>> data = encode(np.zeros((2, 3, 4), dtype=np.uint8))
>>> data[:8] == SIGNATURE, len(data) > 8
(True, True)
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["SIGNATURE", "encode"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode(rgba, level: int = 1) -> bytes:
    """PNG bytes of an (height, width, 4) array of uint8 RGBA pixels, as RGB.

    ``level`` is zlib's compression level: 1 is fast and, on plots, within a
    few percent of the smallest.
    """
    pixels = np.asarray(rgba)
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(f"png.encode: expected a (height, width, 4) uint8 array, got "
                         f"{pixels.dtype} of shape {pixels.shape}")
    height, width = pixels.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # each row's filter type: none
    rgb = rows[:, 1:].reshape(height, width, 3)
    # a channel at a time: numpy copies (h, w, 3) of (h, w, 4) element by element, about
    # twenty times slower than three plain strided copies
    for channel in range(3):
        rgb[:, :, channel] = pixels[:, :, channel]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"".join([SIGNATURE, _chunk(b"IHDR", header),
                     _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)),
                     _chunk(b"IEND", b"")])
