"""Fixtures shared by the test modules (under `--import-mode=importlib` they cannot import each other)."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def nn_binary():
    """The `nn` command: $NN_BIN, else the workspace's debug or release build (built if missing)."""
    if os.environ.get("NN_BIN"):
        return os.environ["NN_BIN"]
    for profile in ("debug", "release"):
        path = ROOT / "target" / profile / "nn"
        if path.exists():
            return str(path)
    subprocess.run(["cargo", "build", "-q", "-p", "nn-cli"], cwd=ROOT, check=True)
    return str(ROOT / "target" / "debug" / "nn")
