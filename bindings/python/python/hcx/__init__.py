"""Verify any health code — hcx, EU DCC, SMART Health Card, ICAO VDS-NC — offline, and issue
hcx codes: the Python face of the ``hcx-verify`` Rust library.

Verify a scanned code::

    import hcx
    verifier = hcx.Verifier(trust=[Path("trust.json")], roots=[Path("root.pub.pem")])
    verdict = verifier.verify(scanned_text)
    if verdict["valid"]:
        print(verdict["claims"]["status"], verdict["summary"]["name"])
    else:
        print("rejected:", verdict["error"]["code"])

Every verdict is a dict equal to the JSON object ``hcx verify --json`` prints (SPEC §9). A
rejected code is a verdict, never an exception; exceptions (:class:`Error` and its
subclasses) are for what could not be done at all.
"""

from __future__ import annotations

from ._errors import (
    ArgumentTypeError,
    DecodeError,
    Error,
    InternalError,
    InvalidClaimsError,
    InvalidKeyError,
    TrustError,
    UsageError,
)
from ._hcx import Verifier, __version__, decode, issue, keygen, pubkey

# Written out (not built from _errors.__all__) so that type checkers see the exports.
__all__ = ["Verifier", "decode", "issue", "keygen", "pubkey", "__version__", "Error", "TrustError",
           "UsageError", "ArgumentTypeError", "InvalidKeyError", "InvalidClaimsError",
           "DecodeError", "InternalError"]
