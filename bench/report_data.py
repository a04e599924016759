"""The report's digits for the benchmark scripts, from ./data or ../shared/data."""

import sys
from pathlib import Path

import numpy as np
from scipy.io import loadmat

ROOT = Path(__file__).resolve().parents[1]


def digits():
    """The 5000 digits of classification3.mat: X (5000 × 400, float64) and the labels y (1..10)."""
    for path in (ROOT / "data" / "classification3.mat", ROOT.parent / "shared" / "data" / "classification3.mat"):
        if path.exists():
            mat = loadmat(path)
            return mat["X"].astype(np.float64), mat["y"].ravel()
    sys.exit("classification3.mat not found in data/ or ../shared/data (cargo xtask data fetches it)")
