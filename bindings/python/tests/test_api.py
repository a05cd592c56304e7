"""The Python API itself: arguments, exceptions, threads, and the stubs."""

from __future__ import annotations

import ast
import datetime as dt
import json
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import hcx
from conftest import FIXTURES

NOW = 1_795_251_600  # 2026-11-21T09:00:00Z, inside the reference code's validity
TRUST = FIXTURES / "trust" / "main.json"
ROOT = FIXTURES / "keys" / "root-1.pub.pem"
REFERENCE = (FIXTURES / "samples" / "reference-code.txt").read_text(encoding="utf-8").strip()
UNKNOWN = (FIXTURES / "samples" / "unknown-key-code.txt").read_text(encoding="utf-8").strip()
IMAGE = FIXTURES / "images" / "qr-reference-ecc-m.png"


@pytest.fixture(scope="module")
def verifier() -> hcx.Verifier:
    return hcx.Verifier(trust=[TRUST.read_bytes()], roots=[ROOT.read_text()], at=NOW)


def code(verdict: dict) -> str | None:
    return None if verdict["valid"] else verdict["error"]["code"]


def test_the_reference_code_is_valid(verifier: hcx.Verifier) -> None:
    v = verifier.verify(REFERENCE, at=NOW)
    assert v["valid"] is True, v
    assert v["format"] == "hcx"
    assert v["issuer"]["id"] == "dingtalk"
    assert v["claims"]["status"] == "green"
    assert set(v) >= {"claims", "expires_at", "issued_at", "issuer", "key_id", "summary"}


def test_rejections_are_verdicts(verifier: hcx.Verifier) -> None:
    assert code(verifier.verify(REFERENCE.replace("HCX1:", "HCX1:A", 1), at=NOW)) == "malformed"
    assert code(verifier.verify(REFERENCE, at=NOW + 2 * 86_400)) == "expired"
    assert code(verifier.verify(UNKNOWN, at=NOW)) == "unknown_key"
    assert code(verifier.verify("", at=NOW)) == "malformed"
    bad = verifier.verify(b"HCX1:\xff\xfe", at=NOW)
    assert (code(bad), bad["error"]["reason"]) == ("malformed", "not_utf8")
    surrogate = verifier.verify("HCX1:\udcff", at=NOW)
    assert surrogate == bad


def test_times_in_every_form(verifier: hcx.Verifier) -> None:
    aware = dt.datetime.fromtimestamp(NOW, tz=dt.timezone.utc)
    forms = [NOW, float(NOW) + 0.9, aware, aware.astimezone(dt.timezone(dt.timedelta(hours=8))),
             "2026-11-21T09:00:00Z"]
    verdicts = [verifier.verify(REFERENCE, at=at) for at in forms]
    assert all(v == verdicts[0] and v["valid"] for v in verdicts)
    with pytest.raises(hcx.UsageError) as e:
        verifier.verify(REFERENCE, at=dt.datetime(2026, 11, 21, 9))
    assert e.value.code == "usage" and isinstance(e.value, ValueError)
    with pytest.raises(hcx.UsageError):
        verifier.verify(REFERENCE, at="yesterday")
    with pytest.raises(hcx.UsageError):
        verifier.verify(REFERENCE, at=float("nan"))
    with pytest.raises(TypeError):
        verifier.verify(REFERENCE, at=[NOW])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        verifier.verify(12345)  # type: ignore[arg-type]


def test_skew_in_every_form() -> None:
    expires = hcx.Verifier(trust=TRUST, roots=ROOT, at=NOW).verify(REFERENCE, at=NOW)["expires_at"]
    end = int(dt.datetime.fromisoformat(expires.replace("Z", "+00:00")).timestamp())
    for skew in [120, dt.timedelta(minutes=2), "2m"]:
        v = hcx.Verifier(trust=TRUST, roots=ROOT, skew=skew, at=NOW)
        assert v.verify(REFERENCE, at=end + 60)["valid"] is True
        assert code(v.verify(REFERENCE, at=end + 180)) == "expired"
    with pytest.raises(hcx.UsageError):
        hcx.Verifier(trust=TRUST, roots=ROOT, skew=-1, at=NOW)


def test_trust_and_roots_in_every_form() -> None:
    pem = ROOT.read_text()
    private = (FIXTURES / "keys" / "root-1.pem").read_text()
    jwk = json.dumps({"kty": "OKP", "crv": "Ed25519", "x": _jwk_x(pem)})
    for trust in [TRUST, str(TRUST.read_text()), TRUST.read_bytes(), [TRUST], (TRUST.read_bytes(),)]:
        for roots in [ROOT, pem, pem.encode(), [jwk], [private], iter([ROOT])]:
            v = hcx.Verifier(trust=trust, roots=roots, at=NOW)
            assert v.verify(REFERENCE, at=NOW)["valid"] is True
    assert "sequence" in repr(v)


def _jwk_x(pem: str) -> str:
    import base64

    der = base64.b64decode("".join(pem.strip().splitlines()[1:-1]))
    return base64.urlsafe_b64encode(der[-32:]).rstrip(b"=").decode()


def test_trust_failures_raise_typed_errors() -> None:
    with pytest.raises(hcx.TrustError) as e:
        hcx.Verifier(trust=TRUST, roots=ROOT, at=NOW + 365 * 86_400)
    assert (e.value.code, e.value.reason) == ("trust_list_expired", "trust_list_expired")
    assert isinstance(e.value, hcx.Error) and e.value.message
    again = pickle.loads(pickle.dumps(e.value))
    assert (type(again), again.code, again.reason, str(again)) == (
        hcx.TrustError, e.value.code, e.value.reason, str(e.value))
    with pytest.raises(hcx.TrustError) as e:
        hcx.Verifier(trust=TRUST, roots=FIXTURES / "keys" / "root-rogue.pub.pem", at=NOW)
    assert e.value.code == "trust_list_untrusted"
    with pytest.raises(hcx.UsageError) as u:
        hcx.Verifier(trust=TRUST, at=NOW)
    assert (u.value.code, u.value.reason) == ("usage", "missing_roots")
    for threshold in [0, 2]:
        with pytest.raises(hcx.UsageError) as u:
            hcx.Verifier(trust=TRUST, roots=ROOT, threshold=threshold, at=NOW)
        assert u.value.code == "invalid_input"
    with pytest.raises(hcx.InvalidKeyError) as k:
        hcx.Verifier(trust=TRUST, roots=["not a key"], at=NOW)
    assert k.value.code == "invalid_key"
    with pytest.raises(hcx.TrustError) as e:
        hcx.Verifier(trust=b"\x00garbage", at=NOW)
    assert e.value.code == "trust_list_invalid"
    with pytest.raises(FileNotFoundError):
        hcx.Verifier(trust=Path("/nonexistent/trust.json"), roots=ROOT, at=NOW)
    with pytest.raises(TypeError):
        hcx.Verifier(trust=[42], roots=ROOT, at=NOW)  # type: ignore[list-item]


def test_an_hcx_code_without_an_hcx_trust_list_is_a_verdict() -> None:
    v = hcx.Verifier(trust=[], at=NOW).verify(REFERENCE, at=NOW)
    assert (v["error"]["code"], v["error"]["reason"]) == ("usage", "no_hcx_trust_list")


def test_images(verifier: hcx.Verifier) -> None:
    v = verifier.verify_image(IMAGE.read_bytes(), at=NOW)
    assert v["valid"] is True and v["format"] == "hcx", v
    assert verifier.verify_image(IMAGE, at=NOW) == v
    assert verifier.verify_image(bytearray(IMAGE.read_bytes()), at=NOW) == v
    garbage = verifier.verify_image(b"\x89PNG\r\n\x1a\nnot really", at=NOW)
    assert garbage["valid"] is False
    with pytest.raises(TypeError):
        verifier.verify_image(str(IMAGE))  # type: ignore[arg-type]


def test_chunks(verifier: hcx.Verifier) -> None:
    assert verifier.verify_chunks([REFERENCE], at=NOW) == verifier.verify(REFERENCE, at=NOW)
    assert verifier.verify_chunks([b"\xff"], at=NOW)["error"]["reason"] == "not_utf8"
    assert verifier.verify_chunks([], at=NOW)["valid"] is False


def test_verify_many_equals_verify(verifier: hcx.Verifier) -> None:
    texts: list[str | bytes] = [REFERENCE, REFERENCE.replace("HCX1:", "HCX1:A", 1), UNKNOWN, "",
                                b"\xff", REFERENCE.encode(), "HC1:NOT-A-DCC", "shc:/1234"] * 300
    many = verifier.verify_many(texts, at=NOW)
    assert many == [verifier.verify(t, at=NOW) for t in texts]
    assert verifier.verify_many(iter(texts[:8]), at=NOW) == many[:8]
    assert verifier.verify_many([], at=NOW) == []
    with pytest.raises(TypeError):
        verifier.verify_many([REFERENCE, 7], at=NOW)  # type: ignore[list-item]


def test_verify_many_releases_the_interpreter(verifier: hcx.Verifier) -> None:
    """While verify_many works, other Python threads run (the call does not hold the GIL)."""
    texts = [REFERENCE] * 20_000
    window: list[float] = []

    def work() -> None:
        window.append(time.monotonic())
        verifier.verify_many(texts, at=NOW)
        window.append(time.monotonic())

    ticks: list[float] = []
    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        ticks.append(time.monotonic())
        time.sleep(0.0005)
    worker.join()
    start, end = window
    during = [t for t in ticks if start < t < end]
    assert len(during) >= 20, f"{len(during)} ticks in {end - start:.3f} s"


def test_one_verifier_shared_by_threads(verifier: hcx.Verifier) -> None:
    results: list[bool] = []

    def work() -> None:
        for _ in range(200):
            results.append(verifier.verify(REFERENCE, at=NOW)["valid"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 800


def test_decode() -> None:
    d = hcx.decode(REFERENCE)
    assert (d["verified"], d["format"], d["issuer"]) == (False, "hcx", "dingtalk")
    assert "UNVERIFIED" in d["warning"]
    assert hcx.decode(REFERENCE.encode()) == d
    for bad in ["", "HCX1:A", b"\xff"]:
        with pytest.raises(hcx.DecodeError) as e:
            hcx.decode(bad)
        assert e.value.code == "malformed"


def test_keygen_pubkey_issue_round_trip(verifier: hcx.Verifier) -> None:
    key = hcx.keygen()
    assert key.startswith("-----BEGIN PRIVATE KEY-----")
    public = hcx.pubkey(key)
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    assert hcx.pubkey(public) == public
    assert hcx.pubkey(json.dumps({"kty": "OKP", "crv": "Ed25519", "x": _jwk_x(public)})) == public
    claims = {"status": "yellow", "subject": {"name": "李四"}}
    text = hcx.issue(key, claims, issuer="dingtalk", issued_at=NOW, valid_for="5m")
    d = hcx.decode(text)
    assert (d["issuer"], d["claims"], d["issued_at"]) == ("dingtalk", claims, "2026-11-21T09:00:00Z")
    assert d["expires_at"] == "2026-11-21T09:05:00Z"
    # Not in the trust list: a rejection, not an exception.
    assert code(verifier.verify(text, at=NOW)) == "unknown_key"
    # The registered key makes a valid code.
    dingtalk = FIXTURES / "keys" / "dingtalk-1.pem"
    claims["region"] = "CN-33"  # dingtalk's trust-list scope requires a region
    good = hcx.issue(dingtalk, json.dumps(claims), issuer="dingtalk", issued_at=NOW - 60)
    assert verifier.verify(good, at=NOW)["valid"] is True
    nbf = hcx.issue(dingtalk, claims, issuer="dingtalk", issued_at=NOW, not_before=NOW + 600,
                    expires_at=dt.datetime.fromtimestamp(NOW + 3600, tz=dt.timezone.utc))
    assert code(verifier.verify(nbf, at=NOW)) == "not_yet_valid"


def test_issue_failures() -> None:
    key = hcx.keygen()
    with pytest.raises(hcx.InvalidClaimsError) as c:
        hcx.issue(key, {"status": "purple", "subject": {"name": "A"}}, issuer="x", issued_at=NOW)
    assert c.value.code == "invalid_claims" and isinstance(c.value, ValueError)
    with pytest.raises(hcx.InvalidClaimsError):
        hcx.issue(key, "{not json", issuer="x")
    with pytest.raises(TypeError):
        hcx.issue(key, {"when": dt.date.today()}, issuer="x")
    with pytest.raises(hcx.InvalidKeyError) as k:
        hcx.issue("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                  {"status": "green", "subject": {"name": "A"}}, issuer="x")
    assert k.value.code == "invalid_key"
    with pytest.raises(hcx.UsageError):
        hcx.issue(key, {"status": "green", "subject": {"name": "A"}}, issuer="x",
                  expires_at=NOW, valid_for=60)
    with pytest.raises(hcx.Error) as u:
        hcx.issue(key, {"status": "green", "subject": {"name": "A"}}, issuer="x", issued_at=NOW,
                  expires_at=NOW - 1)
    assert u.value.code in {"invalid_input", "invalid_claims"}
    with pytest.raises(hcx.InvalidKeyError):
        hcx.pubkey("nonsense")


def test_exception_hierarchy() -> None:
    for cls in [hcx.TrustError, hcx.UsageError, hcx.InvalidKeyError, hcx.InvalidClaimsError,
                hcx.DecodeError]:
        assert issubclass(cls, hcx.Error) and issubclass(cls, Exception)
    for cls in [hcx.UsageError, hcx.InvalidKeyError, hcx.InvalidClaimsError]:
        assert issubclass(cls, ValueError)
    assert issubclass(hcx.ArgumentTypeError, hcx.UsageError)
    assert issubclass(hcx.ArgumentTypeError, TypeError)
    assert issubclass(hcx.InternalError, hcx.Error)


def test_the_stubs_name_what_the_module_has() -> None:
    import hcx._hcx as native

    stub = ast.parse((Path(hcx.__file__).parent / "_hcx.pyi").read_text())
    names = {n.name for n in stub.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert names == {"Verifier", "decode", "issue", "keygen", "pubkey"}
    for name in names:
        assert hasattr(native, name), name
    methods = {n.name for c in stub.body if isinstance(c, ast.ClassDef) for n in c.body
               if isinstance(n, ast.FunctionDef)}
    for m in methods:
        assert hasattr(hcx.Verifier, m), m
    assert (Path(hcx.__file__).parent / "py.typed").is_file()
    assert all(hasattr(hcx, n) for n in hcx.__all__)
    from hcx import _errors
    assert set(_errors.__all__) <= set(hcx.__all__), "an exception is not exported by hcx"



def test_the_stubs_match_the_module(tmp_path: Path) -> None:
    """mypy's stubtest: every name, signature and default in the stubs is the built module's."""
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", "hcx", "--concise"],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_typed_program_type_checks(tmp_path: Path) -> None:
    """A program using the API passes `mypy --strict` with the stubs (and a wrong one fails)."""
    good = tmp_path / "good.py"
    good.write_text(
        "import datetime, pathlib\n"
        "import hcx\n"
        "v = hcx.Verifier(trust=[pathlib.Path('t.json')], roots='pem', threshold=1, skew='5m')\n"
        "d: dict[str, object] = v.verify(b'HCX1:', at=datetime.datetime.now(datetime.timezone.utc))\n"
        "many: list[dict[str, object]] = v.verify_many(['a', b'b'], at=1)\n"
        "text: str = hcx.issue(hcx.keygen(), {'status': 'green'}, issuer='x', valid_for=60)\n"
        "try:\n"
        "    hcx.decode(text)\n"
        "except hcx.Error as e:\n"
        "    code: str = e.code\n"
        "    reason: str | None = e.reason\n")
    bad = tmp_path / "bad.py"
    bad.write_text("import hcx\nhcx.Verifier(trust=[1]).verify(2)\n")
    for path, want in [(good, 0), (bad, 1)]:
        out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                              str(path)], capture_output=True, text=True, timeout=300,
                             cwd=tmp_path, check=False)
        assert out.returncode == want, out.stdout + out.stderr
