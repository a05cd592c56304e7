//! Conformance against the ICAO VDS-NC samples (`shared/peers/vdsnc`): all six seals verify,
//! chained to their CSCA where it is included, or with their (made-up) signer pinned.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use hcx_interop::{TrustStore, VerifyOptions};

/// 2025-01-01: inside every signer's and CSCA's validity period.
const NOW: i64 = 1_735_689_600;

#[test]
fn vdsnc_samples() {
    let Some(root) = common::peers("vdsnc") else {
        return;
    };
    let kde = root.join("kde-khealthcertificate");
    let kurz = root.join("kurzdigital-vds-jvm/src/test/resources");
    let mut cscas = TrustStore::default();
    for dir in [
        "3617c1e7f56795712e3775708e55833186e9380e",
        "6ab4f29282bd9647f6ff2a02f7944d749e978463",
    ] {
        for entry in std::fs::read_dir(kde.join("src/lib/icao/certs").join(dir)).unwrap() {
            let der = std::fs::read(entry.unwrap().path()).unwrap();
            assert_eq!(
                cscas.add_file(&der).unwrap(),
                hcx_interop::TrustKind::Certificates(1)
            );
        }
    }
    let opts = VerifyOptions {
        now: NOW,
        skew_secs: 0,
    };
    let mut n = 0;
    // Chained to a CSCA.
    for (path, country, name) in [
        (
            kde.join("autotests/data/icao/jpn-triple-vaccine.txt"),
            "JPN",
            "MIYAKE SHOTA",
        ),
        (
            kurz.join("vdsnc_sample_proof_of_vaccination_aus"),
            "AUS",
            "CITIZEN JANE SUE",
        ),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            hcx_interop::detect(&text),
            Some(hcx_interop::Format::IcaoVdsNc)
        );
        let v =
            hcx_interop::verify(&text, &cscas, &opts).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(v.format, "icao-vds-nc");
        assert_eq!(v.issuer.id, country);
        assert_eq!(v.summary.name.as_deref(), Some(name));
        assert!(!v.summary.evidence.is_empty());
        n += 1;
    }
    // Signed by made-up CAs ("UT CA", a fake Friesland CSCA): the signature verifies but nothing
    // anchors the signer (error `chain`, checked after the signature); pinning the signer
    // certificate itself makes it verify.
    for path in [
        kde.join("autotests/data/icao/single-vaccine.txt"),
        kde.join("autotests/data/icao/test.txt"),
        kurz.join("vdsnc_sample_proof_of_vaccination"),
        kurz.join("vdsnc_sample_proof_of_test"),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        let err = hcx_interop::verify(&text, &cscas, &opts).unwrap_err();
        assert_eq!(err.code(), "chain", "{path:?}: {err}");
        let seal = hcx_interop::vdsnc::parse_seal(&text).unwrap();
        let mut pinned = cscas.clone();
        pinned.add_file(&seal.signer.der).unwrap();
        let v =
            hcx_interop::verify(&text, &pinned, &opts).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(v.issuer.id, "UTO");
        // Tampering with the data breaks the signature, whatever the key order.
        let tampered = text.replacen("\"UTO\"", "\"UTA\"", 1);
        assert_eq!(
            hcx_interop::verify(&tampered, &pinned, &opts)
                .unwrap_err()
                .code(),
            "bad_signature"
        );
        n += 1;
    }
    // A CSCA of the other country does not anchor the seal.
    let jpn =
        std::fs::read_to_string(kde.join("autotests/data/icao/jpn-triple-vaccine.txt")).unwrap();
    let mut only_aus = TrustStore::default();
    for f in ["16f2.der", "16f5.der"] {
        only_aus
            .add_file(
                &std::fs::read(
                    kde.join("src/lib/icao/certs/3617c1e7f56795712e3775708e55833186e9380e")
                        .join(f),
                )
                .unwrap(),
            )
            .unwrap();
    }
    assert_eq!(
        hcx_interop::verify(&jpn, &only_aus, &opts)
            .unwrap_err()
            .code(),
        "chain"
    );
    eprintln!("VDS-NC: {n}/6 seals verify");
    assert_eq!(n, 6);
}
