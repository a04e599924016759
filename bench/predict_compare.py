"""Times `nn predict` on a large CSV against pandas + onnxruntime in one Python process, interleaved.

The whole job of prediction from a file: read a CSV of 100,000 rows of digits, run a 400-64-10 softmax
network on every row, and write the predicted classes.

- The data: the report's 5,000 digits (data/classification3.mat, or ../shared/data), written as CSV with
  `%.6g` and a header x0..x399,y; the large file is those rows repeated --copies times (20: 100,000 rows,
  about 236 MB).
- The model: `nn train --data d5k.csv --target y --hidden 64 --epochs 30` on the 5,000 rows, exported with
  `nn export --format onnx --dtype f64 --fold-standardizer`, so that both sides take the raw features.
- nn's side: `nn predict --model M --data FILE > out`, a process of its own.
- Python's side, also a process of its own: `pd.read_csv`, `drop(columns=["y"]).to_numpy(float64)`, an
  onnxruntime session on the exported graph, the argmax mapped to the class labels the graph's metadata
  gives, and `np.savetxt` of the classes.

Each round runs both, alternating which goes first, and takes each process's wall time and peak resident
memory (from os.wait4). The script checks that the two sides predict the same class for every row, then
prints every round, the medians, and the median of the rounds' ratios (Python's time ÷ nn's time).
Files go to target/bench-predict (--work changes it) and are reused by later runs.

    pip install pandas onnxruntime scipy
    python bench/predict_compare.py [--rounds 9] [--copies 20] [--nn target/release/nn]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import machine
from report_data import digits

ROOT = Path(__file__).resolve().parents[1]

PYTHON_SIDE = r"""
import json, sys
import numpy as np, onnxruntime, pandas as pd
data, graph, out = sys.argv[1:4]
x = pd.read_csv(data).drop(columns=["y"]).to_numpy(np.float64)
session = onnxruntime.InferenceSession(graph, providers=["CPUExecutionProvider"])
labels = np.array(json.loads(session.get_modelmeta().custom_metadata_map["class_labels"]))
(proba,) = session.run(["probabilities"], {"features": x})
np.savetxt(out, labels[np.argmax(proba, axis=1)], fmt="%d")
"""


def write_csv(path, rows, copies):
    """Writes `rows` `copies` times under one header, through a temporary name (never a half-written file)."""
    header = ",".join([f"x{i}" for i in range(rows.shape[1] - 1)] + ["y"]) + "\n"
    part = path.with_suffix(".part")
    with open(part, "w") as f:
        f.write(header)
        for _ in range(copies):
            np.savetxt(f, rows, fmt="%.6g", delimiter=",")
    part.replace(path)


def run(cmd, stdout_path):
    """Runs one process; returns its wall seconds and peak resident memory in MB."""
    with open(stdout_path, "w") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            cause = err.read().decode(errors="replace").strip().splitlines()[-1:]
            sys.exit(f"{' '.join(map(str, cmd[:2]))} failed (exit {proc.returncode}): {' '.join(cause)}")
    return seconds, usage.ru_maxrss / 1024


def nn_classes(path):
    with open(path) as f:
        next(f)
        return [line.rstrip("\n").split(",")[1] for line in f]


def python_classes(path):
    with open(path) as f:
        return [line.strip() for line in f]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--nn", default=str(ROOT / "target" / "release" / "nn"))
    ap.add_argument("--work", default=str(ROOT / "target" / "bench-predict"))
    args = ap.parse_args()
    if not Path(args.nn).exists():
        sys.exit(f"{args.nn} not found: cargo build --release -p nn-cli, or --nn PATH")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    X, y = digits()
    rows = np.column_stack([X, y])
    small, large = work / "d5k.csv", work / f"d{len(rows) * args.copies // 1000}k.csv"
    for path, copies in ((small, 1), (large, args.copies)):
        if not path.exists():
            write_csv(path, rows, copies)
    model, graph = work / "digits.nnm", work / "digits.onnx"
    if not graph.exists():
        run([args.nn, "train", "--data", small, "--target", "y", "--hidden", "64", "--epochs", "30",
             "--out", model], os.devnull)
        run([args.nn, "export", "--model", model, "--format", "onnx", "--dtype", "f64", "--fold-standardizer",
             "--out", graph], os.devnull)

    import onnxruntime
    import pandas

    mb = large.stat().st_size / 1e6
    print(f"CPU: {machine.describe()}")
    print(f"{large.name}: {len(rows) * args.copies} rows × {X.shape[1]} features, {mb:.0f} MB; "
          f"pandas {pandas.__version__}, onnxruntime {onnxruntime.__version__}; {args.rounds} rounds, interleaved")
    sides = {
        "nn": [args.nn, "predict", "--model", model, "--data", large],
        "python": [sys.executable, "-c", PYTHON_SIDE, large, graph, work / "python-out.txt"],
    }
    outputs = {"nn": work / "nn-out.csv", "python": work / "python-stdout.txt"}
    seconds = {k: [] for k in sides}
    peaks = {k: [] for k in sides}
    for r in range(args.rounds):
        order = list(sides) if r % 2 == 0 else list(reversed(sides))
        for side in order:
            s, peak = run(sides[side], outputs[side])
            seconds[side].append(s)
            peaks[side].append(peak)
        print(f"round {r + 1}: nn {seconds['nn'][-1]:.2f} s (peak {peaks['nn'][-1]:.0f} MB)   "
              f"python {seconds['python'][-1]:.2f} s (peak {peaks['python'][-1]:.0f} MB)   "
              f"python/nn {seconds['python'][-1] / seconds['nn'][-1]:.2f}")

    ours, theirs = nn_classes(outputs["nn"]), python_classes(work / "python-out.txt")
    same = sum(a == b for a, b in zip(ours, theirs))
    print(f"classes: {same}/{len(theirs)} rows identical" + ("" if len(ours) == len(theirs) else
          f" (nn wrote {len(ours)} rows, python {len(theirs)})"))
    ratios = [p / n for p, n in zip(seconds["python"], seconds["nn"])]
    summary = {
        side: {"median_s": statistics.median(seconds[side]), "min_s": min(seconds[side]),
               "max_s": max(seconds[side]), "peak_mb": max(peaks[side])}
        for side in sides
    }
    summary["python_over_nn"] = {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
    for side in sides:
        s = summary[side]
        print(f"{side:7} median {s['median_s']:.2f} s ({s['min_s']:.2f}–{s['max_s']:.2f}), peak {s['peak_mb']:.0f} MB")
    q = summary["python_over_nn"]
    print(f"python/nn per round: median {q['median']:.2f}× ({q['min']:.2f}–{q['max']:.2f}×)")
    print(json.dumps(summary))
    if same != len(ours) or len(ours) != len(theirs):
        sys.exit("the two sides predicted different classes")


if __name__ == "__main__":
    main()
