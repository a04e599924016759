"""NNClassifier and NNRegressor: scikit-learn estimators over nn's compiled facade (nnlearn._native).

The parameters keep scikit-learn's MLP names where the meaning is the same; each is turned into one setting of
nn's run specification (``nn train --help`` documents them) in ``_spec``, the only place that translates.
"""

import inspect
import json
import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _native

_ACTIVATIONS = {
    "relu": "relu",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "elu": "elu",
    "gelu": "gelu",
    "leaky_relu": "leaky-relu",
    "identity": "identity",
}
_SOLVERS = ("adam", "adamw", "sgd", "lbfgs")
_DTYPES = {"float64": "f64", "float32": "f32"}
_SIMD = ("auto", "avx512", "avx2", "portable")


# Every parameter and its default, in scikit-learn's order; the first two may be given by position. NNClassifier
# adds ``class_weight``.
_PARAMETERS = {
    "hidden_layer_sizes": (100,),
    "activation": "relu",
    "solver": "adam",
    "alpha": 0.0001,
    "batch_size": "auto",
    "learning_rate_init": 0.001,
    "max_iter": 200,
    "shuffle": True,
    "random_state": None,
    "tol": 1e-4,
    "verbose": False,
    "momentum": 0.9,
    "nesterovs_momentum": True,
    "early_stopping": False,
    "validation_fraction": 0.1,
    "n_iter_no_change": 10,
    "dropout": 0.0,
    "weight_decay": 0.01,
    "shift": None,
    "image_shape": None,
    "select": None,
    "n_threads": None,
    "simd": "auto",
    "dtype": "float64",
    "logdir": None,
}
_POSITIONAL = 2


def _init_taking(parameters):
    """An ``__init__`` that takes ``parameters`` (name → default) and stores each as an attribute of the same
    name, doing nothing else, as scikit-learn requires of an estimator.

    Its ``__signature__`` lists them one by one (the first two positional, the rest keyword-only), so
    ``get_params``, ``clone`` and ``help`` see an ordinary signature with no ``*args``/``**kwargs``.
    """
    P = inspect.Parameter
    signature = inspect.Signature(
        [P("self", P.POSITIONAL_OR_KEYWORD)]
        + [
            P(name, P.POSITIONAL_OR_KEYWORD if i < _POSITIONAL else P.KEYWORD_ONLY, default=default)
            for i, (name, default) in enumerate(parameters.items())
        ]
    )

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    return __init__


def _check(name, value, ok, expected):
    if not ok:
        raise ValueError(f"{name}={value!r}: expected {expected}")


class _NNBase(BaseEstimator):
    """What the two estimators share: the parameters, their translation, fit and the fitted attributes."""

    __init__ = _init_taking(_PARAMETERS)

    # -- the translation into nn's run specification ---------------------------------------------------------

    def _spec(self, n_samples, classifier):
        """nn's run specification (its serialised names) for these parameters on ``n_samples`` rows."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral):
            hidden = [hidden]
        hidden = list(hidden)
        _check(
            "hidden_layer_sizes",
            self.hidden_layer_sizes,
            all(isinstance(h, numbers.Integral) and h > 0 for h in hidden),
            "positive integers",
        )
        _check("activation", self.activation, self.activation in _ACTIVATIONS, f"one of {sorted(_ACTIVATIONS)}")
        _check("solver", self.solver, self.solver in _SOLVERS, f"one of {list(_SOLVERS)}")
        _check("alpha", self.alpha, isinstance(self.alpha, numbers.Real) and self.alpha >= 0, "a number >= 0")
        _check("max_iter", self.max_iter, isinstance(self.max_iter, numbers.Integral) and self.max_iter > 0, "an integer > 0")
        _check("shuffle", self.shuffle, isinstance(self.shuffle, (bool, np.bool_)), "True or False")
        _check("tol", self.tol, isinstance(self.tol, numbers.Real) and self.tol >= 0, "a number >= 0")
        _check("learning_rate_init", self.learning_rate_init,
               isinstance(self.learning_rate_init, numbers.Real) and self.learning_rate_init > 0, "a number > 0")
        _check("validation_fraction", self.validation_fraction,
               isinstance(self.validation_fraction, numbers.Real) and 0 < self.validation_fraction < 1, "in (0, 1)")
        _check("n_iter_no_change", self.n_iter_no_change,
               isinstance(self.n_iter_no_change, numbers.Integral) and self.n_iter_no_change > 0, "an integer > 0")
        _check("dtype", self.dtype, self.dtype in _DTYPES, f"one of {list(_DTYPES)}")
        _check("n_threads", self.n_threads,
               self.n_threads is None or (isinstance(self.n_threads, numbers.Integral) and self.n_threads > 0),
               "None (all cores) or an integer > 0")
        _check("simd", self.simd, self.simd in _SIMD, f"one of {list(_SIMD)}")

        validation = self.validation_fraction if self.early_stopping else 0.0
        n_train = n_samples - int(round(n_samples * validation))
        if self.solver == "lbfgs":
            batch = None
        elif self.batch_size == "auto":
            batch = min(200, n_train)
        else:
            _check("batch_size", self.batch_size,
                   isinstance(self.batch_size, numbers.Integral) and self.batch_size > 0, "'auto' or an integer > 0")
            batch = int(self.batch_size)
        step_rows = max(1, min(batch or n_train, n_train))
        seed = self.random_state
        if not isinstance(seed, numbers.Integral) or seed < 0:
            seed = check_random_state(seed).randint(np.iinfo(np.int32).max)

        spec = {
            "hidden": hidden,
            "activation": _ACTIVATIONS[self.activation],
            "epochs": int(self.max_iter),
            # scikit-learn's step shrinks the weights by alpha/batch; nn's by lambda/n (n: the training rows).
            "lambda": float(self.alpha) * n_train / step_rows,
            "batch-size": "full" if batch is None else batch,
            "split": {"train": 1.0 - validation, "validation": validation},
            "stratify": bool(classifier and self.early_stopping),
            "seed": int(seed),
            "dropout": float(self.dropout),
            "shuffle": bool(self.shuffle),
            "threads": int(self.n_threads or 0),
            "simd": self.simd,
            "precision": _DTYPES[self.dtype],
        }
        if self.solver == "lbfgs":
            spec.update(optimizer="lbfgs", tolerance=float(self.tol))
        else:
            if self.solver == "sgd":
                momentum = float(self.momentum)
                kind = "gd" if momentum == 0 else ("nesterov" if self.nesterovs_momentum else "momentum")
                spec.update(optimizer=kind, momentum=momentum)
            else:
                spec.update(optimizer=self.solver)
                if self.solver == "adamw":
                    spec["weight-decay"] = float(self.weight_decay)
            spec["lr"] = float(self.learning_rate_init)
            # Stop as scikit-learn does, when more than n_iter_no_change epochs have passed without an
            # improvement of tol (nn's patience counts to the epoch that stops): of the validation score with
            # early stopping (keeping its best epoch, as scikit-learn does), else of the training loss.
            spec["patience"] = int(self.n_iter_no_change) + 1
            spec["min-delta"] = float(self.tol)
            if self.early_stopping:
                spec["select"] = "val-acc" if classifier else "val-r2"
            else:
                spec["select"] = "train-loss"
        if self.select is not None:
            spec["select"] = self.select
        if self.shift is not None:
            spec["shift"] = int(self.shift)
            if self.image_shape is not None:
                height, width = self.image_shape
                spec["image"] = {"height": int(height), "width": int(width)}
        return spec

    # -- fitting ---------------------------------------------------------------------------------------------

    def _validated(self, X, reset):
        return validate_data(self, X, reset=reset, dtype=np.float64, order="C")

    def _fit_native(self, X, y, classes, class_weight=None):
        spec = self._spec(X.shape[0], classes is not None)
        if class_weight is not None:
            spec["class-weight"] = class_weight
        logdir = None if self.logdir is None else str(self.logdir)
        model, interrupted, notes = _native.fit(X, y, classes, json.dumps(spec), bool(self.verbose), logdir)
        if interrupted:
            warnings.warn("Training interrupted by user.", UserWarning, stacklevel=3)
        for note in notes:
            category = ConvergenceWarning if "still falling" in note else UserWarning
            warnings.warn(f"nn: {note.removeprefix('warning: ')}", category, stacklevel=3)
        self._model = model
        self._set_fitted()
        return self

    def _set_fitted(self):
        model = self._model
        layers = model.layers()
        self.coefs_ = [w for w, _ in layers]
        self.intercepts_ = [b for _, b in layers]
        self.n_layers_ = len(layers) + 1
        self.n_outputs_ = layers[-1][0].shape[1]
        self.n_iter_ = model.n_iter
        curve = model.loss_curve()
        self.loss_curve_ = [] if curve is None else curve.tolist()
        scores = model.validation_scores()
        if scores is not None:
            self.validation_scores_ = scores.tolist()
            self.best_validation_score_ = float(np.max(scores))
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = float(np.min(curve)) if curve is not None else None
        self.selected_epoch_ = model.selected_epoch

    # -- files and pickling ----------------------------------------------------------------------------------

    def save(self, path):
        """Writes an nn model file (atomically) that ``nn predict`` and ``load`` read."""
        check_is_fitted(self)
        self._model.save(str(path))

    def to_onnx(self, path):
        """Exports the model as ONNX (its input: raw features; a classifier's output: probabilities)."""
        check_is_fitted(self)
        return self._model.to_onnx(str(path))

    @classmethod
    def load(cls, path):
        """An estimator fitted from an nn model file (one that ``nn train`` or ``save`` wrote)."""
        model = _native.load(str(path))
        if model.is_regression != (cls is NNRegressor):
            kind = "a regression" if model.is_regression else "a classifier"
            raise ValueError(f"{path}: the model file holds {kind}; load it with the other estimator")
        est = cls()
        est._model = model
        est.n_features_in_ = model.n_features
        if not model.is_regression:
            est.classes_ = np.asarray(model.classes)
            est._order = np.arange(len(est.classes_))
        est._set_fitted()
        return est

    def __getstate__(self):
        state = self.__dict__.copy()
        if "_model" in state:
            state["_model"] = bytes(state["_model"].to_bytes())
        return state

    def __setstate__(self, state):
        if "_model" in state:
            state["_model"] = _native.from_bytes(state["_model"])
        self.__dict__.update(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags


class NNClassifier(ClassifierMixin, _NNBase):
    """A multi-layer perceptron classifier trained by nn.

    Parameters follow scikit-learn's ``MLPClassifier`` where the meaning is the same (``hidden_layer_sizes``,
    ``activation``, ``solver``, ``alpha``, ``batch_size``, ``learning_rate_init``, ``max_iter``,
    ``early_stopping``, ``validation_fraction``, ``n_iter_no_change``, ``tol``, ``random_state``, ``momentum``,
    ``nesterovs_momentum``, ``verbose``), with nn's own beside them:

    - ``activation``: scikit-learn's four (``"identity"``, ``"logistic"``, ``"tanh"``, ``"relu"``) and also
      ``"elu"``, ``"gelu"`` (its tanh form) and ``"leaky_relu"`` (slope 0.01);
    - ``solver``: also ``"adamw"`` (with ``weight_decay``);
    - ``dropout``: inverted dropout on the hidden layers while training, in [0, 1);
    - ``class_weight``: None, ``"balanced"`` (each sample's loss weighted by n/(k·n_c)) or a dict
      ``{class: weight}`` (1 for a class it leaves out);
    - ``shift`` and ``image_shape``: random shifts of image rows by up to ``shift`` pixels;
    - ``select``: which epoch's weights to keep (nn's rule names, e.g. ``"val-loss"``);
    - ``n_threads``: threads (None: all cores; the results are the same bits at any count);
    - ``simd``: the vector instructions, ``"auto"`` (the widest the CPU has), ``"avx512"``, ``"avx2"`` or
      ``"portable"``; every level gives the same bits, so it changes the speed only;
    - ``dtype``: ``"float64"`` or ``"float32"`` training;
    - ``logdir``: a folder to write TensorBoard event files into (``tensorboard --logdir`` shows the run live).

    The weights and biases start as scikit-learn's MLP draws them, from U(−r, r) with r = √(6 / (n_in + n_out))
    (from nn's own seeded ChaCha8 stream, so not the same numbers; for ``activation="logistic"`` scikit-learn
    narrows r to √(2 / (n_in + n_out)), and nn does not). Features are standardised with the training
    rows' statistics inside the model (``coefs_`` are given for raw features). Training releases the GIL;
    Ctrl-C stops it after the current epoch and keeps the model.
    """

    __init__ = _init_taking(_PARAMETERS | {"class_weight": None})

    def fit(self, X, y):
        """Trains on ``X`` (n_samples × n_features) and class labels ``y``; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        classes, labels = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"Classifier can't train when only one class is present: y holds only {classes[0]!r}."
            )
        names = [str(c) for c in classes]
        if len(set(names)) != len(names):
            raise ValueError("class labels must have distinct string forms")
        self.classes_ = classes
        self._fit_native(X, labels.astype(np.int64), names, self._class_weight(classes, names))
        # nn keeps the classes sorted by name; _order maps its class indices to positions in classes_.
        position = {name: i for i, name in enumerate(names)}
        self._order = np.array([position[name] for name in self._model.classes])
        self.out_activation_ = "logistic" if self.n_outputs_ == 1 else "softmax"
        return self

    def _class_weight(self, classes, names):
        """``class_weight`` as nn's setting: None, "balanced", or one weight per class in nn's class order
        (sorted by name)."""
        weight = self.class_weight
        if weight is None or weight == "balanced":
            return weight
        _check("class_weight", weight, isinstance(weight, dict), "None, 'balanced' or a dict {class: weight}")
        unknown = [c for c in weight if c not in set(classes.tolist())]
        if unknown:
            raise ValueError(f"class_weight names classes that are not in y: {unknown!r}")
        by_name = {str(c): float(weight.get(c, 1.0)) for c in classes}
        for c, w in by_name.items():
            _check(f"class_weight[{c}]", w, np.isfinite(w) and w >= 0, "a number >= 0")
        return ",".join(repr(by_name[name]) for name in sorted(names))

    def predict(self, X):
        """The most probable class of each row."""
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        return self.classes_[self._order[self._model.predict(X)]]

    def predict_proba(self, X):
        """Class probabilities (n_samples × n_classes, in the order of ``classes_``); rows sum to 1."""
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        p = self._model.predict_proba(X)
        out = np.empty_like(p)
        out[:, self._order] = p
        return out

    def predict_log_proba(self, X):
        """The logarithm of ``predict_proba``."""
        return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


class NNRegressor(RegressorMixin, _NNBase):
    """A multi-layer perceptron regressor trained by nn (one target; squared-error loss).

    Parameters as ``NNClassifier`` (without ``class_weight``) and scikit-learn's ``MLPRegressor``. The target is
    standardised inside the model; ``coefs_`` and ``intercepts_`` give values in the target's units.
    """

    def fit(self, X, y):
        """Trains on ``X`` (n_samples × n_features) and numeric targets ``y``; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C", y_numeric=True)
        if X.shape[0] < 2:
            raise ValueError(f"n_samples={X.shape[0]}: a regression needs at least 2 samples")
        self._fit_native(X, np.ascontiguousarray(y, dtype=np.float64), None)
        self.out_activation_ = "identity"
        return self

    def predict(self, X):
        """The predicted value of each row."""
        check_is_fitted(self)
        X = self._validated(X, reset=False)
        return self._model.predict(X)
