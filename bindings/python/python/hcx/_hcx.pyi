"""Type stubs of the native module ``hcx._hcx`` (re-exported by ``hcx``)."""

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeAlias

__version__: Final[str]

Verdict: TypeAlias = dict[str, Any]
"""A verdict: the SPEC §9 JSON object of ``hcx verify --json``, as Python's ``json`` reads it.
Valid: ``{"valid": True, "format": ..., "issuer": {...}, "claims": {...}, "summary": {...},
...}``; rejected: ``{"valid": False, "error": {"code": ..., "reason": ..., "message": ...}}``."""

Time: TypeAlias = int | float | datetime.datetime | str | None
"""A time: ``None`` (now), Unix seconds, an aware ``datetime``, or RFC 3339 text."""

Duration: TypeAlias = int | datetime.timedelta | str
"""A duration: seconds, a ``timedelta``, or text such as ``"5m"`` or ``"24h"``."""

Input: TypeAlias = bytes | bytearray | str | os.PathLike[str]
"""An input given by content (``bytes``, ``str``) or as a path to a file."""

Text: TypeAlias = str | bytes
"""A code's text; ``bytes`` that are not UTF-8 are judged ``malformed``/``not_utf8``."""

class Verifier:
    """Verifies codes of every supported format against the trust it was built with.

    A verifier is immutable and safe to share between threads; every verify method releases
    the interpreter lock while it works.
    """

    def __init__(
        self,
        trust: Input | Iterable[Input],
        roots: Input | Iterable[Input] | None = None,
        threshold: int = 1,
        min_sequence: int | None = None,
        skew: Duration | None = None,
        at: Time = None,
    ) -> None:
        """Reads and checks every trust input, detected by content: an hcx trust list (which
        needs ``roots``: SPKI PEM, PKCS#8 PEM or Ed25519 JWK keys, at least ``threshold`` of
        which must have signed it, its sequence at least ``min_sequence``), X.509 certificates
        (PEM or DER), a JWKS, a DCC signer list or an SHC revocation list. ``skew`` (default
        300 s) is the clock-skew tolerance of every verification; ``at`` is when the trust is
        checked (default now).

        Raises :class:`hcx.TrustError` for trust that cannot be used, :class:`hcx.UsageError`
        for a missing root or an impossible threshold, :class:`hcx.InvalidKeyError` for an
        unreadable root key, ``OSError`` for a path that cannot be read."""

    def verify(self, text: Text, at: Time = None) -> Verdict:
        """The verdict on one scanned text, exactly as given (whitespace is not removed)."""

    def verify_chunks(self, texts: Iterable[Text], at: Time = None) -> Verdict:
        """The verdict on one code given as several texts: SMART Health Card chunks
        (``shc:/K/N/...``) in any order. One text is verified as :meth:`verify` does."""

    def verify_image(self, image: bytes | bytearray | os.PathLike[str], at: Time = None) -> Verdict:
        """The verdict on the code in a PNG or JPEG picture (bytes, or a path to the file). A
        picture without a readable code is a rejection (a verdict), not an exception."""

    def verify_many(self, texts: Iterable[Text], at: Time = None) -> list[Verdict]:
        """The verdicts on many texts, in input order, each equal to :meth:`verify`'s; hcx
        signatures are checked in bulk on all cores, without the interpreter lock."""

def decode(text: Text) -> dict[str, Any]:
    """Reads a code of any format without verifying anything: the JSON of ``hcx decode``, with
    ``"verified": False`` and a warning. Raises :class:`hcx.DecodeError` if the code cannot be
    read at all."""

def issue(
    key: Input,
    claims: Mapping[str, Any] | str,
    *,
    issuer: str,
    issued_at: Time = None,
    expires_at: Time = None,
    valid_for: Duration | None = None,
    not_before: Time = None,
) -> str:
    """Signs an hcx code with an issuer's PKCS#8 PEM private key and returns its text
    (``HCX1:...``). ``issued_at`` defaults to now, the expiry to ``valid_for`` (default a day)
    after it. Raises :class:`hcx.InvalidKeyError`, :class:`hcx.InvalidClaimsError` or
    :class:`hcx.UsageError`."""

def keygen() -> str:
    """A new Ed25519 private key, as PKCS#8 PEM (keep it secret)."""

def pubkey(key: Input) -> str:
    """The SPKI PEM public key of a private key, or of a public key in PEM or JWK form."""
