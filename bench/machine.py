"""The CPU a benchmark ran on, for the line every comparison prints: its model and the SIMD it has."""

import platform
from pathlib import Path


def describe():
    """'MODEL (avx2 fma avx512f)': the CPU model and which of AVX2, FMA and AVX-512F it has."""
    model, flags = platform.processor() or "unknown CPU", []
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = value.split()
    except OSError:
        pass
    simd = " ".join(f for f in ("avx2", "fma", "avx512f") if f in flags) or "SIMD unknown"
    return f"{model} ({simd})"
