"""MNIST loading from IDX folders, mnist.npz and Keras, with the errors users see."""

import gzip
import shutil
import struct

import numpy as np
import pytest

from snn_demos import mnist_data
from snn_demos.mnist_data import MnistDataError

IDX_FILES = [name + ".gz" for name in mnist_data.IDX_NAMES]


@pytest.fixture(scope="module")
def real_data(mnist_dir):
    return mnist_data.load_mnist(mnist_dir)


@pytest.fixture
def idx_copy(mnist_dir, tmp_path):
    """A writable copy of the four gzip-compressed IDX files."""
    for name in IDX_FILES:
        shutil.copy(mnist_dir / name, tmp_path / name)
    return tmp_path


def write_idx(path, magic, shape, payload, compress=False):
    data = struct.pack(">I", magic) + struct.pack(f">{len(shape)}I", *shape) + payload
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)


def test_idx_folder_real_files(real_data):
    assert real_data.x_train.shape == (60000, 784)
    assert real_data.x_test.shape == (10000, 784)
    assert real_data.y_train.shape == (60000,)
    assert real_data.y_test.shape == (10000,)
    assert real_data.x_train.dtype == np.float32
    assert real_data.x_train.min() == 0.0
    assert real_data.x_train.max() == 1.0
    # The first digits of each set, as published with MNIST.
    assert list(real_data.y_train[:5]) == [5, 0, 4, 1, 9]
    assert list(real_data.y_test[:5]) == [7, 2, 1, 0, 4]
    assert np.array_equal(np.bincount(real_data.y_test), [980, 1135, 1032, 1010, 982, 892, 958,
                                                          1028, 974, 1009])


def test_idx_folder_uncompressed(idx_copy, real_data):
    for name in IDX_FILES[2:]:
        raw = gzip.decompress((idx_copy / name).read_bytes())
        (idx_copy / name).unlink()
        (idx_copy / name[:-3]).write_bytes(raw)
    data = mnist_data.load_mnist(idx_copy)
    assert np.array_equal(data.x_test, real_data.x_test)
    assert np.array_equal(data.y_test, real_data.y_test)


def test_npz_matches_idx(real_data, tmp_path):
    path = tmp_path / "mnist.npz"
    as_uint8 = {
        "x_train": np.round(real_data.x_train * 255).astype(np.uint8).reshape(-1, 28, 28),
        "y_train": real_data.y_train.astype(np.uint8),
        "x_test": np.round(real_data.x_test * 255).astype(np.uint8).reshape(-1, 28, 28),
        "y_test": real_data.y_test.astype(np.uint8),
    }
    np.savez(path, **as_uint8)
    for source in (path, tmp_path):  # the file itself, or the folder holding it
        data = mnist_data.load_mnist(source)
        assert np.array_equal(data.x_train, real_data.x_train)
        assert np.array_equal(data.y_test, real_data.y_test)
        assert data.y_test.dtype == np.int32


def test_truncated_gzip_file(idx_copy):
    path = idx_copy / IDX_FILES[3]
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(MnistDataError, match=r"t10k-labels-idx1-ubyte\.gz: truncated or damaged"):
        mnist_data.load_mnist(idx_copy)


def test_truncated_idx_payload(idx_copy):
    path = idx_copy / IDX_FILES[2]
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(data[:-784]))
    with pytest.raises(MnistDataError, match=r"truncated IDX file.*Download it again"):
        mnist_data.load_mnist(idx_copy)


def test_truncated_idx_header(idx_copy):
    (idx_copy / IDX_FILES[3]).write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00"))
    with pytest.raises(MnistDataError, match=r"header needs 8 bytes but the file has 5"):
        mnist_data.load_mnist(idx_copy)


def test_wrong_magic_number(idx_copy):
    # A labels file where the images file belongs.
    shutil.copy(idx_copy / IDX_FILES[3], idx_copy / IDX_FILES[2])
    with pytest.raises(
        MnistDataError, match=r"t10k-images.*invalid magic number 0x00000801, expected 0x00000803"
    ):
        mnist_data.load_mnist(idx_copy)


def test_wrong_image_size(idx_copy):
    write_idx(idx_copy / IDX_FILES[2], 0x803, (2, 27, 29), bytes(2 * 27 * 29), compress=True)
    with pytest.raises(MnistDataError, match=r"27x29 pixels, expected 28x28"):
        mnist_data.load_mnist(idx_copy)


def test_extra_bytes(idx_copy):
    write_idx(idx_copy / IDX_FILES[3], 0x801, (3,), bytes(4))
    (idx_copy / IDX_FILES[3]).rename(idx_copy / mnist_data.IDX_NAMES[3])
    with pytest.raises(MnistDataError, match=r"1 bytes follow"):
        mnist_data.load_mnist(idx_copy)


def test_label_count_mismatch(idx_copy):
    write_idx(idx_copy / IDX_FILES[3], 0x801, (9999,), bytes(9999), compress=True)
    with pytest.raises(MnistDataError, match=r"10000 images but .* 9999 labels"):
        mnist_data.load_mnist(idx_copy)


def test_label_out_of_range(idx_copy):
    write_idx(idx_copy / IDX_FILES[3], 0x801, (10000,), bytes([10]) * 10000, compress=True)
    with pytest.raises(MnistDataError, match=r"labels range from 10 to 10, expected digits 0\.\.9"):
        mnist_data.load_mnist(idx_copy)


def test_missing_file(idx_copy):
    (idx_copy / IDX_FILES[1]).unlink()
    with pytest.raises(MnistDataError, match=r"train-labels-idx1-ubyte\.gz: not found.*--data"):
        mnist_data.load_mnist(idx_copy)


def test_missing_path(tmp_path):
    with pytest.raises(MnistDataError, match=r"nothing-here: not found"):
        mnist_data.load_mnist(tmp_path / "nothing-here")


def test_npz_missing_arrays(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(MnistDataError, match=r"missing arrays y_train, x_test, y_test"):
        mnist_data.load_mnist(path)


def test_npz_truncated(real_data, tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=real_data.x_test, y_train=real_data.y_test,
             x_test=real_data.x_test, y_test=real_data.y_test)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(MnistDataError, match=r"mnist\.npz: cannot be read as an npz archive"):
        mnist_data.load_mnist(path)


@pytest.mark.parametrize(
    "contents, found",
    [
        (b"", "the file is empty"),
        (b"x_train,y_train\n0,5\n", "it starts with bytes b'x_tr'"),
        (bytes(range(7, 250)), "it starts with bytes b'\\x07\\x08\\t\\n'"),
    ],
)
def test_npz_not_zip(tmp_path, contents, found):
    path = tmp_path / "mnist.npz"
    path.write_bytes(contents)
    with pytest.raises(MnistDataError) as info:
        mnist_data.load_mnist(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a NumPy .npz archive (zip)" in message
    assert found in message
    assert "--data" in message
    assert "pickle" not in message


@pytest.mark.parametrize("name", [IDX_FILES[0], IDX_FILES[3], mnist_data.IDX_NAMES[3]])
def test_idx_file_as_data(idx_copy, name):
    """A single IDX file, gzip-compressed or not, where the folder belongs."""
    if not name.endswith(".gz"):
        raw = gzip.decompress((idx_copy / (name + ".gz")).read_bytes())
        (idx_copy / name).write_bytes(raw)
    with pytest.raises(MnistDataError) as info:
        mnist_data.load_mnist(idx_copy / name)
    message = str(info.value)
    assert str(idx_copy / name) in message
    assert "not a NumPy .npz archive (zip)" in message
    assert f"pass the folder that contains all four: `--data {idx_copy}`" in message
    assert "pickle" not in message


def test_npz_empty_test_set(tmp_path):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.arange(3),
             x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.int64))
    with pytest.raises(MnistDataError) as info:
        mnist_data.load_mnist(path)
    message = str(info.value)
    assert f"{path} (x_test) contains 0 images" in message
    assert "--data" in message


def test_idx_empty_training_set(idx_copy):
    write_idx(idx_copy / IDX_FILES[0], 0x803, (0, 28, 28), b"", compress=True)
    write_idx(idx_copy / IDX_FILES[1], 0x801, (0,), b"", compress=True)
    with pytest.raises(MnistDataError) as info:
        mnist_data.load_mnist(idx_copy)
    message = str(info.value)
    assert f"{idx_copy / IDX_FILES[0]} contains 0 images" in message
    assert "--data" in message


def test_npz_pixel_range(tmp_path):
    path = tmp_path / "mnist.npz"
    images = np.full((2, 28, 28), 2.0, np.float32)
    labels = np.array([1, 2])
    np.savez(path, x_train=images, y_train=labels, x_test=images, y_test=labels)
    with pytest.raises(MnistDataError, match=r"float pixel values range from 2\.0 to 2\.0"):
        mnist_data.load_mnist(path)


def test_npz_count_mismatch(tmp_path):
    path = tmp_path / "mnist.npz"
    images = np.zeros((3, 28, 28), np.uint8)
    np.savez(path, x_train=images, y_train=np.arange(3), x_test=images, y_test=np.arange(2))
    with pytest.raises(MnistDataError, match=r"contains 3 images but .*y_test.* contains 2 labels"):
        mnist_data.load_mnist(path)


def test_keras_download_failure(monkeypatch):
    tf = pytest.importorskip("tensorflow")

    def fail_download():
        raise OSError("network is unreachable")

    monkeypatch.setattr(tf.keras.datasets.mnist, "load_data", fail_download)
    with pytest.raises(MnistDataError, match=r"Downloading MNIST .* failed .*unreachable.*--data"):
        mnist_data.load_mnist()


def test_shift_images_moves_pixels():
    images = np.zeros((500, 784), np.float32)
    images[:, 14 * 28 + 14] = 1.0  # one bright pixel at row 14, column 14
    shifted = mnist_data.shift_images(images, 2, np.random.default_rng(0))

    rows, cols = np.divmod(shifted.argmax(axis=1), 28)
    assert np.array_equal(shifted.sum(axis=1), np.ones(500))
    assert set(rows) == set(range(12, 17))
    assert set(cols) == set(range(12, 17))
    assert np.array_equal(mnist_data.shift_images(images, 0, None), images)
