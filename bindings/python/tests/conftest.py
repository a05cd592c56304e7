"""Where the tests find their data: the repository's spec/fixtures, the peers' test data in
shared/peers (found by walking up, as the Rust tests do), and the `hcx` CLI (HCX_BIN, set by
test.sh) whose JSON the verdicts must equal."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURES = REPO / "spec" / "fixtures"


def _missing(what: str) -> None:
    """A test whose data or tool is absent: a failure under CI, otherwise a loud skip (counted
    in pytest's summary line)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (CI=true: nothing may be skipped)")
    print(f"\n!!!!!!!!!! {what}: SKIPPED !!!!!!!!!!\n", file=sys.stderr)
    pytest.skip(what)


def peers(sub: str) -> Path:
    """`shared/peers/<sub>` above this directory."""
    for d in [HERE, *HERE.parents]:
        candidate = d / "shared" / "peers" / sub
        if candidate.is_dir():
            return candidate
    _missing(f"shared/peers/{sub} not found above {HERE}")
    raise AssertionError("unreachable")


def hcx_bin() -> Path:
    """The `hcx` CLI built from this repository (test.sh sets HCX_BIN)."""
    path = os.environ.get("HCX_BIN")
    if not path or not Path(path).is_file():
        _missing("HCX_BIN (the hcx CLI, built by bindings/python/test.sh) is not set")
    return Path(path or "")
