"""nnlearn's estimators beyond scikit-learn's own checks: the fitted attributes, the ecosystem (Pipeline,
GridSearchCV, cross_val_score, pickle), model files shared with the `nn` command, the GIL, Ctrl-C, progress,
array layouts and bad input."""

import os
import pickle
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from nnlearn import NNClassifier, NNRegressor, _native

ROOT = Path(__file__).resolve().parents[2]


def relu_forward(coefs, intercepts, x):
    a = x
    for i, (w, b) in enumerate(zip(coefs, intercepts)):
        a = a @ w + b
        if i < len(coefs) - 1:
            a = np.maximum(a, 0)
    return a


def test_classifier_fitted_attributes_follow_scikit_learn():
    X, y = load_iris(return_X_y=True)
    clf = NNClassifier(hidden_layer_sizes=(16, 8), max_iter=600, random_state=0).fit(X, y)
    assert list(clf.classes_) == [0, 1, 2]
    assert clf.n_features_in_ == 4
    assert clf.n_iter_ == len(clf.loss_curve_) <= 600
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.best_loss_ == min(clf.loss_curve_)
    assert clf.validation_scores_ is None and clf.best_validation_score_ is None
    assert [w.shape for w in clf.coefs_] == [(4, 16), (16, 8), (8, 3)]
    assert [b.shape for b in clf.intercepts_] == [(16,), (8,), (3,)]
    # coefs_ act on raw features (the standardiser is folded in): a hand forward pass gives predict_proba.
    z = relu_forward(clf.coefs_, clf.intercepts_, X)
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(p, clf.predict_proba(X), atol=1e-12)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0, atol=1e-12)
    assert clf.score(X, y) > 0.9


def test_binary_string_classes_and_early_stopping():
    X, y01 = make_classification(n_samples=400, n_features=6, random_state=1)
    y = np.where(y01 == 1, "yes", "no")
    clf = NNClassifier(early_stopping=True, max_iter=300, random_state=0).fit(X, y)
    assert list(clf.classes_) == ["no", "yes"]
    assert clf.n_outputs_ == 1 and clf.out_activation_ == "logistic"
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    assert clf.best_loss_ is None
    # One sigmoid unit: P(yes) = σ(z); the columns follow classes_.
    z = relu_forward(clf.coefs_, clf.intercepts_, X)[:, 0]
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], 1 / (1 + np.exp(-z)), atol=1e-12)
    assert set(clf.predict(X)) <= {"yes", "no"}
    assert clf.score(X, y) > 0.85


def test_classes_whose_names_sort_differently_keep_their_columns():
    # nn orders classes by name ("10" < "2"); the estimator keeps scikit-learn's order (2 < 10).
    X, y = load_iris(return_X_y=True)
    y = np.array([2, 10, 7])[y]
    clf = NNClassifier(max_iter=300, random_state=0).fit(X, y)
    assert list(clf.classes_) == [2, 7, 10]
    p = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.classes_[p.argmax(axis=1)], clf.predict(X))
    assert clf.score(X, y) > 0.9


def test_regressor_coefs_give_values_in_the_target_units():
    X, y = load_diabetes(return_X_y=True)
    reg = NNRegressor(hidden_layer_sizes=(32,), max_iter=200, random_state=0).fit(X, y)
    assert reg.out_activation_ == "identity"
    np.testing.assert_allclose(relu_forward(reg.coefs_, reg.intercepts_, X)[:, 0], reg.predict(X), rtol=1e-10)
    assert reg.score(X, y) > 0.4


def test_pipeline_grid_search_and_cross_validation():
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), NNClassifier(max_iter=300, random_state=0))
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8
    grid = GridSearchCV(
        NNClassifier(max_iter=300, random_state=0),
        {"hidden_layer_sizes": [(8,), (32,)], "alpha": [1e-4, 1e-2]},
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert grid.best_score_ > 0.8
    assert grid.best_estimator_.coefs_[0].shape[1] in (8, 32)


def test_pickle_round_trip_predicts_identically():
    X, y = load_iris(return_X_y=True)
    clf = NNClassifier(max_iter=30, random_state=3).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert again.get_params() == clf.get_params()
    assert again.loss_curve_ == clf.loss_curve_


def nn_predict(nn, model, rows):
    """`nn predict`'s predicted column, as text."""
    out = subprocess.run(
        [nn, "predict", "--model", str(model), "--data", str(rows)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "row,predicted"
    return [line.split(",")[1] for line in out[1:]]


def test_save_is_read_by_nn_predict_and_load_reads_what_nn_train_wrote(tmp_path, nn_binary):
    nn = nn_binary
    X, y = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=0, random_state=2)
    clf = NNClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, y)
    model = tmp_path / "py.nnm"
    clf.save(model)
    features = tmp_path / "features.csv"
    np.savetxt(features, X, delimiter=",", fmt="%.17g")
    assert nn_predict(nn, model, features) == [str(c) for c in clf.predict(X)]

    labelled = tmp_path / "labelled.csv"
    np.savetxt(labelled, np.column_stack([X, y]), delimiter=",", header="x0,x1,x2,x3,y", comments="", fmt="%.17g")
    trained = tmp_path / "cli.nnm"
    subprocess.run(
        [nn, "train", "--data", str(labelled), "--target", "y", "--hidden", "6", "--optimizer", "adam",
         "--epochs", "20", "--quiet", "--out", str(trained)],
        capture_output=True, check=True,
    )
    loaded = NNClassifier.load(trained)
    assert loaded.n_features_in_ == 4 and loaded.n_iter_ == 20
    assert [str(c) for c in loaded.predict(X)] == nn_predict(nn, trained, labelled)
    with pytest.raises(ValueError, match="classifier"):
        NNRegressor.load(trained)


def test_to_onnx_writes_a_model(tmp_path):
    X, y = load_iris(return_X_y=True)
    clf = NNClassifier(max_iter=10, random_state=0).fit(X, y)
    path = tmp_path / "m.onnx"
    clf.to_onnx(path)
    data = path.read_bytes()
    assert len(data) > 4 * 100 * 4 and b"nn" in data


def test_not_a_model_file_is_a_one_line_value_error(tmp_path):
    bad = tmp_path / "bad.nnm"
    bad.write_text("hello, this is not a model\n")
    with pytest.raises(ValueError) as err:
        NNClassifier.load(bad)
    assert str(bad) in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ValueError):
        NNClassifier.load(tmp_path / "missing.nnm")


def test_training_releases_the_gil():
    X, y = make_classification(n_samples=20000, n_features=50, random_state=0)
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    start = time.perf_counter()
    NNClassifier(hidden_layer_sizes=(100,), max_iter=60, n_iter_no_change=60, random_state=0, n_threads=1).fit(X, y)
    elapsed = time.perf_counter() - start
    done.set()
    t.join()
    during = [s for s in ticks if start <= s <= start + elapsed]
    assert elapsed > 0.2, "the fit is too short to tell"
    # The counter thread runs all through the fit (it would get nothing if the GIL were held).
    assert len(during) >= 10, (len(during), elapsed)


def test_keyboard_interrupt_stops_between_epochs_and_keeps_the_model():
    X, y = make_classification(n_samples=3000, n_features=30, random_state=0)
    clf = NNClassifier(hidden_layer_sizes=(64,), max_iter=100000, n_iter_no_change=100000, random_state=0)
    clf.set_params(max_iter=1).fit(X, y)  # the parameters are good: the timer below interrupts training only
    clf.set_params(max_iter=100000)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.warns(UserWarning, match="interrupted"):
            clf.fit(X, y)
    finally:
        timer.cancel()
        timer.join()
    assert 0 < clf.n_iter_ < 100000
    assert clf.score(X, y) > 0.8


def test_verbose_prints_each_epoch_and_a_short_run_warns(capsys):
    X, y = load_iris(return_X_y=True)
    # Three epochs of Adam: the validation loss is still falling at the end, which nn says.
    with pytest.warns(ConvergenceWarning, match="still falling"):
        NNClassifier(max_iter=3, verbose=True, random_state=0, early_stopping=True).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("Iteration") == 3 and "loss = " in out and "Validation score" in out
    # Without early stopping the training loss decides, as in scikit-learn, which warns the same way.
    with pytest.warns(ConvergenceWarning, match="training loss was still falling"):
        NNClassifier(max_iter=3, random_state=0).fit(X, y)


def test_a_panic_becomes_an_exception():
    with pytest.raises(RuntimeError, match="internal error"):
        _native._panic_for_test()


def test_layouts_and_dtypes_give_the_same_model():
    X, y = load_iris(return_X_y=True)
    base = NNClassifier(max_iter=20, random_state=5).fit(X, y).predict_proba(X)
    # Fortran order, a strided view and a list are read as the same numbers; so is float32 as its float64 values.
    for variant in (np.asfortranarray(X), X[:, ::-1][:, ::-1], X.tolist()):
        p = NNClassifier(max_iter=20, random_state=5).fit(variant, y).predict_proba(X)
        np.testing.assert_array_equal(p, base)
    X32 = X.astype(np.float32)
    p32 = NNClassifier(max_iter=20, random_state=5).fit(X32, y).predict_proba(X32)
    p64 = NNClassifier(max_iter=20, random_state=5).fit(X32.astype(np.float64), y).predict_proba(X32.astype(np.float64))
    np.testing.assert_array_equal(p32, p64)
    f32 = NNClassifier(max_iter=500, random_state=5, dtype="float32").fit(X, y)
    assert f32.score(X, y) > 0.9


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = load_iris(return_X_y=True, as_frame=True)
    clf = NNClassifier(max_iter=20, random_state=0).fit(X, y)
    assert list(clf.feature_names_in_) == list(X.columns)
    with pytest.warns(UserWarning, match="feature names"):
        clf.predict(X.to_numpy())
    assert isinstance(pd.DataFrame, type)


def test_class_weight_balanced_and_dict_raise_the_rare_class_recall():
    X, y = make_classification(n_samples=3000, n_features=5, weights=[0.9], flip_y=0.05, class_sep=0.5,
                               random_state=4)
    recall = {}
    for weight in (None, "balanced", {0: 1.0, 1: 9.0}):
        clf = NNClassifier(hidden_layer_sizes=(16,), max_iter=60, class_weight=weight, random_state=0).fit(X, y)
        recall[str(weight)] = (clf.predict(X[y == 1]) == 1).mean()
    assert recall["balanced"] > recall["None"] + 0.1, recall
    assert recall[str({0: 1.0, 1: 9.0})] > recall["None"] + 0.1, recall
    with pytest.raises(ValueError, match="class_weight"):
        NNClassifier(class_weight={5: 2.0}).fit(X, y)


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (np.ones((5, 2)), np.ones(4), ValueError, "inconsistent numbers of samples"),
        (np.ones(5), np.arange(5) % 2, ValueError, "2D array"),
        (np.array([[1.0, np.nan]] * 4), [0, 1, 0, 1], ValueError, "NaN"),
        (np.array([[1.0, np.inf]] * 4), [0, 1, 0, 1], ValueError, "infinity"),
        (np.array([["a", "b"]] * 4), [0, 1, 0, 1], ValueError, "could not convert"),
        (np.ones((4, 2)), [1, 1, 1, 1], ValueError, "one class"),
        (np.ones((4, 2)), [0.5, 1.5, 2.5, 3.5], ValueError, "Unknown label type"),
    ],
)
def test_bad_input_raises_what_scikit_learn_expects(X, y, error, match):
    with pytest.raises(error, match=match):
        NNClassifier(max_iter=5).fit(X, y)


def test_every_simd_level_gives_the_same_model():
    X, y = load_iris(return_X_y=True)
    auto = NNClassifier(max_iter=20, random_state=5).fit(X, y)
    # The portable level runs on any CPU; the wider ones where this CPU has them (nn refuses them elsewhere).
    portable = NNClassifier(max_iter=20, random_state=5, simd="portable").fit(X, y)
    for a, b in zip(auto.coefs_ + auto.intercepts_, portable.coefs_ + portable.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_identity_hidden_layers_make_a_linear_model():
    X, y = load_iris(return_X_y=True)
    clf = NNClassifier(activation="identity", hidden_layer_sizes=(8, 5), max_iter=300, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9
    # The layers multiply out to one affine map, and the probabilities are its softmax.
    w, b = np.eye(X.shape[1]), np.zeros(X.shape[1])
    for coef, intercept in zip(clf.coefs_, clf.intercepts_):
        w, b = w @ coef, b @ coef + intercept
    z = X @ w + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(axis=1, keepdims=True), clf.predict_proba(X), atol=1e-9)
    # scikit-learn's four activations, as a grid search names them.
    grid = GridSearchCV(
        NNClassifier(max_iter=50, random_state=0),
        {"activation": ["identity", "logistic", "tanh", "relu"]},
        cv=2,
    ).fit(X, y)
    assert grid.best_params_["activation"] in {"identity", "logistic", "tanh", "relu"}


def test_bad_parameters_name_the_parameter():
    X, y = load_iris(return_X_y=True)
    for params, name in [
        ({"solver": "rmsprop"}, "solver"),
        ({"activation": "swish"}, "activation"),
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
        ({"batch_size": -1}, "batch_size"),
        ({"shuffle": "no"}, "shuffle"),
        ({"dropout": 1.5}, "dropout"),
        ({"simd": "sse"}, "simd"),
    ]:
        with pytest.raises(ValueError, match=name):
            NNClassifier(max_iter=2, **params).fit(X, y)



def test_logdir_writes_a_tensorboard_event_file(tmp_path):
    X, y = load_iris(return_X_y=True)
    NNClassifier(max_iter=5, random_state=0, logdir=tmp_path / "logs").fit(X, y)
    files = list((tmp_path / "logs").iterdir())
    assert len(files) == 1 and files[0].name.startswith("events.out.tfevents.")
    data = files[0].read_bytes()
    # TensorFlow records: the first is the 24-byte file-version event, framed by its masked CRCs.
    assert data[:12] == bytes.fromhex("1800000000000000a37f4b22")
    assert b"brain.Event:2" in data and b"train/loss" in data and b"lr" in data


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in readme.split("```python\n")[1:]]
    examples = [b for b in blocks if "nnlearn" in b]
    assert examples, "the README's From Python example"
    monkeypatch.chdir(tmp_path)
    for code in examples:
        exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "digits.nnm").is_file() and (tmp_path / "digits.onnx").is_file()


def test_shuffle_false_takes_the_mini_batches_in_order():
    X, y = make_classification(n_samples=600, n_features=8, random_state=0)
    fit = lambda shuffle: NNClassifier(max_iter=5, batch_size=50, shuffle=shuffle, random_state=0).fit(X, y)
    in_order, shuffled = fit(False), fit(True)
    assert not np.array_equal(in_order.predict_proba(X), shuffled.predict_proba(X))
    np.testing.assert_array_equal(in_order.predict_proba(X), fit(False).predict_proba(X))
