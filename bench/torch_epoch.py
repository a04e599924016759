#!/usr/bin/env python3
"""Times one full-batch training epoch (forward, loss, backward, SGD update) of the same networks as
`cargo xtask bench`, in PyTorch on the CPU, for a side-by-side on one machine. Optional: neither CI nor the tests
need it.

    pip install -r bench/torch-requirements.txt
    python3 bench/torch_epoch.py             # medians of 5 runs per case, at 1 thread and at all threads
    python3 bench/torch_epoch.py --serve     # for `cargo xtask bench --compare`: reads "CASE THREADS" lines,
                                             # answers each with the median epoch time in seconds

The epoch is written as a PyTorch user writes it: nn.Sequential of nn.Linear and nn.Sigmoid with Xavier-uniform
weights and zero biases, the loss from logits (BCEWithLogitsLoss for one output unit, CrossEntropyLoss
otherwise), autograd, and torch.optim.SGD at lr 1e-3. The data are the same synthetic features and labels as
nn's benchmark (nn_train::bench::synthetic). The mini-batch case "digits-adam-b64" is one epoch of Adam over
the digits shapes in batches of 64 (63 steps), in a new random order each epoch as nn's trainer does.
"""
import sys

import torch
from torch import nn

from epoch_timing import fmt, median_time, serve

CASES = {
    "digits-f64": (4000, [400, 64, 10], torch.float64, None),
    "digits-f32": (4000, [400, 64, 10], torch.float32, None),
    "binary-f64": (94, [2, 4, 4, 1], torch.float64, None),
    "mnist60k-f32": (60000, [784, 128, 10], torch.float32, None),
    "digits-adam-b64": (4000, [400, 64, 10], torch.float64, 64),
}


def make(m, widths, dtype):
    i = torch.arange(m, dtype=torch.int64)[:, None]
    j = torch.arange(widths[0], dtype=torch.int64)[None, :]
    x = ((((i * 31 + j * 17) % 97).to(torch.float64) / 97.0 - 0.5) * 2.0).to(dtype)
    k = widths[-1]
    y = (torch.arange(m) * 7) % max(k, 2)
    torch.manual_seed(0)
    layers = []
    for l, (a, b) in enumerate(zip(widths, widths[1:])):
        lin = nn.Linear(a, b, dtype=dtype)
        nn.init.xavier_uniform_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers.append(lin)
        if l < len(widths) - 2:
            layers.append(nn.Sigmoid())
    net = nn.Sequential(*layers)
    if k == 1:
        loss_fn = nn.BCEWithLogitsLoss()
        t = y[:, None].to(dtype)
    else:
        loss_fn = nn.CrossEntropyLoss()
        t = y
    return x, t, net, loss_fn


class Workload:
    def __init__(self, name):
        m, widths, dtype, batch = CASES[name]
        self.x, self.t, self.net, self.loss_fn = make(m, widths, dtype)
        self.batch = batch
        if batch is None:
            self.opt = torch.optim.SGD(self.net.parameters(), lr=1e-3)
        else:
            self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
            self.starts = list(range(0, m, batch))
        self.flops = 6 * m * sum(a * b for a, b in zip(widths, widths[1:]))

    def step(self, x, t):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss_fn(self.net(x), t)
        loss.backward()
        self.opt.step()

    def epoch(self):
        if self.batch is None:
            self.step(self.x, self.t)
        else:
            order = torch.randperm(self.x.shape[0])
            for s in self.starts:
                rows = order[s:s + self.batch]
                self.step(self.x[rows], self.t[rows])


def median_epoch(name, threads, repeats=11):
    torch.set_num_threads(threads)
    w = Workload(name)
    return median_time(w.epoch, repeats)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        serve(CASES, median_epoch)
    else:
        cores = torch.get_num_threads()
        print(f"torch {torch.__version__}, {cores} threads available")
        for name in CASES:
            for threads in (1, cores):
                print(f"{name:<16} threads {threads:<4} epoch {fmt(median_epoch(name, threads))}")
