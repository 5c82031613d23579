"""Make NengoDL 3.6.0 import and run on TensorFlow 2.16 and later.

Import this module before anything imports TensorFlow or NengoDL::

    import snn_demos.nengo_dl_compat  # noqa: F401

TensorFlow 2.16 made Keras 3 its ``tf.keras``. NengoDL 3.6.0 is written for Keras 2: its
simulator subclasses ``tf.keras`` layers and models, and ``nengo_dl/compat.py`` imports
``keras.engine.functional``, which Keras 3 removed. With TensorFlow 2.16 or later this module
therefore takes these steps, in this order:

1. Check that the legacy Keras 2 package ``tf-keras`` is installed at TensorFlow's
   major.minor version. Without it, TensorFlow 2.21.0 raises "Keras cannot be imported" on
   the first use of ``tf.keras``. Each ``tf-keras`` release is made for the TensorFlow
   release with the same major.minor version.
2. Set ``TF_USE_LEGACY_KERAS=1``, so that ``tf.keras`` is ``tf_keras`` (Keras 2). TensorFlow
   reads this variable when it is imported, so the step fails with an error if TensorFlow
   was imported earlier without it.
3. Register ``tf_keras.src.engine.functional`` as ``keras.engine.functional`` in
   ``sys.modules``, because ``nengo_dl/compat.py`` imports ``Functional`` and ``_build_map``
   from there and Keras 3 has no ``keras.engine``.
4. Add ``BatchNormalizationV1`` and ``BatchNormalizationV2`` from ``tf_keras`` to Keras 3's
   ``keras.layers``, because ``nengo_dl/compat.py`` imports them from there and Keras 3 has
   neither name. Nothing else in Keras 3 changes.

Steps 3 and 4 import TensorFlow, ``tf_keras`` and Keras 3, which ``import nengo_dl`` imports
anyway. The standalone ``keras`` package stays Keras 3, so code that uses NengoDL must build
its layers with ``tf.keras`` (or ``tf_keras``), not with ``import keras``.

Nengo GUI 0.6.0 imports ``nengo_dl``, and with it TensorFlow, to list its backends before it
runs a demo script, so a demo that imports this module fails with the error in step 2. Start
the GUI with the variable set (``TF_USE_LEGACY_KERAS=1 nengo demo.py``) or from a launcher that
imports this module before ``nengo_gui.main.main()``. Both were checked by replaying the GUI's
order (``nengo_gui.exec_env.discover_backends()``, then the script) with TensorFlow 2.21.0.

With TensorFlow older than 2.16, ``tf.keras`` is Keras 2 and this module changes nothing: it
neither imports TensorFlow nor sets the environment variable. The version is read from the
installed package's metadata, or from ``tensorflow.__version__`` if TensorFlow is already
imported.

Tested with ``tests/test_nengo_dl_compat.py`` (Linux x86-64, CPU only) on:

- Python 3.8.18 and 3.11.7, TensorFlow 2.12.1 (Keras 2.12.0), numpy 1.24.3, nengo 4.1.0,
  nengo-dl 3.6.0: nothing changed.
- Python 3.12.1 and 3.13.0, TensorFlow 2.21.0, tf-keras 2.21.0, Keras 3.15.1, numpy 2.5.5,
  nengo 4.1.0, nengo-dl 3.6.0: all four steps.

NOTE: TensorFlow 2.13 to 2.15 come with Keras 2 releases that moved their code to
``keras.src``. This module leaves those versions alone, and NengoDL 3.6.0 was not tested on them.
"""

import importlib.metadata
import os
import re
import sys

# TensorFlow 2.16 is the first release whose tf.keras is Keras 3.
_FIRST_KERAS_3_TENSORFLOW = (2, 16)

# Values for which TensorFlow 2.21.0 routes tf.keras to tf_keras (tensorflow/__init__.py).
_LEGACY_KERAS_TRUE_VALUES = ("true", "True", "1")

# Distributions that install the ``tensorflow`` package, for Python without
# importlib.metadata.packages_distributions (3.8 and 3.9).
_TENSORFLOW_DISTRIBUTIONS = (
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-gpu",
    "tensorflow-intel",
    "tensorflow-macos",
    "tf-nightly",
)


def _major_minor(version_string):
    """Return the (major, minor) integers of a version such as ``"2.21.0"`` or ``"2.16rc0"``."""
    major, minor = version_string.split(".")[:2]
    minor_digits = re.match(r"\d*", minor).group()
    return int(major), int(minor_digits or 0)


def _installed_tensorflow_version():
    """Return the installed TensorFlow version string, or None if TensorFlow is missing.

    Reads ``tensorflow.__version__`` if TensorFlow is already imported, and otherwise the
    package metadata, so that this check does not import TensorFlow.
    """
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None:
        return tensorflow.__version__

    if hasattr(importlib.metadata, "packages_distributions"):
        names = importlib.metadata.packages_distributions().get("tensorflow", [])
    else:
        names = _TENSORFLOW_DISTRIBUTIONS

    for name in names:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _require_tf_keras(tensorflow_version):
    """Raise ImportError unless tf-keras is installed at TensorFlow's major.minor version."""
    fix = f"pip install tf-keras=={tensorflow_version}"
    try:
        tf_keras_version = importlib.metadata.version("tf-keras")
    except importlib.metadata.PackageNotFoundError:
        raise ImportError(
            f"NengoDL needs the legacy Keras 2 package tf-keras with TensorFlow "
            f"{tensorflow_version}, but tf-keras is not installed. Install it with: {fix}"
        ) from None

    if _major_minor(tf_keras_version) != _major_minor(tensorflow_version):
        raise ImportError(
            f"tf-keras {tf_keras_version} does not match TensorFlow {tensorflow_version}: "
            f"NengoDL needs both at the same major.minor version. Install it with: {fix}"
        )


def _use_legacy_keras():
    """Set TF_USE_LEGACY_KERAS=1, or raise if TensorFlow was imported without it."""
    tensorflow = sys.modules.get("tensorflow")
    if tensorflow is not None and not getattr(tensorflow, "_tf_uses_legacy_keras", True):
        raise ImportError(
            "TensorFlow was imported before snn_demos.nengo_dl_compat, so tf.keras is "
            "Keras 3 and NengoDL cannot use it. Import snn_demos.nengo_dl_compat before "
            "tensorflow and nengo_dl, or set TF_USE_LEGACY_KERAS=1 in the environment. "
            "Nengo GUI imports TensorFlow before it runs a script, so start it with "
            "`./run.sh SCRIPT.py` or `TF_USE_LEGACY_KERAS=1 nengo SCRIPT.py`."
        )

    current = os.environ.get("TF_USE_LEGACY_KERAS")
    if current is not None and current not in _LEGACY_KERAS_TRUE_VALUES:
        raise ImportError(
            f"TF_USE_LEGACY_KERAS is set to {current!r}, which makes tf.keras Keras 3, "
            "but NengoDL needs Keras 2 (tf-keras). Unset the variable or set it to 1."
        )
    os.environ["TF_USE_LEGACY_KERAS"] = "1"


def _alias_keras_2_names():
    """Make the Keras 2 names that nengo_dl/compat.py imports resolve to tf_keras."""
    import keras
    import keras.layers
    import tf_keras.src.engine.functional
    import tf_keras.src.layers

    if not keras.__version__.startswith("3."):
        # Keras 2 still has keras.engine, so nothing needs an alias.
        return

    sys.modules.setdefault("keras.engine.functional", tf_keras.src.engine.functional)
    for name in ("BatchNormalizationV1", "BatchNormalizationV2"):
        if not hasattr(keras.layers, name):
            setattr(keras.layers, name, getattr(tf_keras.src.layers, name))


def _apply():
    """Apply the steps in the module docstring if the installed TensorFlow needs them."""
    tensorflow_version = _installed_tensorflow_version()
    if tensorflow_version is None:
        # Without TensorFlow, importing nengo_dl fails with its own clear error.
        return
    if _major_minor(tensorflow_version) < _FIRST_KERAS_3_TENSORFLOW:
        return

    _require_tf_keras(tensorflow_version)
    _use_legacy_keras()
    _alias_keras_2_names()


_apply()
