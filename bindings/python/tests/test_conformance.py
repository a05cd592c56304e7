"""Every case of spec/fixtures/cases through the Python API, in one test: the outcome checks of
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
    issued = [p for p in CASES if "issued_from" in json.loads(p.read_text(encoding="utf-8"))]
    assert issued, "no fixture has issued_from"


def load(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["name"] == path.stem, "file name and case name differ"
    return case


def verifier(case: dict[str, Any]) -> hcx.Verifier:
    threshold = case.get("threshold")
    policy = case.get("status_policy", {})
    age = policy.get("max_age_seconds")
    return hcx.Verifier(
        # The trust list, then the issuers' status lists: all trust inputs, read by content.
        trust=[(FIXTURES / f).read_bytes() for f in [case["trust_list"], *case.get("status_lists", [])]],
        roots=[(FIXTURES / r).read_text(encoding="utf-8") for r in case["roots"]],
        threshold=threshold if isinstance(threshold, int) else 1,
        min_sequence=case.get("min_sequence"),
        skew=case["skew_seconds"],
        at=case["at"],
        status_min_sequence=case.get("status_min_sequence"),
        status_max_age=None if age is None else f"{age}s",
        when_status_missing=policy.get("when_missing"),
        when_status_stale=policy.get("when_stale"),
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
        if got.get("status_list") is not None:
            # The parts the fixtures pin (its age depends on the clock).
            o["status_list"] = {k: v for k, v in got["status_list"].items()
                                if k in {"outcome", "sequence"}
                                or (k in {"not_covered", "stale"} and v is not None)}
        return o
    return {"valid": False, "error": got["error"]["code"], "reason": got["error"].get("reason")}


def check(expected: dict[str, Any], got: dict[str, Any]) -> None:
    """Every expected field matches exactly; a valid outcome has no field the case lacks."""
    mismatched = {k: (v, got.get(k)) for k, v in expected.items() if got.get(k) != v}
    assert not mismatched, f"expected {expected}, got {got}"
    if expected["valid"] is True:
        assert set(got) <= set(expected), f"unexpected fields: {set(got) - set(expected)}"


def cli_json(case: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    args = [str(hcx_bin()), "verify", "--json", "--trust", str(FIXTURES / case["trust_list"])]
    for r in case["roots"]:
        args += ["--root", str(FIXTURES / r)]
    args += ["--threshold", str(case["threshold"])]
    if isinstance(case.get("min_sequence"), int):
        args += ["--min-sequence", str(case["min_sequence"])]
    for f in case.get("status_lists", []):
        args += ["--status", str(FIXTURES / f)]
    for issuer, seq in case.get("status_min_sequence", {}).items():
        args += ["--status-min-sequence", f"{issuer}={seq}"]
    policy = case.get("status_policy", {})
    if "max_age_seconds" in policy:
        args += ["--status-max-age", f"{policy['max_age_seconds']}s"]
    if "when_missing" in policy:
        args += ["--when-status-missing", policy["when_missing"]]
    if "when_stale" in policy:
        args += ["--when-status-stale", policy["when_stale"]]
    args += ["--at", case["at"], "--skew", f"{case['skew_seconds']}s"]
    stdin = None
    if isinstance(case["input"].get("text"), str):
        args.append("-")
        stdin = case["input"]["text"].encode()
    else:
        args += ["--qr", str(FIXTURES / case["input"]["qr_image"])]
    out = subprocess.run(args, input=stdin, capture_output=True, check=False, timeout=60)
    return out.returncode, json.loads(out.stdout)


# SPEC §9: the codes with which the CLI exits 2 (the code could not be judged), not 1.
CANNOT_JUDGE = {"status_stale", "status_invalid", "trust_list_invalid", "trust_list_untrusted",
                "trust_list_expired", "trust_list_rollback", "invalid_claims", "invalid_key",
                "invalid_input", "usage", "io"}


def exit_status(verdict: dict[str, Any]) -> int:
    if verdict["valid"]:
        return 0
    return 2 if verdict["error"]["code"] in CANNOT_JUDGE else 1


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path: Path) -> None:
    """The one test reading the fixtures: each case's outcome is the expected one, exactly as
    tests/conformance.rs checks it; the verdict dict is the CLI's JSON object (message
    included), or a verifier that could not be built raised what the CLI reports (the message
    differs: the CLI names the file); and a case issued from claims (SPEC §13) reads back as
    its expected claims when issued through the package."""
    case = load(path)
    got = verdict_of(case)
    check(case["expected"], outcome(got))
    status, cli = cli_json(case)
    if isinstance(got, hcx.Error):
        assert (cli["error"]["code"], cli["error"].get("reason")) == (got.code, got.reason)
        assert status == 2
    else:
        assert got == cli
        assert status == exit_status(got)
    if "issued_from" in case:
        key = (FIXTURES / "keys" / "dingtalk-1.pem").read_text(encoding="utf-8")
        text = hcx.issue(key, case["issued_from"], issuer="dingtalk", issued_at=1_795_248_000)
        assert hcx.decode(text)["claims"] == case["expected"]["claims"]
