"""Type stubs of the native module ``hcx._hcx`` (re-exported by ``hcx``)."""

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, TypeAlias, final

from typing_extensions import Self

__all__ = ["Verifier", "decode", "issue", "keygen", "pubkey", "__version__"]

__version__: Final[str]

_Verdict: TypeAlias = dict[str, Any]
"""A verdict: the SPEC §9 JSON object of ``hcx verify --json``, as Python's ``json`` reads it.
Valid: ``{"valid": True, "format": ..., "issuer": {...}, "claims": {...}, "summary": {...},
...}``; rejected: ``{"valid": False, "error": {"code": ..., "reason": ..., "message": ...}}``."""

_Time: TypeAlias = int | float | datetime.datetime | str | None
"""A time: ``None`` (now), Unix seconds, an aware ``datetime``, or RFC 3339 text."""

_Duration: TypeAlias = int | datetime.timedelta | str
"""A duration: seconds, a ``timedelta``, or text such as ``"5m"`` or ``"24h"``."""

_Input: TypeAlias = bytes | bytearray | str | os.PathLike[str]
"""An input given by content (``bytes``, ``str``) or as a path to a file."""

_Text: TypeAlias = str | bytes
"""A code's text; ``bytes`` that are not UTF-8 are judged ``malformed``/``not_utf8``."""

@final
class Verifier:
    """Verifies codes of every supported format against the trust it was built with.

    A verifier is immutable and safe to share between threads; every verify method releases
    the interpreter lock while it works.
    """

    def __new__(
        cls,
        trust: _Input | Iterable[_Input],
        roots: _Input | Iterable[_Input] | None = None,
        threshold: int | None = None,
        min_sequence: int | None = None,
        skew: _Duration | None = None,
        at: _Time = None,
        *,
        status_min_sequence: Mapping[str, int] | None = None,
        status_max_age: _Duration | None = None,
        when_status_missing: Literal["accept", "reject"] | None = None,
        when_status_stale: Literal["accept", "reject"] | None = None,
    ) -> Self:
        """Reads and checks every trust input, detected by content: an hcx trust list (which
        needs ``roots``: SPKI PEM, PKCS#8 PEM or Ed25519 JWK keys, at least ``threshold``
        (default 1) of which must have signed it, its sequence at least ``min_sequence``), X.509 certificates
        (PEM or DER), a JWKS, a DCC signer list or an SHC revocation list. ``skew`` (default
        300 s) is the clock-skew tolerance of every verification; ``at`` is when the trust is
        checked (default now).

        Issuers' signed status lists (SPEC §14, snapshots and deltas) are trust inputs too.
        ``status_min_sequence`` maps an issuer to the highest status-list sequence accepted
        before (older data is a rollback); status data older than ``status_max_age`` (default
        48 hours) is stale; ``when_status_missing`` (default ``"accept"``) and
        ``when_status_stale`` (default ``"reject"``) say what a code whose issuer's status data
        is missing or stale gets, as the CLI's ``--when-status-*`` options.

        Raises :class:`hcx.TrustError` for trust that cannot be used, :class:`hcx.UsageError`
        for a missing root or an impossible threshold (:class:`hcx.ArgumentTypeError` for an
        argument of the wrong type), :class:`hcx.InvalidKeyError` for an unreadable root key,
        ``OSError`` for a path that cannot be read."""

    def verify(self, text: _Text, at: _Time = None) -> _Verdict:
        """The verdict on one scanned text, exactly as given (whitespace is not removed)."""

    def verify_chunks(self, texts: Iterable[_Text], at: _Time = None) -> _Verdict:
        """The verdict on one code given as several texts: SMART Health Card chunks
        (``shc:/K/N/...``) in any order. One text is verified as :meth:`verify` does."""

    def verify_image(self, image: bytes | bytearray | os.PathLike[str], at: _Time = None) -> _Verdict:
        """The verdict on the code in a PNG or JPEG picture (bytes, or a path to the file). A
        picture without a readable code is a rejection (a verdict), not an exception."""

    def verify_many(self, texts: Iterable[_Text], at: _Time = None) -> list[_Verdict]:
        """The verdicts on many texts, in input order, each equal to :meth:`verify`'s; hcx
        signatures are checked in bulk on all cores, without the interpreter lock."""

def decode(text: _Text) -> dict[str, Any]:
    """Reads a code of any format without verifying anything: the JSON of ``hcx decode``, with
    ``"verified": False`` and a warning. Raises :class:`hcx.DecodeError` if the code cannot be
    read at all."""

def issue(
    key: _Input,
    claims: Mapping[str, Any] | str,
    *,
    issuer: str,
    issued_at: _Time = None,
    expires_at: _Time = None,
    valid_for: _Duration | None = None,
    not_before: _Time = None,
) -> str:
    """Signs an hcx code with an issuer's PKCS#8 PEM private key and returns its text
    (``HCX1:...``). ``issued_at`` defaults to now, the expiry to ``valid_for`` (default a day)
    after it. Raises :class:`hcx.InvalidKeyError`, :class:`hcx.InvalidClaimsError` or
    :class:`hcx.UsageError`."""

def keygen() -> str:
    """A new Ed25519 private key, as PKCS#8 PEM (keep it secret)."""

def pubkey(key: _Input) -> str:
    """The SPKI PEM public key of a private key, or of a public key in PEM or JWK form."""
