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


# ------------------------------------------------- wrong types, out of range, huge, panics

# Values of every kind a caller might pass by mistake.
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63 - 8)
    | st.integers(max_value=-(2**63) + 8) | st.floats() | st.text(max_size=64)
    | st.binary(max_size=64) | st.builds(bytearray, st.binary(max_size=64))
    | st.builds(memoryview, st.binary(max_size=64)) | st.just(object()) | st.just(1j)
    | st.just(...) | st.just(hcx.Verifier),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3) | st.sets(st.integers(), max_size=3),
    max_leaves=6,
)


def only_hcx_errors(call: object, *args: object, **kwargs: object) -> None:
    """The call returns, or raises an hcx.Error with a code (and a reason attribute); nothing
    else escapes, PanicException least of all (it is a BaseException: caught here to fail)."""
    try:
        call(*args, **kwargs)  # type: ignore[operator]
    except hcx.Error as e:
        assert isinstance(e.code, str) and e.code and (e.reason is None or isinstance(e.reason, str))
        assert e.message
    except BaseException as e:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{type(e).__module__}.{type(e).__qualname__} escaped: {e!r}")


@common
@given(anything, anything)
def test_anything_into_verify(value: object, at: object) -> None:
    only_hcx_errors(VERIFIER.verify, value, at=NOW)
    only_hcx_errors(VERIFIER.verify, REFERENCE, at=at)
    only_hcx_errors(VERIFIER.verify_chunks, value, at=NOW)
    only_hcx_errors(VERIFIER.verify_many, value, at=NOW)
    only_hcx_errors(VERIFIER.verify_image, value, at=NOW)
    only_hcx_errors(hcx.decode, value)


@common
@given(anything, anything, anything, anything, anything)
def test_anything_into_the_verifier(trust: object, roots: object, threshold: object,
                                    min_sequence: object, skew: object) -> None:
    only_hcx_errors(hcx.Verifier, trust=trust, at=NOW)
    only_hcx_errors(hcx.Verifier, trust=TRUST, roots=roots, at=NOW)
    only_hcx_errors(hcx.Verifier, trust=TRUST, roots=ROOT, threshold=threshold, at=NOW)
    only_hcx_errors(hcx.Verifier, trust=TRUST, roots=ROOT, min_sequence=min_sequence, at=NOW)
    only_hcx_errors(hcx.Verifier, trust=TRUST, roots=ROOT, skew=skew, at=NOW)


@common
@given(anything, anything, anything)
def test_anything_into_issue_and_keys(key: object, claims: object, when: object) -> None:
    good_key = (FIXTURES / "keys" / "dingtalk-1.pem").read_text()
    good_claims = {"status": "green", "subject": {"name": "A"}, "region": "CN-33"}
    only_hcx_errors(hcx.issue, key, good_claims, issuer="dingtalk", issued_at=NOW)
    only_hcx_errors(hcx.issue, good_key, claims, issuer="dingtalk", issued_at=NOW)
    only_hcx_errors(hcx.issue, good_key, good_claims, issuer=key, issued_at=NOW)
    for name in ["issued_at", "expires_at", "not_before", "valid_for"]:
        only_hcx_errors(hcx.issue, good_key, good_claims, issuer="dingtalk", **{name: when})
    only_hcx_errors(hcx.pubkey, key)


def test_wrong_types_are_typed_hcx_errors() -> None:
    """A wrong type is hcx.ArgumentTypeError: an hcx.UsageError (code `usage`) and a TypeError."""
    calls = [
        lambda: VERIFIER.verify(7, at=NOW),
        lambda: VERIFIER.verify(REFERENCE, at=[NOW]),
        lambda: VERIFIER.verify_many(REFERENCE, at=NOW),  # one str, not a list of codes
        lambda: VERIFIER.verify_many([REFERENCE, 7], at=NOW),
        lambda: VERIFIER.verify_chunks(b"shc:/", at=NOW),
        lambda: VERIFIER.verify_image("picture.png", at=NOW),
        lambda: hcx.Verifier(trust=7, at=NOW),
        lambda: hcx.Verifier(trust=[7], at=NOW),
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, threshold="two", at=NOW),
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, skew=[1], at=NOW),
        lambda: hcx.decode(None),
        lambda: hcx.issue(hcx.keygen(), {"when": object()}, issuer="x"),
        lambda: hcx.issue(hcx.keygen(), {"status": "green"}, issuer=7),
        lambda: hcx.pubkey(3.5),
    ]
    for call in calls:
        with pytest.raises(hcx.ArgumentTypeError) as e:
            call()
        assert isinstance(e.value, TypeError) and isinstance(e.value, hcx.UsageError)
        assert (e.value.code, e.value.reason) == ("usage", None)


def test_numbers_out_of_range_are_usage_errors() -> None:
    calls = [
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, threshold=-1, at=NOW),
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, min_sequence=2**64, at=NOW),
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, skew=-5, at=NOW),
        lambda: hcx.Verifier(trust=TRUST, roots=ROOT, skew=10**30, at=NOW),
        lambda: VERIFIER.verify(REFERENCE, at=10**30),
        lambda: VERIFIER.verify(REFERENCE, at=float("nan")),
        lambda: VERIFIER.verify(REFERENCE, at="yesterday"),
    ]
    for call in calls:
        with pytest.raises(hcx.UsageError) as e:
            call()
        assert not isinstance(e.value, TypeError)
        assert e.value.code in {"usage", "invalid_input"}


def test_bytes_and_str_give_the_same_verdicts() -> None:
    for text in [REFERENCE, REFERENCE[:-3], "HC1:6BF", "shc:/5676", "", "\u00e9t\u00e9"]:
        assert VERIFIER.verify(text.encode(), at=NOW) == VERIFIER.verify(text, at=NOW)
        assert VERIFIER.verify_many([text.encode()], at=NOW) == [VERIFIER.verify(text, at=NOW)]
    # Not UTF-8 (bytes, or a str with a lone surrogate): a rejection, never an exception.
    for bad in [b"HCX1:\xff", "HCX1:\ud800"]:
        assert VERIFIER.verify(bad, at=NOW)["error"]["reason"] == "not_utf8"


def test_huge_inputs_are_rejected_quickly() -> None:
    """Texts and pictures far past any limit: a verdict (too large or malformed), in bounded time."""
    import time

    start = time.monotonic()
    for text in ["HCX1:" + "0" * 50_000_000, "shc:/" + "5" * 20_000_000, "x" * 30_000_000]:
        v = VERIFIER.verify(text, at=NOW)
        assert v["valid"] is False and v["error"]["code"] in {"malformed", "invalid_input"}
    big_picture = PNG[:8] + os.urandom(40_000_000)
    assert VERIFIER.verify_image(big_picture, at=NOW)["valid"] is False
    assert VERIFIER.verify_many(["HCX1:" + "0" * 5_000_000] * 8, at=NOW)[7]["valid"] is False
    assert time.monotonic() - start < 60


@pytest.mark.parametrize("where", ["here", "detached", "workers"])
def test_a_panic_is_an_internal_error_not_a_panic_exception(where: str) -> None:
    """A Rust panic anywhere under a call comes back as hcx.InternalError (an Exception with a
    code), never as pyo3's PanicException (a BaseException that `except Exception` misses)."""
    from hcx import _hcx

    with pytest.raises(hcx.InternalError) as e:
        _hcx._panic_for_tests(where)
    assert e.value.code == "invalid_input" and "test panic" in e.value.message
    # The interpreter, the worker pool and the verifier still work.
    assert VERIFIER.verify(REFERENCE, at=NOW)["valid"] is True
    assert all(v["valid"] for v in VERIFIER.verify_many([REFERENCE] * 100, at=NOW))
