"""Times `fit` of nnlearn's NNClassifier against scikit-learn's MLPClassifier, in the same run, interleaved.

Both get the same architecture, solver, batch size and epochs, with early stopping off (the loss-based stop
too: n_iter_no_change = max_iter), on standardised features:

- digits: the report's 5000 handwritten 20×20 digits (data/classification3.mat, or ../shared/data), 100 ReLU
  units, Adam, batch 200, 200 epochs;
- tabular: 100,000 synthetic rows (scikit-learn's make_classification, 20 features, 3 classes), the same
  network and solver.

Each round fits both, alternating which goes first; the script prints every round's seconds, the median
ratio (scikit-learn ÷ nn) and the test accuracy of each. Threads: one each by default (nn's n_threads and the
BLAS under numpy through threadpoolctl), or --threads N.

    pip install ./python scipy        # scipy comes with scikit-learn
    python bench/sklearn_compare.py [--rounds 3] [--epochs 200] [--threads 1] [--case digits|tabular|all]
"""

import argparse
import statistics
import time
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from nnlearn import NNClassifier

import machine
from report_data import digits


def tabular():
    return make_classification(
        n_samples=100_000, n_features=20, n_informative=12, n_classes=3, random_state=0
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--case", choices=["digits", "tabular", "all"], default="all")
    args = ap.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"CPU: {machine.describe()}; threads {args.threads}; {args.rounds} rounds, {args.epochs} epochs")

    cases = {"digits": digits, "tabular": tabular}
    for name in cases if args.case == "all" else [args.case]:
        X, y = cases[name]()
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        common = dict(hidden_layer_sizes=(100,), activation="relu", solver="adam", batch_size=200,
                      learning_rate_init=0.001, alpha=1e-4, max_iter=args.epochs, n_iter_no_change=args.epochs,
                      random_state=0)
        makers = {
            "nn": lambda: NNClassifier(**common, n_threads=args.threads),
            "sklearn": lambda: MLPClassifier(**common),
        }
        print(f"\n{name}: {X_train.shape[0]} training rows × {X.shape[1]} features, {len(np.unique(y))} classes")
        seconds = {k: [] for k in makers}
        accuracy = {}
        for r in range(args.rounds):
            order = list(makers) if r % 2 == 0 else list(reversed(makers))
            line = []
            for k in order:
                model = makers[k]()
                with threadpool_limits(args.threads):
                    start = time.perf_counter()
                    model.fit(X_train, y_train)
                    seconds[k].append(time.perf_counter() - start)
                accuracy[k] = model.score(X_test, y_test)
                line.append(f"{k} {seconds[k][-1]:.2f} s")
            print(f"  round {r + 1}: " + ", ".join(line))
        ratio = statistics.median(s / n for s, n in zip(seconds["sklearn"], seconds["nn"]))
        print(f"  median ratio sklearn ÷ nn: {ratio:.1f}×")
        print(f"  test accuracy: nn {accuracy['nn']:.4f}, sklearn {accuracy['sklearn']:.4f}")


if __name__ == "__main__":
    main()
