//! The status-list cases (SPEC §14): dingtalk publishes a snapshot at sequence 5 and a delta to
//! 6; each case verifies one code against some of those files, or against a damaged one.

use hcx_status::{Change, Coverage, ListHeader, Status, StatusList};
use serde_json::{Value as Json, json};

use crate::cases::{Case, Code, REFERENCE, cti, input_text, invalid, valid};
use crate::{DAY, Files, HOUR, T0, private_key};

/// When the snapshot was made (and the instant it covers codes issued before).
const S5_AT: i64 = T0 + HOUR / 2;
/// When the delta was made.
const D6_AT: i64 = T0 + 3 * HOUR / 4;
/// The lists stop being usable three days after T0.
const LISTS_EXPIRE: i64 = T0 + 3 * DAY;
/// Status-case codes live a week, so staleness, not expiry, is what their cases test.
const CODE_EXP: i64 = T0 + 7 * DAY;

/// A status-case code: `case`'s own cti, issued by dingtalk-1 at `iat` with `claims`.
fn code(case: &str, claims: &str, iat: i64) -> Result<Code, String> {
    Code::new(case, "dingtalk", "dingtalk-1", claims, iat, CODE_EXP)
}

fn header(sequence: u64, at: i64) -> ListHeader {
    ListHeader {
        issuer: "dingtalk".to_owned(),
        sequence,
        issued_at: at,
        expires_at: LISTS_EXPIRE,
        coverage: Coverage {
            issued_before: at,
            expiring_after: at - DAY,
        },
    }
}

/// Filler codes, so the lists look like an issuer's and not only like the cases'.
fn filler() -> impl Iterator<Item = ([u8; 8], Status)> {
    (0u64..2000).map(|i| {
        let status = match i % 100 {
            0 => Status::Revoked,
            1 => Status::NowRed,
            _ => Status::Valid,
        };
        ((0x5eed_0000_0000_0000 | i).to_be_bytes(), status)
    })
}

/// The cases' codes in snapshot 5, with their status there.
const IN_S5: [(&str, Status); 6] = [
    ("status-valid", Status::Valid),
    ("status-revoked", Status::Revoked),
    ("status-suspended", Status::Suspended),
    ("status-now-red", Status::NowRed),
    ("status-delta-restores", Status::Revoked),
    ("status-delta-revokes", Status::Valid),
];

fn snapshot5(extra: &[(&str, Status)]) -> Result<StatusList, String> {
    let codes = IN_S5
        .iter()
        .chain(extra)
        .map(|(case, status)| (cti(case), *status))
        .chain(filler().map(|(id, s)| (id.to_vec(), s)));
    StatusList::snapshot(header(5, S5_AT), codes).map_err(|e| e.to_string())
}

fn delta6(base: &StatusList) -> Result<StatusList, String> {
    let old = IN_S5
        .iter()
        .map(|(case, status)| {
            let change = match *case {
                "status-delta-restores" => Change::To(Status::Valid),
                "status-delta-revokes" => Change::To(Status::Revoked),
                _ => {
                    let _ = status;
                    Change::Unchanged
                }
            };
            (cti(case), change)
        })
        .chain(filler().map(|(id, _)| (id.to_vec(), Change::Unchanged)));
    let new = [(cti("status-delta-new-code"), Status::NowYellow)];
    StatusList::delta(header(6, D6_AT), base, old, new).map_err(|e| e.to_string())
}

/// Writes the status-list files and returns the cases that use them.
pub(crate) fn cases(files: &mut Files) -> Result<Vec<Case>, String> {
    let status_key = private_key("dingtalk-status");
    let s5 = snapshot5(&[])?;
    let d6 = delta6(&s5)?;
    let s5_file = s5.sign(&status_key);
    let mut put = |name: &str, bytes: Vec<u8>| {
        files.insert(format!("status/{name}"), bytes);
        format!("status/{name}")
    };
    let snapshot = put("dingtalk-5.snapshot.cbor", s5_file.clone());
    let delta = put("dingtalk-6.delta.cbor", d6.sign(&status_key));
    // Damaged and wrongly signed files.
    let mut forged = s5_file.clone();
    if let Some(last) = forged.last_mut() {
        *last ^= 0x01; // the last byte is the signature's
    }
    let forged = put("dingtalk-5-forged.snapshot.cbor", forged);
    let rogue = put(
        "dingtalk-5-rogue.snapshot.cbor",
        s5.sign(&private_key("rogue-1")),
    );
    let code_key = put(
        "dingtalk-5-code-key.snapshot.cbor",
        s5.sign(&private_key("dingtalk-1")),
    );
    let other_base = snapshot5(&[("status-other-base", Status::Revoked)])?;
    let wrong_base = put(
        "dingtalk-6-wrong-base.delta.cbor",
        delta6(&other_base)?.sign(&status_key),
    );
    let truncated = put(
        "dingtalk-5-truncated.snapshot.cbor",
        s5_file
            .get(..s5_file.len() / 2)
            .unwrap_or_default()
            .to_vec(),
    );

    let reference = |case: &str| code(case, REFERENCE, T0);
    let ok = |case: &str| -> Result<Json, String> {
        valid("dingtalk", "dingtalk-1", REFERENCE, T0, CODE_EXP).map(|mut v| {
            let _ = case;
            v["status_list"] = json!({ "outcome": "valid", "sequence": 5 });
            v
        })
    };
    let with_status = |mut v: Json, outcome: &str, sequence: u64| {
        v["status_list"] = json!({ "outcome": outcome, "sequence": sequence });
        v
    };
    let mut out = Vec::new();
    let case = |name: &str, desc: &str, text: String, expected: Json, lists: &[&String]| {
        Case::new(name, desc, input_text(&text), expected).status_lists(lists)
    };

    out.push(case(
        "status-valid",
        "Snapshot 5 says the code is valid as issued; the verdict names the list it used.",
        reference("status-valid")?.text(),
        ok("status-valid")?,
        &[&snapshot],
    ));
    out.push(case(
        "status-revoked",
        "Snapshot 5 revokes the code: revoked, though signature, key and times check out.",
        reference("status-revoked")?.text(),
        invalid("revoked", "revoked"),
        &[&snapshot],
    ));
    out.push(case(
        "status-suspended",
        "Snapshot 5 suspends the code.",
        reference("status-suspended")?.text(),
        invalid("suspended", "suspended"),
        &[&snapshot],
    ));
    out.push(case(
        "status-now-red",
        "A printed green code whose holder is now red: valid, and the list's colour is red.",
        reference("status-now-red")?.text(),
        with_status(
            valid("dingtalk", "dingtalk-1", REFERENCE, T0, CODE_EXP)?,
            "now_red",
            5,
        ),
        &[&snapshot],
    ));
    let late = code("status-not-covered", REFERENCE, S5_AT + 60)?;
    let mut not_covered = valid("dingtalk", "dingtalk-1", REFERENCE, S5_AT + 60, CODE_EXP)?;
    not_covered["status_list"] = json!({
        "outcome": "not_covered", "not_covered": "issued_after_list", "sequence": 5
    });
    out.push(case(
        "status-not-covered",
        "A code issued after snapshot 5 was made: the list says nothing of it (not covered).",
        late.text(),
        not_covered,
        &[&snapshot],
    ));
    // Deltas: given in any order, applied on the newest snapshot.
    out.push(case(
        "status-delta-restores",
        "Revoked in snapshot 5, valid again in delta 6 (files given delta first).",
        reference("status-delta-restores")?.text(),
        with_status(
            valid("dingtalk", "dingtalk-1", REFERENCE, T0, CODE_EXP)?,
            "valid",
            6,
        ),
        &[&delta, &snapshot],
    ));
    out.push(case(
        "status-delta-revokes",
        "Valid in snapshot 5, revoked by delta 6.",
        reference("status-delta-revokes")?.text(),
        invalid("revoked", "revoked"),
        &[&snapshot, &delta],
    ));
    let new_code = code("status-delta-new-code", REFERENCE, T0 + 40 * 60)?;
    out.push(case(
        "status-delta-new-code",
        "Issued between snapshot 5 and delta 6: the delta covers it (now yellow).",
        new_code.text(),
        with_status(
            valid("dingtalk", "dingtalk-1", REFERENCE, T0 + 40 * 60, CODE_EXP)?,
            "now_yellow",
            6,
        ),
        &[&snapshot, &delta],
    ));
    // Freshness and policy.
    out.push(
        Case::new(
            "status-stale",
            "Snapshot 5 is more than 48 hours old: status_stale (the trust list still holds).",
            input_text(&reference("status-stale")?.text()),
            invalid("status_stale", "status_too_old"),
        )
        .status_lists(&[&snapshot])
        .at(S5_AT + 48 * HOUR + 1),
    );
    out.push(
        Case::new(
            "status-expired",
            "Snapshot 5 is past its expiry: status_stale.",
            input_text(&reference("status-expired")?.text()),
            invalid("status_stale", "status_expired"),
        )
        .status_lists(&[&snapshot])
        .at(LISTS_EXPIRE),
    );
    let mut stale_ok = ok("status-stale-accepted")?;
    stale_ok["status_list"] = json!({ "outcome": "valid", "sequence": 5, "stale": true });
    out.push(
        Case::new(
            "status-stale-accepted",
            "The same stale list under a policy that accepts stale data: valid, marked stale.",
            input_text(&reference("status-stale-accepted")?.text()),
            stale_ok,
        )
        .status_lists(&[&snapshot])
        .status_policy(json!({ "when_stale": "accept" }))
        .at(S5_AT + 48 * HOUR + 1),
    );
    let wechat = Code::new(
        "status-missing-rejected",
        "wechat",
        "wechat-1",
        crate::cases::TESTED,
        T0,
        T0 + DAY,
    )?;
    out.push(
        Case::new(
            "status-missing-rejected",
            "wechat publishes no status list, and the policy requires one: status_stale.",
            input_text(&wechat.text()),
            invalid("status_stale", "status_missing"),
        )
        .status_lists(&[&snapshot])
        .status_policy(json!({ "when_missing": "reject" })),
    );
    let wechat = Code::new(
        "status-missing-accepted",
        "wechat",
        "wechat-1",
        crate::cases::TESTED,
        T0,
        T0 + DAY,
    )?;
    out.push(
        Case::new(
            "status-missing-accepted",
            "wechat publishes no status list; by default its code is judged without status.",
            input_text(&wechat.text()),
            valid("wechat", "wechat-1", crate::cases::TESTED, T0, T0 + DAY)?,
        )
        .status_lists(&[&snapshot]),
    );
    // Lists that cannot be used: an answer about dingtalk's codes, not a trust-list failure.
    for (name, desc, file, reason) in [
        (
            "status-forged-signature",
            "Snapshot 5 with one signature bit flipped.",
            &forged,
            "status_bad_signature",
        ),
        (
            "status-wrong-signer",
            "Snapshot 5 signed by a key the trust list does not know.",
            &rogue,
            "status_unknown_key",
        ),
        (
            "status-signed-by-code-key",
            "Snapshot 5 signed by dingtalk's code key, which may sign codes only (usage).",
            &code_key,
            "status_unknown_key",
        ),
    ] {
        out.push(case(
            name,
            desc,
            reference(name)?.text(),
            invalid("status_invalid", reason),
            &[file],
        ));
    }
    out.push(case(
        "status-delta-wrong-base",
        "Delta 6 built on another snapshot 5 than the one held: wrong base.",
        reference("status-delta-wrong-base")?.text(),
        invalid("status_invalid", "status_wrong_base"),
        &[&snapshot, &wrong_base],
    ));
    out.push(case(
        "status-delta-without-snapshot",
        "Delta 6 alone: status data starts from a snapshot.",
        reference("status-delta-without-snapshot")?.text(),
        invalid("status_invalid", "status_not_snapshot"),
        &[&delta],
    ));
    out.push(
        Case::new(
            "status-rollback",
            "Snapshot 5 where sequence 6 was seen before: a rollback.",
            input_text(&reference("status-rollback")?.text()),
            invalid("status_invalid", "status_rollback"),
        )
        .status_lists(&[&snapshot])
        .status_min_sequence("dingtalk", 6),
    );
    out.push(
        Case::new(
            "status-truncated",
            "Half of snapshot 5: the file cannot be read, so no verifier can be built from it.",
            input_text(&reference("status-truncated")?.text()),
            invalid("status_invalid", "status_bad_cbor"),
        )
        .status_lists(&[&truncated]),
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_give_the_cases_their_statuses() {
        let s5 = snapshot5(&[]).unwrap();
        assert_eq!(s5.header().sequence, 5);
        let d6 = delta6(&s5).unwrap();
        assert_eq!(d6.base_hash(), Some(s5.payload_hash()));
    }
}
