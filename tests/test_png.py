"""adlearn.png writes PNGs that another decoder (Pillow) reads back pixel for pixel."""

import io

import numpy as np
import pytest
from PIL import Image

from adlearn import png


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (120, 95)])
def test_a_decoder_reads_back_the_same_pixels(shape):
    rng = np.random.default_rng(shape[0])
    rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
    picture = Image.open(io.BytesIO(png.encode(rgba)))
    assert picture.mode == "RGB"
    assert picture.size == (shape[1], shape[0])
    np.testing.assert_array_equal(np.asarray(picture), rgba[:, :, :3])


def test_a_flat_picture_compresses():
    rgba = np.full((200, 300, 4), 255, dtype=np.uint8)
    assert len(png.encode(rgba)) < 2000  # 240 kB of pixels


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4), float)])
def test_anything_but_rgba_bytes_is_refused(bad):
    with pytest.raises(ValueError, match=r"png\.encode: expected a \(height, width, 4\) uint8"):
        png.encode(bad)
