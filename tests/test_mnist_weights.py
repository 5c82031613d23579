"""The weights file: round trip, validation errors, and saves that fail without damage."""

import builtins
import gc
import io
import os
import re
import stat

import numpy as np
import pytest

from snn_demos import mnist_network, mnist_weights
from snn_demos.mnist_weights import WeightsFileError


def make_weights(seed=0):
    rng = np.random.default_rng(seed)
    params = {
        key: rng.standard_normal(shape).astype(np.float32)
        for key, shape in mnist_network.parameter_shapes().items()
    }
    return mnist_weights.MnistWeights(
        params=params,
        tau_rc=0.02,
        tau_ref=0.002,
        amplitude=0.004,
        sample_images=rng.uniform(0, 1, (5, 784)).astype(np.float32),
        sample_labels=np.array([3, 1, 4, 1, 5]),
        train_accuracy=0.99,
        rate_accuracy=0.985,
        spiking_accuracy=0.982,
        presentation_time=0.1,
        dt=0.001,
    )


def write_arrays(path, **changes):
    arrays = make_weights().to_arrays()
    arrays.update(changes)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)


def test_round_trip(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    weights = make_weights()
    mnist_weights.save_weights(path, weights)
    loaded = mnist_weights.load_weights(path)

    for key, value in weights.params.items():
        assert np.array_equal(loaded.params[key], value)
        assert loaded.params[key].dtype == np.float32
    assert loaded.amplitude == 0.004
    assert loaded.spiking_accuracy == 0.982
    assert np.array_equal(loaded.sample_labels, [3, 1, 4, 1, 5])
    assert os.listdir(tmp_path) == ["mnist_weights.npz"]


def test_missing_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.load_weights(path)
    message = str(info.value)
    assert str(path) in message
    assert "not found" in message
    assert "python 05_mnist_train.py" in message


def test_unreadable_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(WeightsFileError, match=r"cannot be read as an npz archive.*05_mnist_train"):
        mnist_weights.load_weights(path)


@pytest.mark.parametrize(
    "contents, found",
    [
        (b"", "the file is empty"),
        (b"W0 = [0.1, 0.2]\n", "it starts with bytes b'W0 ='"),
        (bytes(range(7, 250)), "it starts with bytes b'\\x07\\x08\\t\\n'"),
        (b"\x93NUMPY\x01\x00", "it starts with bytes b'\\x93NUM'"),  # a .npy file
    ],
)
def test_not_npz_archive(tmp_path, contents, found):
    path = tmp_path / "mnist_weights.npz"
    path.write_bytes(contents)
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.load_weights(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a NumPy .npz archive (zip)" in message
    assert found in message
    assert "python 05_mnist_train.py" in message
    assert "pickle" not in message


def test_truncated_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    mnist_weights.save_weights(path, make_weights())
    path.write_bytes(path.read_bytes()[:100000])
    with pytest.raises(WeightsFileError, match=r"mnist_weights\.npz: cannot be read"):
        mnist_weights.load_weights(path)


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"W0": np.zeros((784, 100), np.float32)}, r"W0 has shape \(784, 100\), expected \(784, 256\)"),
        ({"b2": np.zeros(10, np.float64)}, r"b2 has dtype float64, expected float32"),
        ({"W1": None}, r"missing arrays W1"),
        ({"tau_rc": np.array([0.02, 0.02])}, r"tau_rc has shape \(2,\)"),
        ({"amplitude": np.array(0.0)}, r"amplitude is 0.0, expected a positive number"),
        ({"b1": np.full(128, np.nan, np.float32)}, r"b1 holds NaN"),
        ({"sample_images": np.full((5, 784), 2.0, np.float32)}, r"sample_images range from 2"),
        ({"sample_labels": np.array([1, 2, 3])}, r"sample_labels has shape \(3,\)"),
        ({"sample_labels": np.array([1, 2, 3, 4, 10])}, r"sample_labels range from 1 to 10"),
        ({"spiking_accuracy": np.array(98.0)}, r"spiking_accuracy is 98.0, expected a fraction"),
    ],
)
def test_invalid_contents(tmp_path, changes, problem):
    path = tmp_path / "mnist_weights.npz"
    write_arrays(path, **changes)
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.load_weights(path)
    message = str(info.value)
    assert str(path) in message
    assert "python 05_mnist_train.py" in message
    assert re.search(problem, message), message


class CutOffFile:
    """A file opened for writing whose writes fail with ``error`` after ``limit`` bytes.

    The bytes up to ``limit`` reach the file, as when a disk fills up or Ctrl+C arrives in the
    middle of a write.
    """

    def __init__(self, file, limit, error):
        self._file = file
        self._room = limit
        self._error = error

    def write(self, data):
        data = memoryview(data).cast("B")
        if len(data) <= self._room:
            self._room -= len(data)
            return self._file.write(data)
        self._file.write(data[:self._room])
        self._file.flush()
        self._room = 0
        raise self._error

    def __getattr__(self, name):
        return getattr(self._file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._file.close()


def is_write_mode(mode):
    return any(flag in mode for flag in "wax+")


def opened_path(file):
    """Return the real path of a path or file descriptor argument of open()."""
    if isinstance(file, int):
        return os.path.realpath(f"/proc/self/fd/{file}")
    return os.path.realpath(file)


@pytest.fixture
def saved_file(tmp_path):
    """A weights file saved with seed 1 in its own folder; returns (path, its bytes)."""
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "mnist_weights.npz"
    mnist_weights.save_weights(path, make_weights(seed=1))
    return path, path.read_bytes()


# NumPy 1.24's np.savez leaves its ZipFile open when a write fails, and the ZipFile's __del__
# then fails on the closed file. That is harmless, so the test ignores it.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_interrupted_write_keeps_previous_file(saved_file, monkeypatch, error):
    """Every file that a save opens for writing fails halfway through."""
    path, previous = saved_file
    real_open = io.open
    opened = []

    def open_cut_off(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if not is_write_mode(mode):
            return handle
        opened.append(opened_path(file))
        return CutOffFile(handle, len(previous) // 2, error)

    # os.fdopen and zipfile call io.open, and code that calls open() gets builtins.open.
    with monkeypatch.context() as patch:
        patch.setattr(io, "open", open_cut_off)
        patch.setattr(builtins, "open", open_cut_off)
        with pytest.raises(type(error)) as info:
            mnist_weights.save_weights(path, make_weights(seed=2))
    # The traceback keeps np.savez's frame, and so its ZipFile, alive. Free both in this test.
    error.__traceback__ = None
    del info
    gc.collect()

    assert opened, "the save opened no file for writing through open()"
    assert path.read_bytes() == previous
    assert os.listdir(path.parent) == ["mnist_weights.npz"]  # no temporary file left behind
    assert mnist_weights.load_weights(path).sample_labels.tolist() == [3, 1, 4, 1, 5]


def test_save_never_writes_destination(saved_file, tmp_path, monkeypatch):
    """A save writes a new file and renames it, so the old file's inode never changes."""
    path, previous = saved_file
    # A second name for the old inode shows any write into it, even after path is replaced.
    (tmp_path / "link").mkdir()
    old_inode = tmp_path / "link" / "old.npz"
    os.link(path, old_inode)

    written = []
    real_io_open = io.open
    real_os_open = os.open

    def record_io_open(file, mode="r", *args, **kwargs):
        if is_write_mode(mode):
            written.append(opened_path(file))
        return real_io_open(file, mode, *args, **kwargs)

    def record_os_open(file, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC | os.O_APPEND):
            written.append(os.path.realpath(file))
        return real_os_open(file, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(io, "open", record_io_open)
        patch.setattr(builtins, "open", record_io_open)
        patch.setattr(os, "open", record_os_open)
        mnist_weights.save_weights(path, make_weights(seed=2))

    assert written, "the save opened no file for writing"
    assert os.path.realpath(path) not in written
    assert old_inode.read_bytes() == previous
    assert path.stat().st_ino != old_inode.stat().st_ino
    assert mnist_weights.load_weights(path).sample_labels.tolist() == [3, 1, 4, 1, 5]
    assert os.listdir(path.parent) == ["mnist_weights.npz"]


def test_interrupt_after_rename(saved_file, monkeypatch):
    """Ctrl+C right after the rename raises KeyboardInterrupt and keeps the new file."""
    path, previous = saved_file
    real_replace = os.replace

    def replace_then_interrupt(source, destination):
        real_replace(source, destination)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        mnist_weights.save_weights(path, make_weights(seed=2))
    monkeypatch.undo()

    assert path.read_bytes() != previous
    assert mnist_weights.load_weights(path).sample_labels.tolist() == [3, 1, 4, 1, 5]
    assert os.listdir(path.parent) == ["mnist_weights.npz"]


@pytest.fixture
def umask():
    """Return a function that sets the process umask; the original comes back afterwards."""
    original = os.umask(0o022)
    os.umask(original)
    yield os.umask
    os.umask(original)


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_mode_follows_umask(tmp_path, umask, mask, mode):
    path = tmp_path / "mnist_weights.npz"
    umask(mask)
    mnist_weights.save_weights(path, make_weights())
    assert stat.S_IMODE(path.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o444])
def test_replaced_file_keeps_mode(saved_file, umask, mode):
    path, _ = saved_file
    path.chmod(mode)
    umask(0o077)
    mnist_weights.save_weights(path, make_weights(seed=2))
    assert stat.S_IMODE(path.stat().st_mode) == mode


def test_save_through_symlink(tmp_path):
    target = tmp_path / "runs" / "run1.npz"
    target.parent.mkdir()
    mnist_weights.save_weights(target, make_weights(seed=1))
    target.chmod(0o640)
    link = tmp_path / "mnist_weights.npz"
    link.symlink_to(target)

    mnist_weights.save_weights(link, make_weights(seed=2))

    assert link.is_symlink()
    assert os.path.realpath(link) == os.path.realpath(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert np.array_equal(mnist_weights.load_weights(target).params["W0"],
                          make_weights(seed=2).params["W0"])
    assert sorted(os.listdir(target.parent)) == ["run1.npz"]


def test_check_destination_accepts_new_folder(tmp_path):
    path = tmp_path / "new" / "deeper" / "mnist_weights.npz"
    mnist_weights.check_destination(path)
    assert path.parent.is_dir()
    assert os.listdir(path.parent) == []  # the test file is removed


def test_check_destination_folder(tmp_path):
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.check_destination(tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message
    assert "is a folder" in message
    assert os.listdir(tmp_path) == []


def test_check_destination_under_file(tmp_path):
    (tmp_path / "plain").write_text("a file, not a folder")
    path = tmp_path / "plain" / "mnist_weights.npz"
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.check_destination(path)
    message = str(info.value)
    assert str(path) in message
    assert "cannot write a file in folder" in message


def test_check_destination_permission_denied(tmp_path, monkeypatch):
    # Root may write to a read-only folder, so the denial is simulated.
    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(mnist_weights.tempfile, "mkstemp", deny)
    path = tmp_path / "mnist_weights.npz"
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.check_destination(path)
    message = str(info.value)
    assert str(path) in message
    assert "Permission denied" in message
    assert "writable folder" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to a read-only folder")
def test_check_destination_read_only_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(WeightsFileError, match=r"cannot write a file in folder"):
            mnist_weights.check_destination(folder / "mnist_weights.npz")
    finally:
        folder.chmod(0o755)


def test_invalid_weights_not_saved(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    weights = make_weights()
    weights.params["W2"] = np.zeros((128, 9), np.float32)
    with pytest.raises(WeightsFileError, match=r"W2 has shape \(128, 9\)"):
        mnist_weights.save_weights(path, weights)
    assert os.listdir(tmp_path) == []
