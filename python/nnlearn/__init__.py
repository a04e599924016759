"""nnlearn: scikit-learn estimators backed by nn, a neural-network toolkit written in Rust.

>>> from nnlearn import NNClassifier, NNRegressor

The estimators follow scikit-learn's MLP parameters where the meaning is the same; see their docstrings.
A fitted estimator's ``save(path)`` writes an nn model file (``nn predict`` reads it), ``NNClassifier.load(path)``
reads one that ``nn train`` wrote, and ``to_onnx(path)`` exports it.
"""

from ._estimators import NNClassifier, NNRegressor

__all__ = ["NNClassifier", "NNRegressor"]
