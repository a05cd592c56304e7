"""Every case of spec/fixtures/cases through the Python API, with the outcome checks of
tests/conformance.rs, and every verdict compared with the JSON of `hcx verify --json`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import hcx
from conftest import FIXTURES, hcx_bin

CASES = sorted((FIXTURES / "cases").glob("*.json"))


def test_there_are_cases() -> None:
    assert len(CASES) >= 60, f"only {len(CASES)} fixtures in {FIXTURES}"


def load(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["name"] == path.stem, "file name and case name differ"
    return case


def verifier(case: dict[str, Any]) -> hcx.Verifier:
    threshold = case.get("threshold")
    return hcx.Verifier(
        trust=[(FIXTURES / case["trust_list"]).read_bytes()],
        roots=[(FIXTURES / r).read_text(encoding="utf-8") for r in case["roots"]],
        threshold=threshold if isinstance(threshold, int) else 1,
        min_sequence=case.get("min_sequence"),
        skew=case["skew_seconds"],
        at=case["at"],
    )


def verdict_of(case: dict[str, Any]) -> dict[str, Any] | hcx.Error:
    """The verdict dict, or the error that stopped the verifier from being built."""
    try:
        v = verifier(case)
    except (hcx.TrustError, hcx.UsageError) as e:
        return e
    text, image = case["input"].get("text"), case["input"].get("qr_image")
    if isinstance(text, str):
        return v.verify(text, at=case["at"])
    assert isinstance(image, str), "case has no input"
    return v.verify_image((FIXTURES / image).read_bytes(), at=case["at"])


def outcome(got: dict[str, Any] | hcx.Error) -> dict[str, Any]:
    """The outcome in the fixtures' vocabulary (as tests/conformance.rs reads the CLI's JSON)."""
    if isinstance(got, hcx.Error):
        return {"valid": False, "error": got.code, "reason": got.reason}
    if got["valid"] is True:
        o = {
            "valid": True,
            "issuer": got["issuer"]["id"],
            "key_id": got["key_id"],
            "issued_at": got["issued_at"],
            "expires_at": got["expires_at"],
            "claims": got["claims"],
        }
        if got.get("not_before") is not None:
            o["not_before"] = got["not_before"]
        return o
    return {"valid": False, "error": got["error"]["code"], "reason": got["error"].get("reason")}


def check(expected: dict[str, Any], got: dict[str, Any]) -> None:
    """Every expected field matches exactly; a valid outcome has no field the case lacks."""
    mismatched = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    assert not mismatched, f"expected {expected}, got {got}"
    if expected["valid"] is True:
        assert set(got) <= set(expected), f"unexpected fields: {set(got) - set(expected)}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    case = load(path)
    check(case["expected"], outcome(verdict_of(case)))


def cli_json(case: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    args = [str(hcx_bin()), "verify", "--json", "--trust", str(FIXTURES / case["trust_list"])]
    for r in case["roots"]:
        args += ["--root", str(FIXTURES / r)]
    args += ["--threshold", str(case["threshold"])]
    if isinstance(case.get("min_sequence"), int):
        args += ["--min-sequence", str(case["min_sequence"])]
    args += ["--at", case["at"], "--skew", f"{case['skew_seconds']}s"]
    stdin = None
    if isinstance(case["input"].get("text"), str):
        args.append("-")
        stdin = case["input"]["text"].encode()
    else:
        args += ["--qr", str(FIXTURES / case["input"]["qr_image"])]
    out = subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=60)
    return out.returncode, json.loads(out.stdout)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_equals_the_cli(path: Path) -> None:
    """The verdict dict is the CLI's JSON object (message included); a verifier that could not
    be built raised what the CLI reports (the message differs: the CLI names the file)."""
    case = load(path)
    got = verdict_of(case)
    status, cli = cli_json(case)
    if isinstance(got, hcx.Error):
        assert (cli["error"]["code"], cli["error"].get("reason")) == (got.code, got.reason)
        assert status == 2
    else:
        assert got == cli
        assert status == (0 if got["valid"] else 1)


ISSUED = [p for p in CASES if "issued_from" in load(p)]


@pytest.mark.parametrize("path", ISSUED, ids=[p.stem for p in ISSUED])
def test_issued_claims_are_the_expected_claims(path: Path) -> None:
    """SPEC.md §13: claims issued from `issued_from` read back as `expected.claims`."""
    case = load(path)
    key = (FIXTURES / "keys" / "dingtalk-1.pem").read_text(encoding="utf-8")
    text = hcx.issue(key, case["issued_from"], issuer="dingtalk", issued_at=1_795_248_000)
    assert hcx.decode(text)["claims"] == case["expected"]["claims"]


def test_some_cases_are_issued_from_claims() -> None:
    assert ISSUED, "no fixture has issued_from"
