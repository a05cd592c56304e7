//! The statuses a list gives codes (SPEC.md §14.2).

/// The current status of a code, as its issuer publishes it.
///
/// `Valid` means "as issued": the colour printed in the code stands. The `Now*` statuses
/// replace the printed colour (a green card whose holder became a close contact is `NowRed`);
/// `Revoked` and `Suspended` stop the code (suspension can be lifted, revocation cannot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Status {
    /// Valid as issued.
    Valid,
    /// Revoked for good (issued by mistake, leaked, forged with a stolen key).
    Revoked,
    /// Suspended until further notice.
    Suspended,
    /// Valid, and the holder's colour is now green.
    NowGreen,
    /// Valid, and the holder's colour is now yellow.
    NowYellow,
    /// Valid, and the holder's colour is now red.
    NowRed,
}

impl Status {
    /// Every status, in wire-value order.
    pub const ALL: [Status; 6] = [
        Status::Valid,
        Status::Revoked,
        Status::Suspended,
        Status::NowGreen,
        Status::NowYellow,
        Status::NowRed,
    ];

    /// The value this status has on the wire (0–5).
    pub fn to_wire(self) -> u8 {
        match self {
            Status::Valid => 0,
            Status::Revoked => 1,
            Status::Suspended => 2,
            Status::NowGreen => 3,
            Status::NowYellow => 4,
            Status::NowRed => 5,
        }
    }

    /// The status with this wire value, if any.
    pub fn from_wire(value: u8) -> Option<Status> {
        Status::ALL.get(usize::from(value)).copied()
    }

    /// The stable name used in JSON and on the command line (`valid`, `revoked`, `suspended`,
    /// `now_green`, `now_yellow`, `now_red`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Revoked => "revoked",
            Status::Suspended => "suspended",
            Status::NowGreen => "now_green",
            Status::NowYellow => "now_yellow",
            Status::NowRed => "now_red",
        }
    }

    /// The status with this stable name.
    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The verdict error code a verifier reports for a code with this status (`revoked`,
    /// `suspended`), or `None` when the code stays valid (possibly with a new colour).
    pub fn error_code(self) -> Option<hcx_error::Code> {
        match self {
            Status::Revoked => Some(hcx_error::Code::Revoked),
            Status::Suspended => Some(hcx_error::Code::Suspended),
            Status::Valid | Status::NowGreen | Status::NowYellow | Status::NowRed => None,
        }
    }
}

/// What a delta says about a code its base already covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// The status is the one the base gives.
    Unchanged,
    /// The status is now this one.
    To(Status),
}

/// The value a status map gives a code: a status (0–5) or, in a delta's change map only,
/// "unchanged" ([`UNCHANGED`]).
pub(crate) type Class = u8;

/// The class "unchanged since the base" of a delta's change map.
pub(crate) const UNCHANGED: Class = 6;
/// Number of distinct classes (statuses and "unchanged").
pub(crate) const CLASSES: usize = 7;

impl Change {
    /// The class of this change in a change map.
    pub(crate) fn class(self) -> Class {
        match self {
            Change::Unchanged => UNCHANGED,
            Change::To(s) => s.to_wire(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_wire_values_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::from_wire(s.to_wire()), Some(s));
            assert_eq!(Status::from_name(s.name()), Some(s));
        }
        assert_eq!(Status::from_wire(6), None);
        assert_eq!(Change::Unchanged.class(), UNCHANGED);
        assert_eq!(Status::Revoked.error_code(), Some(hcx_error::Code::Revoked));
        assert_eq!(Status::NowRed.error_code(), None);
    }
}
