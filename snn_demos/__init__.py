"""Helpers for the spiking neural network demos.

The demo scripts at the top of the repository hold the networks a reader learns from. This
package contains what those readers do not need to see: analytic rate formulas, a learning rule's
builder, MNIST file handling, and markup for Nengo GUI's HTML nodes.
"""
