"""`nn cv` at nn's defaults against scikit-learn's MLP at its defaults, 5-fold cross-validation, same run.

For each set bundled with scikit-learn (iris, wine, breast cancer, the 8×8 digits; diabetes for R²), and the
report's binary set (`data/classification2.txt`, 118 rows: the smallest, and the one that early stopping on a
noisy validation part hurts most), the rows are written to a CSV with the target last, and:

- nn: `nn cv --data F --target y --folds 5 --json` with no other flag (classifiers add `--stratify`, the
  regression `--task regression`, since its target holds whole numbers): nn's default network and training,
  with nn's own standardisation fitted on each fold's training rows;
- scikit-learn: `make_pipeline(StandardScaler(), MLPClassifier(max_iter=1000))` (or `MLPRegressor`) with
  `cross_val_score` over `StratifiedKFold(5, shuffle=True)` (`KFold` for the regression).

The two sides draw their folds each with its own generator, so the table compares the mean and spread over
folds, not fold by fold. Each side runs with `--seeds N` seeds (nn's `--seed`, scikit-learn's `random_state`
for the folds and the network), and the table gives the mean over seeds of the 5-fold mean, with the
standard deviation over seeds, and the wall time of one 5-fold run.

    cargo build --release -p nn-cli
    python bench/defaults_compare.py [--nn target/release/nn] [--seeds 3]

`--paired` compares the engines rather than the defaults, fold for fold: nn's side is then nnlearn's
`NNClassifier(max_iter=1000)` (or `NNRegressor`), which takes scikit-learn's defaults, in the same pipeline and
on exactly scikit-learn's folds. The table adds the mean over seeds of the per-seed difference (nn − scikit-learn)
with its standard error. It needs nnlearn installed (`pip install ./python`).

    python bench/defaults_compare.py --paired --seeds 20

`--paired-defaults` measures nn's own defaults fold for fold: nn's side is the library's default run
specification (what `nn cv --stratify` runs with no other flag: `epochs` 1000 as scikit-learn's `max_iter`,
the seed; a classification on every row of the fold, stopped by scikit-learn's rule; a regression with 10% of
the fold's training rows kept for validation), trained through nnlearn's compiled module on exactly
scikit-learn's folds, in the same pipeline. `--spec JSON` adds settings (the names of `nn train --help`, as in
a sweep file) to try others.

    python bench/defaults_compare.py --paired-defaults --seeds 20 [--spec '{"lambda": 0.1}']

`--members K` (with `--paired-defaults`) makes nn's side an ensemble: K networks at those settings, member k
trained with the seed `seed + 10000·k` (member 0 with the seed itself, so `--members 1` is the plain run), on
the same rows of the fold (the split and its standardisation do not depend on the member). A classifier
predicts the class with the largest mean log-probability over the members, which is the class of the largest
mean logit, since a member's log-probabilities are its logits less one number per row (for one sigmoid
unit, log p − log(1 − p) is its logit); a regressor predicts the members' mean. So it scores what one
network averaging its members' outputs would predict: the members' hidden layers side by side, their output
weights divided by K.

    python bench/defaults_compare.py --paired-defaults --members 5 --seeds 20
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import machine

ROOT = Path(__file__).resolve().parents[1]
def load_chips(return_X_y=True):
    """The report's binary set: two features and a 0/1 label per line."""
    rows = np.loadtxt(ROOT / "data" / "classification2.txt", delimiter=",")
    return rows[:, :2], rows[:, 2].astype(int)


SETS = [
    ("iris", load_iris, False),
    ("wine", load_wine, False),
    ("breast cancer", load_breast_cancer, False),
    ("digits 8×8", load_digits, False),
    ("diabetes (R²)", load_diabetes, True),
    ("report's binary set", load_chips, False),
]


def nn_cv(nn, csv, regression, seed, extra):
    args = [nn, "cv", "--data", str(csv), "--target", "y", "--folds", "5", "--seed", str(seed), "--json", *extra]
    args += ["--task", "regression"] if regression else ["--stratify"]
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"nn cv failed: {out.stderr.strip()}")
    result = json.loads(out.stdout)
    key = "r2" if regression else "accuracy"
    return result["mean"][key], elapsed


def pipeline_cv(classifier, regressor, X, y, regression, seed):
    """5-fold cross-validation of `StandardScaler` then the model (built with `max_iter=1000` and the seed),
    on folds drawn from the seed: the same folds for any model given the same seed."""
    if regression:
        model, folds = regressor(max_iter=1000, random_state=seed), KFold(5, shuffle=True, random_state=seed)
        scoring = "r2"
    else:
        model = classifier(max_iter=1000, random_state=seed)
        folds, scoring = StratifiedKFold(5, shuffle=True, random_state=seed), "accuracy"
    start = time.perf_counter()
    scores = cross_val_score(make_pipeline(StandardScaler(), model), X, y, cv=folds, scoring=scoring)
    return scores.mean(), time.perf_counter() - start


def at_nn_defaults(classifier, regressor, extra):
    """nnlearn's two estimators, made to train with nn's own default run specification (plus `extra`)
    instead of the translation of scikit-learn's parameters: only `max_iter` (as `epochs`) and `random_state`
    (as `seed`) are taken from them."""

    def spec(self, n_samples, is_classifier):
        settings = {"epochs": int(self.max_iter), "seed": int(self.random_state), "stratify": bool(is_classifier)}
        # Within a fold `nn cv` trains on all of its training rows but the validation part, keeping no test
        # part. Here the split is given, so nn's defaults that follow from leaving it out are given as they
        # resolve (`nn train --help`, --split and --select): a classification by scikit-learn's rule on every
        # row; a regression with 10% for validation and early stopping on its loss.
        if is_classifier:
            settings.update({"split": {"train": 1.0, "validation": 0.0}, "select": "train-loss", "patience": 11,
                             "min-delta": 1e-4})
        else:
            settings["split"] = {"train": 0.9, "validation": 0.1}
        settings.update(extra)
        return settings

    return (
        type("NNClassifierAtNNDefaults", (classifier,), {"_spec": spec}),
        type("NNRegressorAtNNDefaults", (regressor,), {"_spec": spec}),
    )


def ensembles(classifier, regressor, members):
    """A classifier and a regressor that train `members` copies of `classifier`/`regressor` (member k with the
    seed `random_state + 10000·k`) and average them as the module's doc says."""
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

    class Members(BaseEstimator):
        def __init__(self, max_iter=1000, random_state=0):
            self.max_iter, self.random_state = max_iter, random_state

        def fit(self, X, y):
            make = classifier if isinstance(self, ClassifierMixin) else regressor
            seeds = [self.random_state + 10000 * k for k in range(members)]
            self.members_ = [make(max_iter=self.max_iter, random_state=s).fit(X, y) for s in seeds]
            return self

    class Classifier(ClassifierMixin, Members):
        def fit(self, X, y):
            super().fit(X, y)
            self.classes_ = self.members_[0].classes_
            return self

        def predict(self, X):
            # A probability that underflowed to 0 gives −inf, which only rules its class out.
            with np.errstate(divide="ignore"):
                mean = np.mean([m.predict_log_proba(X) for m in self.members_], axis=0)
            return self.classes_[mean.argmax(axis=1)]

    class Regressor(RegressorMixin, Members):
        def predict(self, X):
            return np.mean([m.predict(X) for m in self.members_], axis=0)

    return Classifier, Regressor


def sklearn_cv(X, y, regression, seed):
    return pipeline_cv(MLPClassifier, MLPRegressor, X, y, regression, seed)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nn", default=str(ROOT / "target" / "release" / "nn"))
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--nn-args", default="", help="extra nn cv flags, to try other settings than the defaults")
    ap.add_argument("--only", default="", help="comma-separated set names to run (default: all)")
    ap.add_argument(
        "--cache",
        default="",
        help="a JSON file of scikit-learn's scores by set and seed: read if there, written with any it lacked "
        "(to compare several nn settings against the same scikit-learn runs; its times are then not re-measured)",
    )
    ap.add_argument(
        "--paired",
        action="store_true",
        help="nn's side is nnlearn at scikit-learn's settings on scikit-learn's own folds (see above)",
    )
    ap.add_argument(
        "--paired-defaults",
        action="store_true",
        help="nn's side is nn's own default settings, trained through nnlearn on scikit-learn's own folds",
    )
    ap.add_argument("--spec", default="{}", help="with --paired-defaults: settings added to nn's defaults (JSON)")
    ap.add_argument("--members", type=int, default=1, help="with --paired-defaults: average K networks (see above)")
    args = ap.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    args.paired = args.paired or args.paired_defaults
    if args.members < 1 or (args.members > 1 and not args.paired_defaults):
        ap.error("--members K: K ≥ 1, and more than 1 only with --paired-defaults")
    if args.paired:
        from nnlearn import NNClassifier, NNRegressor

        if args.paired_defaults:
            NNClassifier, NNRegressor = at_nn_defaults(NNClassifier, NNRegressor, json.loads(args.spec))
            side = f"nn's default settings {args.spec}"
            if args.members > 1:
                NNClassifier, NNRegressor = ensembles(NNClassifier, NNRegressor, args.members)
                side += f", {args.members} members averaged"
        else:
            side = "nnlearn at scikit-learn's settings"

        def ours_cv(csv, X, y, regression, seed):
            return pipeline_cv(NNClassifier, NNRegressor, X, y, regression, seed)

        print(f"CPU: {machine.describe()}; {args.seeds} seeds; {side}, on scikit-learn's folds, paired\n")
        print("| set | rows × features | nnlearn | scikit-learn | nn − scikit-learn | nn s | sklearn s |")
        print("|---|---|---|---|---|---|---|")
    else:

        def ours_cv(csv, X, y, regression, seed):
            return nn_cv(args.nn, csv, regression, seed, args.nn_args.split())

        print(f"CPU: {machine.describe()}; {args.seeds} seeds; nn: {args.nn} {args.nn_args}\n")
        print("| set | rows × features | nn at its defaults | scikit-learn at its defaults | nn s | sklearn s |")
        print("|---|---|---|---|---|---|")
    cache_path = Path(args.cache) if args.cache else None
    cache = json.loads(cache_path.read_text()) if cache_path and cache_path.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, load, regression in SETS:
            if args.only and not any(o in name for o in args.only.split(",")):
                continue
            X, y = load(return_X_y=True)
            csv = Path(tmp) / "set.csv"
            header = ",".join(f"x{j}" for j in range(X.shape[1])) + ",y"
            np.savetxt(csv, np.column_stack([X, y]), delimiter=",", header=header, comments="", fmt="%.17g")
            ours, theirs, t_ours, t_theirs = [], [], [], []
            # Interleaved: each seed runs both sides before the next.
            for seed in range(args.seeds):
                s, t = ours_cv(csv, X, y, regression, seed)
                ours.append(s)
                t_ours.append(t)
                key = f"{name}/{seed}"
                if key not in cache:
                    cache[key] = sklearn_cv(X, y, regression, seed)
                s, t = cache[key]
                theirs.append(s)
                t_theirs.append(t)

            def show(v):
                spread = statistics.stdev(v) if len(v) > 1 else 0.0
                return f"{statistics.mean(v):.4f} ± {spread:.4f}"

            paired = ""
            if args.paired:
                # The same folds on both sides: the difference seed by seed, and its standard error.
                diff = [a - b for a, b in zip(ours, theirs)]
                error = statistics.stdev(diff) / len(diff) ** 0.5 if len(diff) > 1 else 0.0
                paired = f"{statistics.mean(diff):+.4f} ± {error:.4f} | "
            print(
                f"| {name} | {X.shape[0]} × {X.shape[1]} | {show(ours)} | {show(theirs)} | {paired}"
                f"{statistics.median(t_ours):.2f} | {statistics.median(t_theirs):.2f} |",
                flush=True,
            )
            if cache_path:
                cache_path.write_text(json.dumps(cache, indent=1))


if __name__ == "__main__":
    main()
