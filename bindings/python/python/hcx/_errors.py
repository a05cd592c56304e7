"""The exceptions of the hcx package.

A failure to *do* something raises one of these: trust that cannot be loaded, a key or claims
that cannot be read, a wrong argument. A code that is *rejected* is not an exception: the
verify methods return its verdict, ``{"valid": False, "error": {...}}``, as ``hcx verify
--json`` prints it.

Every exception carries the stable ``code`` of SPEC §8/§9 (what programs match on), the
finer ``reason`` when there is one, and a ``message`` for people. The class follows the code:
``usage`` and ``invalid_input`` raise :class:`UsageError` (an argument of the wrong type:
its subclass :class:`ArgumentTypeError`, also a ``TypeError``), ``invalid_key``
:class:`InvalidKeyError`, ``invalid_claims`` :class:`InvalidClaimsError`; otherwise the
operation's class: :class:`TrustError` (``trust_list_*``) or :class:`DecodeError`. A bug in
hcx itself that stops a call (a Rust panic, caught at the boundary) raises
:class:`InternalError`, never Rust's ``PanicException``.
"""

from __future__ import annotations

__all__ = [
    "Error",
    "TrustError",
    "UsageError",
    "ArgumentTypeError",
    "InvalidKeyError",
    "InvalidClaimsError",
    "DecodeError",
    "InternalError",
]


class Error(Exception):
    """Base class of every hcx failure: ``code``, ``reason`` and ``message``."""

    code: str
    """The stable code, e.g. ``trust_list_expired`` (SPEC §8/§9)."""
    reason: str | None
    """The precise reason, e.g. ``expired``, when there is one."""
    message: str
    """What went wrong, for people."""

    def __init__(self, code: str, reason: str | None, message: str) -> None:
        super().__init__(code, reason, message)
        self.code = code
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class TrustError(Error):
    """A trust input cannot be used: an hcx trust list that is malformed, badly signed,
    untrusted, expired or rolled back (``trust_list_*``), or an unreadable foreign input
    (``trust_list_invalid``). No verifier is built from trust it could not load."""


class UsageError(Error, ValueError):
    """An argument is wrong: a missing root key, an impossible threshold, a naive datetime,
    a negative skew (``usage``, ``invalid_input``)."""


class ArgumentTypeError(UsageError, TypeError):
    """An argument of the wrong type, e.g. a code that is neither ``str`` nor ``bytes``, or a
    threshold that is not an ``int`` (``usage``). Also a ``TypeError``, as Python expects."""


class InvalidKeyError(Error, ValueError):
    """A key is not an Ed25519 key in PEM (or, for public keys, JWK) form (``invalid_key``)."""


class InvalidClaimsError(Error, ValueError):
    """Claims to issue do not follow the specification (``invalid_claims``)."""


class DecodeError(Error):
    """:func:`hcx.decode` cannot read the code at all (``malformed``, ...)."""


class InternalError(Error):
    """A bug in hcx stopped the call: the Rust code panicked, and the panic was caught at the
    boundary instead of crossing into Python (``invalid_input``: this input could not be
    handled). The interpreter and every verifier stay usable; please report it."""
