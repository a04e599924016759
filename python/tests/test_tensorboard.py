"""`nn train --logdir`, read back by TensorBoard's own reader (the `tensorboard` package): a run killed with
SIGKILL and then resumed shows every epoch exactly once, with the values of the run's metrics CSV."""

import csv
import os
import signal
import subprocess
import time

import numpy as np
import pytest
from sklearn.datasets import make_blobs


# CI installs tensorboard, and there a missing package is a failure; elsewhere the test is skipped without it.
if os.environ.get("CI"):
    import tensorboard  # noqa: F401
else:
    pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader  # noqa: E402

# TensorBoard's scalar tags and the metrics CSV's columns for the same values. (TensorBoard also has each held-out
# part's cost; the CSV has the training cost only.)
COLUMNS = {"lr": "lr"}
for part, prefix in [("train", "train"), ("validation", "val"), ("test", "test")]:
    for metric in ["loss", "accuracy", "f1"]:
        COLUMNS[f"{part}/{metric}"] = f"{prefix}_{metric}"
COLUMNS["train/cost"] = "train_cost"
PREFIXES = {"train": "train", "validation": "val", "test": "test"}


def csv_column(tag):
    """The metrics CSV's column of a TensorBoard tag, if it has one: the columns above, each part's weighted F1,
    and every class's precision, recall and F1 (`validation_by_class/f1/<class>` is `val_f1_<class>`, the class
    name with every character but letters, digits and '-' made '_')."""
    if tag in COLUMNS:
        return COLUMNS[tag]
    part, _, rest = tag.partition("/")
    if rest == "weighted_f1" and part in PREFIXES:
        return f"{PREFIXES[part]}_weighted_f1"
    if part.endswith("_by_class") and part[: -len("_by_class")] in PREFIXES:
        score, _, name = rest.partition("/")
        safe = "".join(c if c.isalnum() or c == "-" else "_" for c in name)
        return f"{PREFIXES[part[: -len('_by_class')]]}_{score}_{safe}"
    return None


def wait_for(condition, what, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def file_events(path):
    """Every event of one file, as TensorBoard's loader reads it (it stops at a truncated last record)."""
    return list(EventFileLoader(str(path)).Load())


def test_a_killed_and_resumed_run_shows_every_epoch_once_with_the_csv_values(tmp_path, nn_binary):
    X, y = make_blobs(n_samples=2000, centers=3, n_features=6, cluster_std=4.0, random_state=0)
    data = tmp_path / "blobs.csv"
    np.savetxt(data, np.column_stack([X, y]), delimiter=",", header="a,b,c,d,e,f,y", comments="", fmt="%.6f")
    model, logs, metrics = tmp_path / "m.nnm", tmp_path / "logs", tmp_path / "metrics.csv"
    common = ["train", "--data", str(data), "--target", "y", "--out", str(model), "--logdir", str(logs), "-q"]

    # A long run that rewrites its model file every second. It is killed soon after its second write, once it
    # has logged more epochs, so its event file holds epochs past the state it can resume from: the resumed
    # run repeats them, and TensorBoard must drop the first run's copies.
    first = subprocess.Popen(
        [nn_binary, *common, "--hidden", "32", "--lambda", "0.01", "--epochs", "200000", "--patience", "0",
         "--split", "0.7,0.1", "--save-every", "1", "--seed", "5"]
    )
    try:
        wait_for(model.exists, "the first write of the model file")
        written = model.stat().st_mtime_ns
        wait_for(lambda: model.stat().st_mtime_ns != written, "the second write of the model file")
        # Epochs logged after that write (a few hundred bytes each), and the next write is a second away.
        (events,) = logs.iterdir()
        logged = events.stat().st_size
        wait_for(lambda: events.stat().st_size > logged + 4096, "epochs after the second write")
        assert first.poll() is None, "the run ended before it could be killed"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed = events
    killed_steps = [e.step for e in file_events(killed) if e.summary.value]
    assert killed_steps == list(range(1, len(killed_steps) + 1))

    epochs = killed_steps[-1] + 25
    resumed = subprocess.run(
        [nn_binary, *common, "--resume", str(model), "--epochs", str(epochs), "--metrics", str(metrics)],
        capture_output=True, text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    (second,) = [f for f in logs.iterdir() if f != killed]
    start = [e.step for e in file_events(second) if e.HasField("session_log")]
    assert start[0] <= killed_steps[-1], "the resumed run repeats no epoch, so nothing is tested"

    reader = EventAccumulator(str(logs), size_guidance={"scalars": 0})
    reader.Reload()
    tags = reader.Tags()["scalars"]
    assert set(COLUMNS) <= set(tags), tags
    with open(metrics, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == list(range(1, epochs + 1))
    # Every per-class column of the CSV (those after the 12 of every run) has its tag: 3 parts × (weighted F1
    # + 3 classes × 3 scores).
    per_class = list(rows[0])[12:]
    assert len(per_class) == 3 * (1 + 3 * 3), per_class
    assert set(per_class) <= {csv_column(t) for t in tags}, sorted(tags)
    for tag in tags:
        points = reader.Scalars(tag)
        assert [p.step for p in points] == list(range(1, epochs + 1)), tag
        column = csv_column(tag)
        if column is None:
            continue
        assert column in rows[0], (tag, column)
        # TensorBoard keeps a scalar as f32; the CSV has the f64 value. The CSV's per-class columns are empty
        # for the epochs before the resume (the killed run's counts were not kept), so those are compared
        # where the CSV has them: the resumed run's epochs.
        logged = [(p.value, r[column]) for p, r in zip(points, rows) if r[column] != ""]
        assert len(logged) >= 25, (tag, len(logged))
        got = np.array([v for v, _ in logged], dtype=np.float32)
        expected = np.array([float(c) for _, c in logged], dtype=np.float32)
        np.testing.assert_array_equal(got, expected, tag)
