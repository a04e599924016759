"""What bench/numpy_epoch.py and bench/torch_epoch.py share: how an epoch is timed, how a time is printed, and
the `--serve` loop through which `cargo xtask bench --compare` asks for one median at a time."""
import sys
import time


def median_time(step, repeats=11):
    """The median time of one call of `step`: warm up for 0.2 s, then `repeats` samples of about 20 ms of
    calls each (the count taken from the warm-up's pace)."""
    warm = time.perf_counter()
    calls = 0
    while time.perf_counter() - warm < 0.2:
        step()
        calls += 1
    inner = max(1, int(0.02 / ((time.perf_counter() - warm) / calls)))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        times.append((time.perf_counter() - t0) / inner)
    return sorted(times)[len(times) // 2]


def fmt(s):
    return f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.3f} ms"


def serve(cases, time_case):
    """Answers each "CASE THREADS" line on stdin with `time_case(name, threads)` in seconds, or "unknown"."""
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        name, threads = parts[0], int(parts[1])
        if name not in cases:
            print("unknown", flush=True)
            continue
        print(repr(time_case(name, threads)), flush=True)
