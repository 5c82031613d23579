"""Load the MNIST handwritten digits, from Keras's download cache or from local files.

Three sources, all returning the same `MnistData`:

- ``load_mnist()`` downloads ``mnist.npz`` once with ``tf.keras.datasets.mnist.load_data()``,
  which caches it as ``~/.keras/datasets/mnist.npz``.
- ``load_mnist("DIR")`` reads a folder with the four IDX files with their standard names
  (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte``), each gzip-compressed (``.gz``) or not, or a folder containing
  ``mnist.npz``.
- ``load_mnist("FILE.npz")`` reads a Keras-format ``mnist.npz`` (arrays ``x_train``,
  ``y_train``, ``x_test``, ``y_test``).

Every check that fails raises `MnistDataError` with the file, the problem and the fix. Images come
back flattened to (N, 784) float32 with pixels in [0, 1], and labels as (N,) int32 in 0..9.

TensorFlow is imported only inside `load_keras_mnist`, so reading local files stays fast.
"""

import gzip
import os
import struct
import zipfile
import zlib
from typing import NamedTuple

import numpy as np

IMAGE_SHAPE = (28, 28)
N_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
N_CLASSES = 10

# IDX magic numbers: two zero bytes, the element type (0x08 is unsigned byte) and the number of
# dimensions (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS FOR THE MNIST DATABASE").
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801

# Standard file names in the order train images, train labels, test images, test labels. Some
# mirrors write a dot in place of the hyphen before "idx".
IDX_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
NPZ_NAME = "mnist.npz"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")

# First bytes by which np.load recognizes an .npz archive (a zip file): a local file header, or
# the end record that starts an empty archive (_ZIP_PREFIX and _ZIP_SUFFIX in NumPy 1.24 and 2.5).
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
GZIP_MAGIC = b"\x1f\x8b"

DATA_OPTION_HINT = (
    "Pass `--data PATH` with a folder containing the four MNIST IDX files "
    "(train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
    "t10k-labels-idx1-ubyte.gz, gzip-compressed or not) or a Keras-format mnist.npz."
)


class MnistDataError(ValueError):
    """MNIST data that cannot be found, downloaded or read."""


class MnistData(NamedTuple):
    """The MNIST training and test sets: images (N, 784) float32 in [0, 1], labels (N,) int32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_mnist(path=None):
    """Load MNIST from ``path`` (an IDX folder or an mnist.npz), or with Keras when it is None."""
    if path is None:
        return load_keras_mnist()

    path = os.fspath(path)
    if os.path.isdir(path):
        if find_idx_file(path, IDX_NAMES[0]) is None and os.path.isfile(
            os.path.join(path, NPZ_NAME)
        ):
            return load_npz(os.path.join(path, NPZ_NAME))
        return load_idx_folder(path)
    if os.path.isfile(path):
        return load_npz(path)
    raise MnistDataError(f"{path}: not found. {DATA_OPTION_HINT}")


def load_keras_mnist():
    """Download MNIST once with Keras (cached in ~/.keras/datasets) and load it."""
    import tensorflow as tf  # Only this source needs TensorFlow.

    try:
        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises URLError, OSError or a plain Exception here.
        raise MnistDataError(
            f"Downloading MNIST with tf.keras.datasets.mnist.load_data() failed ({error}). "
            f"{DATA_OPTION_HINT}"
        ) from error
    source = os.path.join("~", ".keras", "datasets", NPZ_NAME)
    return MnistData(*_check_arrays(source, x_train, y_train, x_test, y_test))


def load_npz(path):
    """Load a Keras-format mnist.npz with x_train, y_train, x_test and y_test."""
    _check_npz_magic(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in NPZ_KEYS if key not in archive.files]
            if missing:
                raise MnistDataError(
                    f"{path}: invalid mnist.npz, missing arrays {', '.join(missing)} "
                    f"(found {', '.join(archive.files) or 'none'}). {DATA_OPTION_HINT}"
                )
            arrays = [archive[key] for key in NPZ_KEYS]
    except MnistDataError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        # np.load raises OSError or ValueError on a file that is not an npz archive, and
        # BadZipFile, EOFError or zlib.error on a damaged or truncated one.
        raise MnistDataError(
            f"{path}: cannot be read as an npz archive, the file is damaged, truncated or of "
            f"another format ({error}). {DATA_OPTION_HINT}"
        ) from error
    return MnistData(*_check_arrays(path, *arrays))


def _check_npz_magic(path):
    """Raise `MnistDataError` unless ``path`` starts like a zip file, as an .npz archive does.

    np.load reads any other file that is not a .npy file as a pickle. With allow_pickle=False its
    error speaks of pickled data, and in NumPy 2 advises allow_pickle, which runs code from the
    file. A .npy file loads as a single array.
    """
    try:
        with open(path, "rb") as file:
            start = file.read(4)
    except OSError as error:
        raise MnistDataError(f"{path}: cannot be read ({error}).") from error
    if start in ZIP_MAGIC:
        return

    folder = os.path.dirname(os.path.abspath(path))
    if start[:2] == GZIP_MAGIC or start in (
        IMAGES_MAGIC.to_bytes(4, "big"), LABELS_MAGIC.to_bytes(4, "big")
    ):
        raise MnistDataError(
            f"{path}: an IDX or gzip file, not a NumPy .npz archive (zip). To read the MNIST "
            f"IDX files, pass the folder that contains all four: `--data {folder}`."
        )
    found = "the file is empty" if not start else f"it starts with bytes {start!r}"
    raise MnistDataError(
        f"{path}: not a NumPy .npz archive (zip), {found}. {DATA_OPTION_HINT}"
    )


def load_idx_folder(folder):
    """Load the four standard MNIST IDX files from ``folder``, gzip-compressed or not."""
    paths = []
    for name in IDX_NAMES:
        path = find_idx_file(folder, name)
        if path is None:
            raise MnistDataError(
                f"{os.path.join(folder, name)}.gz: not found (nor the uncompressed "
                f"{name}). {DATA_OPTION_HINT}"
            )
        paths.append(path)

    x_train = read_idx_images(paths[0])
    y_train = read_idx_labels(paths[1])
    x_test = read_idx_images(paths[2])
    y_test = read_idx_labels(paths[3])
    _check_counts(paths[0], paths[1], x_train, y_train)
    _check_counts(paths[2], paths[3], x_test, y_test)
    _check_not_empty(paths[0], x_train)
    _check_not_empty(paths[2], x_test)
    return MnistData(_scale_pixels(x_train), y_train, _scale_pixels(x_test), y_test)


def find_idx_file(folder, name):
    """Return the path of IDX file ``name`` in ``folder`` (gzip or not, hyphen or dot), or None."""
    dotted = name.replace("-idx", ".idx")
    for candidate in (name + ".gz", name, dotted + ".gz", dotted):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def read_idx_images(path):
    """Read an IDX image file into a (N, 28, 28) uint8 array."""
    images = read_idx(path, IMAGES_MAGIC, "images")
    if images.shape[1:] != IMAGE_SHAPE:
        raise MnistDataError(
            f"{path}: images are {images.shape[1]}x{images.shape[2]} pixels, expected 28x28. "
            f"{DATA_OPTION_HINT}"
        )
    return images


def read_idx_labels(path):
    """Read an IDX label file into a (N,) int32 array of digits 0..9."""
    labels = read_idx(path, LABELS_MAGIC, "labels")
    _check_label_values(path, labels)
    return labels.astype(np.int32)


def read_idx(path, magic, kind):
    """Read an IDX file of unsigned bytes whose header must start with ``magic``."""
    try:
        if _is_gzip(path):
            with gzip.open(path, "rb") as file:
                data = file.read()
        else:
            with open(path, "rb") as file:
                data = file.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise MnistDataError(
            f"{path}: truncated or damaged gzip file ({error}). Download it again. "
            f"{DATA_OPTION_HINT}"
        ) from error
    except OSError as error:
        raise MnistDataError(f"{path}: cannot be read ({error}).") from error

    if len(data) < 4:
        raise MnistDataError(
            f"{path}: truncated IDX file, {len(data)} bytes is shorter than the header. "
            "Download it again."
        )
    (found_magic,) = struct.unpack(">I", data[:4])
    if found_magic != magic:
        raise MnistDataError(
            f"{path}: invalid magic number 0x{found_magic:08x}, expected 0x{magic:08x} for an "
            f"MNIST {kind} file. Check that the file is the MNIST {kind} file and not "
            "compressed twice or renamed."
        )

    n_dims = magic & 0xFF
    header_size = 4 + 4 * n_dims
    if len(data) < header_size:
        raise MnistDataError(
            f"{path}: truncated IDX file, the header needs {header_size} bytes but the file "
            f"has {len(data)}. Download it again."
        )
    shape = struct.unpack(f">{n_dims}I", data[4:header_size])
    expected_size = header_size + int(np.prod(shape))
    if len(data) < expected_size:
        raise MnistDataError(
            f"{path}: truncated IDX file, the header declares shape {shape} "
            f"({expected_size} bytes) but the file has {len(data)} bytes. Download it again."
        )
    if len(data) > expected_size:
        raise MnistDataError(
            f"{path}: invalid IDX file, {len(data) - expected_size} bytes follow the "
            f"{expected_size} bytes that the header declares for shape {shape}."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def _is_gzip(path):
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def _check_arrays(source, x_train, y_train, x_test, y_test):
    """Validate and convert arrays from an npz archive or Keras; return the four arrays."""
    checked = []
    for key, images, labels in (("train", x_train, y_train), ("test", x_test, y_test)):
        images = np.asarray(images)
        labels = np.asarray(labels)
        if images.ndim == 2 and images.shape[1] == N_PIXELS:
            images = images.reshape(-1, *IMAGE_SHAPE)
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise MnistDataError(
                f"{source}: x_{key} has shape {images.shape}, expected (N, 28, 28) or (N, 784). "
                f"{DATA_OPTION_HINT}"
            )
        if labels.ndim != 1:
            raise MnistDataError(
                f"{source}: y_{key} has shape {labels.shape}, expected (N,). {DATA_OPTION_HINT}"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise MnistDataError(
                f"{source}: y_{key} has dtype {labels.dtype}, expected integer labels 0..9."
            )
        _check_label_values(f"{source} (y_{key})", labels)
        _check_counts(f"{source} (x_{key})", f"{source} (y_{key})", images, labels)
        _check_not_empty(f"{source} (x_{key})", images)
        checked.append(_scale_pixels(images, f"{source} (x_{key})"))
        checked.append(labels.astype(np.int32))
    return checked


def _check_label_values(source, labels):
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise MnistDataError(
            f"{source}: labels range from {labels.min()} to {labels.max()}, expected digits "
            "0..9. Check that this is the MNIST labels file."
        )


def _check_counts(images_source, labels_source, images, labels):
    if len(images) != len(labels):
        raise MnistDataError(
            f"{images_source} contains {len(images)} images but {labels_source} contains "
            f"{len(labels)} labels. Use the images and labels files of the same MNIST set."
        )


def _check_not_empty(images_source, images):
    if len(images) == 0:
        raise MnistDataError(
            f"{images_source} contains 0 images, expected at least 1 digit in both the "
            f"training and the test set. {DATA_OPTION_HINT}"
        )


def _scale_pixels(images, source="IDX images"):
    """Flatten images to (N, 784) float32 in [0, 1]: 0..255 integers are divided by 255."""
    flat = images.reshape(len(images), N_PIXELS)
    if np.issubdtype(flat.dtype, np.integer):
        if flat.size and (flat.min() < 0 or flat.max() > 255):
            raise MnistDataError(
                f"{source}: pixel values range from {flat.min()} to {flat.max()}, expected "
                "0..255."
            )
        return flat.astype(np.float32) / np.float32(255)
    if np.issubdtype(flat.dtype, np.floating):
        if flat.size and not (np.isfinite(flat).all() and flat.min() >= 0 and flat.max() <= 1):
            raise MnistDataError(
                f"{source}: float pixel values range from {np.nanmin(flat)} to "
                f"{np.nanmax(flat)}, expected [0, 1] (or integers 0..255)."
            )
        return flat.astype(np.float32)
    raise MnistDataError(f"{source}: pixel dtype {flat.dtype} is not a number type.")


def shift_images(images, max_shift, rng):
    """Return a copy of (N, 784) ``images`` with each digit moved by a random whole-pixel offset.

    Each digit moves by up to ``max_shift`` pixels along each axis, independently; pixels moved
    in from outside the image are 0. This data augmentation makes the classifier generalize
    better. ``max_shift`` 0 returns the images unchanged.
    """
    if max_shift == 0:
        return images
    n = len(images)
    padded = np.pad(
        images.reshape(n, *IMAGE_SHAPE), ((0, 0), (max_shift, max_shift), (max_shift, max_shift))
    )
    rows = rng.integers(0, 2 * max_shift + 1, size=n)
    cols = rng.integers(0, 2 * max_shift + 1, size=n)
    shifted = np.empty((n, *IMAGE_SHAPE), dtype=images.dtype)
    for row in range(2 * max_shift + 1):
        for col in range(2 * max_shift + 1):
            chosen = (rows == row) & (cols == col)
            shifted[chosen] = padded[chosen, row:row + IMAGE_SHAPE[0], col:col + IMAGE_SHAPE[1]]
    return shifted.reshape(n, N_PIXELS)
