"""Hostile input across the boundary: random bytes and lengths into every entry point. Each
call returns a verdict or raises an `hcx.Error` (or the documented TypeError); nothing crashes
the interpreter, hangs, or keeps memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hcx
from conftest import FIXTURES

NOW = 1_795_251_600
TRUST = FIXTURES / "trust" / "main.json"
ROOT = FIXTURES / "keys" / "root-1.pub.pem"
REFERENCE = (FIXTURES / "samples" / "reference-code.txt").read_text(encoding="utf-8").strip()
PNG = (FIXTURES / "images" / "qr-reference-ecc-m.png").read_bytes()
BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
PREFIXES = ["", "HCX1:", "HC1:", "shc:/", "shc:/1/2/", "ey", "{", "DC03"]

VERIFIER = hcx.Verifier(trust=TRUST, roots=ROOT, at=NOW)

# Lengths from empty to far past any code (the readers' limits are well under a megabyte).
texts = st.one_of(
    st.binary(max_size=4096),
    st.text(max_size=2048),
    st.builds(lambda p, s: p + s, st.sampled_from(PREFIXES), st.text(alphabet=BASE45, max_size=4096)),
    st.builds(lambda p, n, c: p + c * n, st.sampled_from(PREFIXES),
              st.integers(0, 3_000_000), st.sampled_from(["0", "A", "%", "\u00e9", "{"])),
    # The reference code with bytes flipped, cut or extended.
    st.builds(lambda i, c, cut: (REFERENCE[:i] + c + REFERENCE[i + 1:])[:cut],
              st.integers(0, len(REFERENCE)), st.sampled_from(list(BASE45) + ["", "\x00"]),
              st.integers(0, len(REFERENCE) + 1)),
)

common = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def is_verdict(v: object) -> bool:
    return isinstance(v, dict) and isinstance(v.get("valid"), bool) and (
        v["valid"] or isinstance(v["error"]["code"], str))


@common
@given(texts)
def test_verify(text: str | bytes) -> None:
    assert is_verdict(VERIFIER.verify(text, at=NOW))


@common
@given(st.lists(texts, max_size=40))
def test_verify_many_and_chunks(batch: list[str | bytes]) -> None:
    many = VERIFIER.verify_many(batch, at=NOW)
    assert len(many) == len(batch) and all(map(is_verdict, many))
    assert is_verdict(VERIFIER.verify_chunks(batch, at=NOW))


@common
@given(texts)
def test_decode(text: str | bytes) -> None:
    try:
        assert isinstance(hcx.decode(text), dict)
    except hcx.DecodeError as e:
        assert e.code and e.message


images = st.one_of(
    st.binary(max_size=8192),
    st.builds(lambda b: PNG[:8] + b, st.binary(max_size=8192)),
    # The real picture, damaged at one place or cut short.
    st.builds(lambda i, b, cut: (PNG[:i] + bytes([b]) + PNG[i + 1:])[:cut],
              st.integers(0, len(PNG) - 1), st.integers(0, 255), st.integers(0, len(PNG))),
    st.builds(lambda b: b"\xff\xd8\xff" + b, st.binary(max_size=8192)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(images)
def test_verify_image(image: bytes) -> None:
    assert is_verdict(VERIFIER.verify_image(image, at=NOW))


inputs = st.one_of(st.binary(max_size=4096), st.text(max_size=1024),
                   st.builds(lambda b: b'{"payload":' + b, st.binary(max_size=512)),
                   st.builds(lambda b: b"-----BEGIN CERTIFICATE-----\n" + b, st.binary(max_size=512)))


@common
@given(st.lists(inputs, max_size=3), st.lists(inputs, max_size=2))
def test_verifier_from_random_trust(trust: list[bytes | str], roots: list[bytes | str]) -> None:
    try:
        v = hcx.Verifier(trust=trust, roots=roots, at=NOW)
    except hcx.Error as e:
        assert e.code
        return
    assert is_verdict(v.verify(REFERENCE, at=NOW))


@common
@given(inputs, st.one_of(st.text(max_size=512), st.dictionaries(st.text(max_size=8), st.text(max_size=8))))
def test_issue_and_pubkey_from_random_keys_and_claims(key: bytes | str, claims: str | dict) -> None:
    for call in (lambda: hcx.pubkey(key), lambda: hcx.issue(key, claims, issuer="x", issued_at=NOW)):
        try:
            call()
        except hcx.Error as e:
            assert e.code in {"invalid_key", "invalid_claims", "invalid_input", "usage"}


@common
@given(st.dictionaries(st.sampled_from(["status", "subject", "region", "tests", "vaccinations"]),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=40),
                                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                                        st.text(max_size=10), c, max_size=4), max_leaves=20)))
def test_issue_random_claims_with_a_real_key(claims: dict) -> None:
    key = (FIXTURES / "keys" / "dingtalk-1.pem").read_text()
    try:
        text = hcx.issue(key, claims, issuer="dingtalk", issued_at=NOW)
    except hcx.InvalidClaimsError:
        return
    assert is_verdict(VERIFIER.verify(text, at=NOW))


def rss_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def test_memory_is_returned() -> None:
    """Thousands of large hostile inputs do not grow the process: nothing is kept per call."""
    rng = __import__("random").Random(7)
    big = [bytes(rng.getrandbits(8) for _ in range(4096)) * 64 for _ in range(4)]  # 256 KiB each

    def round_() -> None:
        for b in big:
            VERIFIER.verify(b, at=NOW)
            VERIFIER.verify(b"HCX1:" + b.hex().upper().encode()[:300_000], at=NOW)
            VERIFIER.verify_image(b, at=NOW)
            try:
                hcx.decode(b"HC1:" + b[:100_000])
            except hcx.DecodeError:
                pass
        VERIFIER.verify_many([REFERENCE] * 2000 + [b[:1000] for b in big], at=NOW)

    for _ in range(3):  # warm up allocator pools and caches
        round_()
    before = rss_bytes()
    for _ in range(30):
        round_()
    grown = rss_bytes() - before
    assert grown < 32 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB over 30 rounds"
