"""05_mnist_gui.py in Nengo GUI in headless Chromium: the digit shows, and errors are clear."""

import numpy as np
import pytest

from snn_demos import mnist_network, mnist_weights


def write_weights(path):
    """A weights file with small random weights: the page needs no trained network to run."""
    rng = np.random.default_rng(0)
    params = {
        key: (0.05 * rng.standard_normal(shape)).astype(np.float32)
        for key, shape in mnist_network.parameter_shapes().items()
    }
    weights = mnist_weights.MnistWeights(
        params=params, tau_rc=0.02, tau_ref=0.002, amplitude=0.004,
        sample_images=rng.uniform(0, 1, (3, 784)).astype(np.float32),
        sample_labels=np.array([4, 2, 7]), train_accuracy=0.1, rate_accuracy=0.1,
        spiking_accuracy=0.1, presentation_time=0.1, dt=0.001,
    )
    mnist_weights.save_weights(path, weights)
    return path


@pytest.mark.browser
def test_mnist_gui_shows_digit(gui_browser, repo_root, tmp_path):
    weights_path = write_weights(tmp_path / "mnist_weights.npz")
    run = gui_browser.run_demo(
        repo_root / "05_mnist_gui.py", run_until=1.2, extra_files=[weights_path]
    )
    gui_browser.assert_demo_ran(run, repo_root / "05_mnist_gui.py.cfg")

    assert len(run.html_views) == 1
    html = run.html_views[0]
    assert '<img src="data:image/png;base64,' in html
    assert "true: <b>" in html
    assert "predicted: <b" in html


@pytest.mark.browser
def test_mnist_gui_missing_weights(gui_browser, repo_root):
    run = gui_browser.run_demo(repo_root / "05_mnist_gui.py", expect_error=True)
    assert "mnist_weights.npz: weights file not found" in run.console_error
    assert "python 05_mnist_train.py" in run.console_error
