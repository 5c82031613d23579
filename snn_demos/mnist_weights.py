"""The trained MNIST classifier's weights file: atomic save and load with validation.

``python 05_mnist_train.py`` writes the file (``mnist_weights.npz`` beside the script by
default) and ``05_mnist_gui.py`` reads it. It is an uncompressed NumPy ``.npz`` archive with
these arrays:

- ``W0`` (784, 256) and ``b0`` (256,), float32: input pixels to hidden layer 1.
- ``W1`` (256, 128) and ``b1`` (128,), float32: hidden layer 1 spikes to hidden layer 2.
- ``W2`` (128, 10) and ``b2`` (10,), float32: hidden layer 2 spikes to the class scores.
- ``tau_rc`` and ``tau_ref``, float64 scalars: the LIF membrane time constant and refractory
  period (s).
- ``amplitude``, float64 scalar: the area of each LIF spike (s), so a neuron's filtered output
  is ``amplitude`` times its firing rate.
- ``sample_images`` (N, 784) float32 with pixels in [0, 1], and ``sample_labels`` (N,) int64
  in 0..9: test digits for the GUI demo (N is 100 by default).
- ``train_accuracy``, ``rate_accuracy``, ``spiking_accuracy``, float64 scalars in [0, 1]: the
  accuracy on the training set with rate neurons, and on the test set with rate neurons
  (LIFRate) and with spiking LIF neurons.
- ``presentation_time`` and ``dt``, float64 scalars (s): how long each test digit was shown
  for the spiking accuracy, and the simulation time step.

Each layer computes the input current ``J = x @ W + b`` of LIF neurons with gain 1 and bias
``b`` (hidden layers), or the class scores (last layer). Each neuron's gain from training is
already folded into ``W`` and ``b``. A hidden neuron's output is a spike train of height
``amplitude / dt``.

`save_weights` writes a temporary file in the destination folder and renames it over the
destination with ``os.replace``, so a run that fails or is interrupted leaves an existing file
as it was. `check_destination` checks beforehand that the save can succeed. `load_weights`
raises `WeightsFileError` naming the file, the problem and the fix.
"""

import contextlib
import os
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from snn_demos.mnist_network import N_CLASSES, N_INPUTS, parameter_shapes

DEFAULT_FILENAME = "mnist_weights.npz"
TRAIN_COMMAND = "python 05_mnist_train.py"

# First bytes by which np.load recognizes an .npz archive (a zip file): a local file header, or
# the end record that starts an empty archive (_ZIP_PREFIX and _ZIP_SUFFIX in NumPy 1.24 and 2.5).
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")

SCALAR_KEYS = (
    "tau_rc",
    "tau_ref",
    "amplitude",
    "train_accuracy",
    "rate_accuracy",
    "spiking_accuracy",
    "presentation_time",
    "dt",
)
POSITIVE_KEYS = ("tau_rc", "amplitude", "presentation_time", "dt")
ACCURACY_KEYS = ("train_accuracy", "rate_accuracy", "spiking_accuracy")


class WeightsFileError(Exception):
    """A weights file that is missing, unreadable or not in the format above."""


@dataclass
class MnistWeights:
    """The contents of a weights file (see the module docstring for each field)."""

    params: dict  # "W0".."W2", "b0".."b2": float32 arrays
    tau_rc: float
    tau_ref: float
    amplitude: float
    sample_images: np.ndarray
    sample_labels: np.ndarray
    train_accuracy: float
    rate_accuracy: float
    spiking_accuracy: float
    presentation_time: float
    dt: float

    def to_arrays(self):
        """Return {key: array} as stored in the file."""
        arrays = {key: np.asarray(value, dtype=np.float32) for key, value in self.params.items()}
        for key in SCALAR_KEYS:
            arrays[key] = np.asarray(getattr(self, key), dtype=np.float64)
        arrays["sample_images"] = np.asarray(self.sample_images, dtype=np.float32)
        arrays["sample_labels"] = np.asarray(self.sample_labels, dtype=np.int64)
        return arrays


def default_path(script_dir):
    """Return the weights path beside the demo scripts in ``script_dir``."""
    return os.path.join(script_dir, DEFAULT_FILENAME)


def check_destination(path):
    """Check that `save_weights` can write ``path``, so that a bad path fails before training.

    Creates the destination folder if it is missing, and creates and removes a temporary file
    there. Raises `WeightsFileError` if ``path`` is a folder or the folder is not writable.
    """
    path = os.fspath(path)
    target = _resolve_destination(path)
    if os.path.isdir(target):
        raise WeightsFileError(
            f"{path}: is a folder, expected a file name such as "
            f"{os.path.join(path, DEFAULT_FILENAME)}."
        )
    folder = os.path.dirname(target)
    try:
        os.makedirs(folder, exist_ok=True)
        file_descriptor, temp_path = _create_temp_file(target)
        os.close(file_descriptor)
        os.unlink(temp_path)
    except OSError as error:
        raise WeightsFileError(
            f"{path}: cannot write a file in folder {folder} ({error}). Choose a path in a "
            "writable folder."
        ) from error


def save_weights(path, weights):
    """Write ``weights`` (an `MnistWeights`) to ``path`` atomically.

    The arrays go to a temporary file in the same folder, which is flushed to disk and then
    renamed over ``path``. On any failure before the rename, including KeyboardInterrupt, the
    temporary file is removed and an existing ``path`` is left unchanged. The new file gets the
    permission bits of the file it replaces, or ``0o666`` less the umask for a new file.

    If ``path`` is a symbolic link, the file it points to is replaced and the link is kept.
    """
    path = os.fspath(path)
    arrays = weights.to_arrays()
    validate_arrays(path, arrays)

    target = _resolve_destination(path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    mode = _new_file_mode(target)
    replaced = False
    file_descriptor, temp_path = _create_temp_file(target)
    try:
        with os.fdopen(file_descriptor, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file with mode 0o600 whatever the umask.
        os.chmod(temp_path, mode)
        os.replace(temp_path, target)
        replaced = True
    except BaseException:
        # An interrupt can arrive after os.replace returns but before `replaced` is set, so
        # a missing temporary file is expected. A failed removal must not hide the error.
        if not replaced:
            with contextlib.suppress(OSError):
                os.unlink(temp_path)
        raise


def _resolve_destination(path):
    """Return the file that a save to ``path`` replaces: ``path`` with symbolic links resolved."""
    return os.path.realpath(path)


def _create_temp_file(target):
    """Create a temporary file beside ``target``; return its open descriptor and path."""
    return tempfile.mkstemp(
        dir=os.path.dirname(target), prefix="." + os.path.basename(target) + ".", suffix=".tmp"
    )


def _new_file_mode(target):
    """Return the permission bits of the existing ``target``, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        pass
    # os.umask can only be read by setting it. NOTE: another thread creating a file between
    # these two calls gets umask 0o077.
    umask = os.umask(0o077)
    os.umask(umask)
    return 0o666 & ~umask


def load_weights(path):
    """Load and validate the weights file at ``path``; return an `MnistWeights`."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise WeightsFileError(
            f"{path}: weights file not found. Run `{TRAIN_COMMAND}` first to train the network "
            "and write it."
        )
    _check_zip_magic(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise WeightsFileError(
            f"{path}: cannot be read as an npz archive, the file is damaged, truncated or of "
            f"another format ({error}). Run `{TRAIN_COMMAND}` to write it again."
        ) from error

    validate_arrays(path, arrays)
    return MnistWeights(
        params={key: arrays[key] for key in parameter_shapes()},
        sample_images=arrays["sample_images"],
        sample_labels=arrays["sample_labels"],
        **{key: float(arrays[key]) for key in SCALAR_KEYS},
    )


def _check_zip_magic(path):
    """Raise `WeightsFileError` unless ``path`` starts like a zip file, as an .npz archive does.

    np.load reads any other file that is not a .npy file as a pickle. With allow_pickle=False its
    error speaks of pickled data, and in NumPy 2 advises allow_pickle, which runs code from the
    file. A .npy file loads as a single array.
    """
    try:
        with open(path, "rb") as file:
            start = file.read(4)
    except OSError as error:
        raise WeightsFileError(
            f"{path}: cannot be read ({error}). Check its permissions, or run "
            f"`{TRAIN_COMMAND}` to write it again."
        ) from error
    if start not in ZIP_MAGIC:
        found = "the file is empty" if not start else f"it starts with bytes {start!r}"
        raise WeightsFileError(
            f"{path}: not a NumPy .npz archive (zip), {found}. Run `{TRAIN_COMMAND}` to write "
            "it again."
        )


def validate_arrays(path, arrays):
    """Raise `WeightsFileError` unless ``arrays`` contains every key above with valid values."""
    expected = list(parameter_shapes()) + list(SCALAR_KEYS) + ["sample_images", "sample_labels"]
    missing = [key for key in expected if key not in arrays]
    if missing:
        _fail(path, f"missing arrays {', '.join(missing)}")

    for key, shape in parameter_shapes().items():
        _check_array(path, key, arrays[key], shape, np.float32)

    for key in SCALAR_KEYS:
        value = arrays[key]
        if value.shape != () or not np.issubdtype(value.dtype, np.floating):
            _fail(path, f"{key} has shape {value.shape} and dtype {value.dtype}, expected a "
                  "float scalar")
        if not np.isfinite(value):
            _fail(path, f"{key} is {value}, expected a finite number")
    for key in POSITIVE_KEYS:
        if arrays[key] <= 0:
            _fail(path, f"{key} is {float(arrays[key])}, expected a positive number")
    if arrays["tau_ref"] < 0:
        _fail(path, f"tau_ref is {float(arrays['tau_ref'])}, expected 0 or more")
    for key in ACCURACY_KEYS:
        if not 0 <= arrays[key] <= 1:
            _fail(path, f"{key} is {float(arrays[key])}, expected a fraction in [0, 1]")

    images = arrays["sample_images"]
    labels = arrays["sample_labels"]
    if images.ndim != 2 or images.shape[1] != N_INPUTS or len(images) == 0:
        _fail(path, f"sample_images has shape {images.shape}, expected (N, {N_INPUTS}), N > 0")
    _check_array(path, "sample_images", images, images.shape, np.float32)
    if images.min() < 0 or images.max() > 1:
        _fail(path, f"sample_images range from {images.min()} to {images.max()}, expected "
              "[0, 1]")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        _fail(path, f"sample_labels has shape {labels.shape} and dtype {labels.dtype}, "
              f"expected ({len(images)},) integers")
    if labels.min() < 0 or labels.max() >= N_CLASSES:
        _fail(path, f"sample_labels range from {labels.min()} to {labels.max()}, expected "
              "0..9")


def _check_array(path, key, value, shape, dtype):
    if value.shape != shape:
        _fail(path, f"{key} has shape {value.shape}, expected {shape}")
    if value.dtype != dtype:
        _fail(path, f"{key} has dtype {value.dtype}, expected {np.dtype(dtype).name}")
    if not np.isfinite(value).all():
        _fail(path, f"{key} holds NaN or infinite values")


def _fail(path, problem):
    raise WeightsFileError(
        f"{path}: invalid weights file, {problem}. Run `{TRAIN_COMMAND}` to write it again "
        "(the network's layer sizes may have changed since this file was written)."
    )
