#!/usr/bin/env python3
"""Checks `nn export` with tools nn did not write: onnxruntime, safetensors + PyTorch, and scipy.io.loadmat.
Optional: neither CI nor the tests need it (`cargo test` does the same checks with tract and the safetensors
crate). Prints one line per check and exits non-zero if any fails.

    python3 -m venv /tmp/interop && /tmp/interop/bin/pip install -r bench/interop-requirements.txt
    cargo build --release -p nn-cli
    /tmp/interop/bin/python bench/interop.py            # --nn PATH, --data DIR to override

It trains small models on the report's two files with the `nn` binary, exports each one as ONNX (f32 and f64),
safetensors (f32 and f64) and course-format Θ (standardiser folded in), and compares what each tool computes
with `nn predict --proba --digits 17` on every row of the file.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime
import safetensors
import safetensors.torch
import scipy.io
import torch
from torch import nn as tnn

ROOT = Path(__file__).resolve().parent.parent

MODELS = [
    # name, data file, nn train flags
    ("binary-f64", "classification2.txt", ["--hidden", "4,4", "--epochs", "2000", "--lr", "1", "--select", "last"]),
    ("binary-f32-tanh", "classification2.txt",
     ["--hidden", "4,4", "--activation", "tanh", "--epochs", "300", "--precision", "f32"]),
    ("digits-softmax-f64", "classification3.mat",
     ["--labels", "digits10", "--hidden", "25", "--output", "softmax", "--epochs", "40"]),
    ("digits-leaky-f64", "classification3.mat",
     ["--labels", "digits10", "--hidden", "32,16", "--activation", "leaky-relu", "--leaky-slope", "0.05",
      "--output", "softmax", "--optimizer", "adam", "--batch-size", "64", "--epochs", "5"]),
    ("digits-elu-f32", "classification3.mat",
     ["--labels", "digits10", "--hidden", "32", "--activation", "elu", "--output", "softmax",
      "--precision", "f32", "--epochs", "40"]),
    ("digits-gelu-f64", "classification3.mat",
     ["--labels", "digits10", "--hidden", "32", "--activation", "gelu", "--output", "softmax",
      "--optimizer", "adamw", "--batch-size", "64", "--epochs", "5"]),
    ("binary-relu-f64", "classification2.txt",
     ["--hidden", "8,8", "--activation", "relu", "--epochs", "500", "--lr", "0.5", "--select", "last"]),
    ("digits-ova-f64", "classification3.mat",
     ["--labels", "digits10", "--hidden", "25", "--output", "sigmoid", "--epochs", "40"]),
]

failures = 0


def check(ok, line):
    global failures
    print(("PASS " if ok else "FAIL ") + line, flush=True)
    failures += 0 if ok else 1


def sh(*args):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def features(path):
    if path.suffix == ".mat":
        return np.asarray(scipy.io.loadmat(path)["X"], dtype=np.float64)
    return np.loadtxt(path, delimiter=",")[:, :-1]


def nn_predict(nn, model, data):
    """nn predict --proba: predicted class names and the probability rows."""
    rows = sh(nn, "predict", "--proba", "--digits", "17", "--model", model, "--data", data).splitlines()[1:]
    names = [r.split(",")[1] for r in rows]
    probs = np.array([[float(v) for v in r.split(",")[2:]] for r in rows])
    return names, probs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nn", default=None, help="the nn binary (default: target/release/nn, else target/debug/nn)")
    ap.add_argument("--data", default=os.environ.get("NN_DATA_DIR") or str(ROOT.parent / "shared" / "data"))
    a = ap.parse_args()
    nn = a.nn or next((p for p in [ROOT / "target/release/nn", ROOT / "target/debug/nn"] if p.exists()), None)
    if nn is None:
        sys.exit("no nn binary: cargo build --release -p nn-cli, or pass --nn")
    data_dir = Path(a.data)
    print(f"onnxruntime {onnxruntime.__version__}, torch {torch.__version__}, safetensors {safetensors.__version__}, "
          f"scipy {scipy.__version__}, numpy {np.__version__}; nn {sh(nn, '--version').strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, file, flags in MODELS:
            data = data_dir / file
            model = tmp / f"{name}.nnm"
            sh(nn, "train", "-q", "--seed", "3", "--data", data, "--out", model, *flags)
            names, expected = nn_predict(nn, model, data)
            classes = json.loads(sh(nn, "inspect", "--json", model))["classes"]["names"]
            x = features(data)
            f32_model = "f32" in flags
            onnx_checks(nn, tmp, name, model, x, names, expected, classes, f32_model)
            torch_checks(nn, tmp, name, model, x, names, expected, f32_model)
            if "--activation" not in flags:  # the course's format holds sigmoid units only
                theta_checks(nn, tmp, name, model, x, names, classes, file)
    print(f"{failures} failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


def onnx_checks(nn, tmp, name, model, x, names, expected, classes, f32_model):
    for dtype, np_type in [("f32", np.float32), ("f64", np.float64)]:
        out = tmp / f"{name}-{dtype}.onnx"
        sh(nn, "export", "--model", model, "--format", "onnx", "--dtype", dtype, "--out", out)
        session = onnxruntime.InferenceSession(str(out), providers=["CPUExecutionProvider"])
        p, label = session.run(["probabilities", "label"], {"features": x.astype(np_type)})
        diff = float(np.max(np.abs(p.astype(np.float64) - expected)))
        same = sum(classes[c] == n for c, n in zip(label, names))
        tol = 1e-12 if dtype == "f64" and not f32_model else 1e-5
        check(diff <= tol and same == len(names),
              f"onnxruntime  {name:19} {dtype} graph: max |Δp| {diff:.1e} (≤ {tol:g}), labels {same}/{len(names)} identical")


def torch_checks(nn, tmp, name, model, x, names, expected, f32_model):
    for dtype, t_type in [("f32", torch.float32), ("f64", torch.float64)]:
        out = tmp / f"{name}-{dtype}.safetensors"
        sh(nn, "export", "--model", model, "--format", "safetensors", "--dtype", dtype, "--out", out)
        with safetensors.safe_open(str(out), framework="pt") as f:
            meta = f.metadata()
        module = eval(meta["torch_module"], {"nn": tnn}).to(t_type)  # e.g. nn.Sequential(nn.Linear(2, 4), ...)
        module.load_state_dict(safetensors.torch.load_file(str(out)))
        xs = x
        if "standardizer_mean" in meta:
            xs = (x - np.array(json.loads(meta["standardizer_mean"]))) / np.array(json.loads(meta["standardizer_std"]))
        with torch.no_grad():
            z = module(torch.from_numpy(xs).to(t_type))
            if meta["output"] == "softmax":
                p = torch.softmax(z, dim=1)
            else:
                p = torch.sigmoid(z)
                if p.shape[1] == 1:
                    p = torch.cat([1 - p, p], dim=1)
        p = p.double().numpy()
        diff = float(np.max(np.abs(p - expected)))
        tol = 1e-12 if dtype == "f64" and not f32_model else 1e-5
        check(diff <= tol, f"torch        {name:19} {dtype} load_state_dict: max |Δp| {diff:.1e} (≤ {tol:g})")


def theta_checks(nn, tmp, name, model, x, names, classes, file):
    out = tmp / f"{name}-theta.mat"
    sh(nn, "export", "--model", model, "--format", "theta", "--fold-standardizer", "--out", out)
    mat = scipy.io.loadmat(out)
    thetas = [mat[k] for k in sorted((k for k in mat if k.startswith("Theta")), key=lambda k: int(k[5:]))]
    a = x
    for t in thetas:  # the course's forward pass: sigmoid units, bias in column 0, raw features
        a = 1.0 / (1.0 + np.exp(-(np.hstack([np.ones((a.shape[0], 1)), a]) @ t.T)))
    if a.shape[1] == 1:
        predicted = [classes[int(v > 0.5)] for v in a[:, 0]]
    else:
        # Course convention: unit k-1 is label k; with the digits, label 10 is digit 0.
        units = a.argmax(axis=1)
        predicted = [str((u + 1) % 10) if len(classes) == 10 else classes[u] for u in units]
    same = sum(p == n for p, n in zip(predicted, names))
    check(same == len(names), f"scipy.io     {name:19} Θ ({', '.join(f'{t.shape[0]}x{t.shape[1]}' for t in thetas)}) "
          f"course forward pass: classes {same}/{len(names)} identical")
    if shutil.which("octave-cli"):
        octave_check(tmp, name, out, x, names, classes, len(thetas), thetas[-1].shape[0] == 1)


def octave_check(tmp, name, theta_file, x, names, classes, layers, single_unit):
    """Octave's own `load` of the Θ file and the course's forward pass, written in Octave."""
    np.savetxt(tmp / "x.txt", x, delimiter=",", fmt="%.17g")
    forward = "".join(f"a = 1 ./ (1 + exp(-([ones(rows(a), 1) a] * Theta{i}')));\n" for i in range(1, layers + 1))
    script = (f"load('{theta_file}'); a = dlmread('{tmp / 'x.txt'}', ',');\n{forward}"
              "if columns(a) == 1, u = a > 0.5; else, [~, u] = max(a, [], 2); u = u - 1; end\n"
              f"dlmwrite('{tmp / 'units.txt'}', u);\n")
    (tmp / "forward.m").write_text(script)
    subprocess.run(["octave-cli", "--no-gui", "-q", str(tmp / "forward.m")], capture_output=True)
    units = np.loadtxt(tmp / "units.txt", dtype=int).reshape(-1)
    if single_unit:
        predicted = [classes[u] for u in units]
    else:  # unit k-1 is label k; with the digits, label 10 is digit 0
        predicted = [str((u + 1) % 10) if len(classes) == 10 else classes[u] for u in units]
    same = sum(p == n for p, n in zip(predicted, names))
    check(same == len(names), f"octave       {name:19} Θ load + course forward pass: classes {same}/{len(names)} identical")


if __name__ == "__main__":
    main()
