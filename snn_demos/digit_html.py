"""HTML markup showing an MNIST digit and the network's prediction, for a Nengo GUI HTML node.

Nengo GUI sends a node function's ``_nengo_html_`` string to the browser at every time step.
So the digit is a small data-URI PNG of a few hundred bytes, where 784 SVG rectangles would
take an estimated 40 kB. The browser scales it up with ``image-rendering: pixelated``, which
keeps each pixel a sharp square.
"""

import base64
import struct
import zlib

import numpy as np

IMAGE_SIZE = 28  # pixels per side
DISPLAY_SIZE = 168  # CSS pixels per side of the shown digit


def png_bytes(image):
    """Encode a (28, 28) or (784,) image with pixels in [0, 1] as an 8-bit grayscale PNG.

    Digits are drawn white on black, as MNIST stores them (0 is black).
    """
    pixels = np.asarray(image, dtype=np.float64).reshape(IMAGE_SIZE, IMAGE_SIZE)
    gray = np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)
    # Each PNG scanline starts with its filter type; 0 is "None" (the raw bytes).
    scanlines = b"".join(b"\x00" + row.tobytes() for row in gray)

    def chunk(kind, data):
        checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    # IHDR: width, height, bit depth 8, color type 0 (grayscale), compression, filter, interlace.
    header = struct.pack(">IIBBBBB", IMAGE_SIZE, IMAGE_SIZE, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(scanlines, 9))
        + chunk(b"IEND", b"")
    )


def png_data_uri(image):
    """Return a ``data:image/png;base64,...`` URI of the digit ``image``."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def digit_html(image_uri, true_label, predicted_label, n_correct, n_done):
    """Return HTML with the digit, its true and predicted labels and the running score.

    ``image_uri`` comes from `png_data_uri` (computed once per digit, not per time step).
    ``n_correct`` of the ``n_done`` digits shown to the end were classified correctly.
    """
    color = "#2e7d32" if predicted_label == true_label else "#c62828"
    score = f"{n_correct} / {n_done} correct" if n_done else "first digit"
    return (
        '<div style="font-family:sans-serif;text-align:center">'
        f'<img src="{image_uri}" width="{DISPLAY_SIZE}" height="{DISPLAY_SIZE}" '
        'style="image-rendering:pixelated;border:1px solid #888" alt="MNIST digit"/>'
        f'<div style="font-size:20px">true: <b>{true_label}</b> &nbsp; '
        f'predicted: <b style="color:{color}">{predicted_label}</b></div>'
        f'<div style="font-size:14px">{score}</div>'
        "</div>"
    )
