#!/usr/bin/env python3
"""Times one full-batch training epoch (forward, backward, update) of the same networks as `cargo xtask bench`,
in numpy, for a side-by-side on one machine. Optional: neither CI nor the tests need it.

    pip install numpy threadpoolctl
    python3 bench/numpy_epoch.py            # medians of 5 runs, at 1 BLAS thread and at all threads
    python3 bench/numpy_epoch.py --serve    # for `cargo xtask bench --compare`: reads "CASE THREADS" lines,
                                            # answers each with the median epoch time in seconds

The epoch is written the way a careful numpy user would: matrix products through BLAS, the loss from logits,
softmax with the row maximum subtracted, sigmoid hidden layers, the gradient as the report computes it.
"""
import sys
import numpy as np

from epoch_timing import fmt, median_time, serve

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # still runs, at the BLAS default thread count only
    threadpool_limits = None

CASES = [
    ("digits-f64", 4000, [400, 64, 10], np.float64),
    ("digits-f32", 4000, [400, 64, 10], np.float32),
    ("binary-f64", 94, [2, 4, 4, 1], np.float64),
    ("mnist60k-f32", 60000, [784, 128, 10], np.float32),
]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def make(m, widths, dtype):
    i = np.arange(m)[:, None]
    j = np.arange(widths[0])[None, :]
    x = ((((i * 31 + j * 17) % 97) / 97.0 - 0.5) * 2.0).astype(dtype)
    k = widths[-1]
    y = (np.arange(m) * 7) % max(k, 2)
    rng = np.random.default_rng(0)
    ws = [rng.uniform(-np.sqrt(6 / (a + b)), np.sqrt(6 / (a + b)), (a, b)).astype(dtype) for a, b in zip(widths, widths[1:])]
    bs = [np.zeros(b, dtype) for b in widths[1:]]
    if k == 1:
        t = y[:, None].astype(dtype)
    else:
        t = np.zeros((m, k), dtype)
        t[np.arange(m), y] = 1
    return x, t, ws, bs


def epoch(x, t, ws, bs, lr):
    m = x.shape[0]
    acts = [x]
    for l, (w, b) in enumerate(zip(ws, bs)):
        z = acts[-1] @ w + b
        acts.append(z if l == len(ws) - 1 else sigmoid(z))
    z = acts[-1]
    if z.shape[1] == 1:  # sigmoid + binary cross-entropy from logits
        loss = np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z))))
        p = sigmoid(z)
    else:  # softmax + cross-entropy, max subtracted
        zs = z - z.max(axis=1, keepdims=True)
        e = np.exp(zs)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s[:, 0]) - (zs * t).sum(axis=1))
        p = e / s
    delta = (p - t) / m
    for l in range(len(ws) - 1, -1, -1):
        gw = acts[l].T @ delta
        gb = delta.sum(axis=0)
        if l > 0:
            a = acts[l]
            delta = (delta @ ws[l].T) * a * (1 - a)
        ws[l] -= lr * gw
        bs[l] -= lr * gb
    return loss


def median_epoch(m, widths, dtype, repeats=5):
    x, t, ws, bs = make(m, widths, dtype)
    return median_time(lambda: epoch(x, t, ws, bs, 1e-3), repeats)


def time_case(name, threads):
    m, widths, dtype = CASES_BY_NAME[name]
    if threadpool_limits is None:
        return median_epoch(m, widths, dtype, repeats=11)
    with threadpool_limits(limits=threads):
        return median_epoch(m, widths, dtype, repeats=11)


CASES_BY_NAME = {name: (m, widths, dtype) for name, m, widths, dtype in CASES}


if __name__ == "__main__" and "--serve" in sys.argv:
    serve(CASES_BY_NAME, time_case)
elif __name__ == "__main__":
    print(f"numpy {np.__version__}")
    for name, m, widths, dtype in CASES:
        for threads in (1, None):
            if threadpool_limits is not None and threads is not None:
                with threadpool_limits(limits=threads):
                    s = median_epoch(m, widths, dtype)
            else:
                s = median_epoch(m, widths, dtype)
            print(f"{name:<14} threads {threads or 'all':<4} epoch {fmt(s)}")
