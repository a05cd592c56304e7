//! A fast reader for the usual DCC claims set: the DCC goes straight from CBOR to JSON, without
//! a ciborium value tree in between. Anything unusual (tags, byte strings, integer map keys,
//! duplicate keys, times that are not plain integers, a missing claim) makes it give up, and
//! [`crate::dcc::parse_cwt`] reads the payload with the general path, which then reports any
//! error exactly as before. So it only ever returns what the general path would: a unit test
//! compares the two on every peer DCC and on mutations of them.
//!
//! Why: the value tree, its conversion to JSON and its freeing were a fifth of the
//! non-signature time of a DCC verification (docs/INTEROP.md).

use std::fmt;

use ciborium::value::Value as Cbor;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;

use crate::dcc_cwt::Cwt;
use crate::limits::MAX_CBOR_DEPTH;

/// The claims set, when it is of the usual shape; `None` sends the caller to the general path.
///
/// Not on WASM: there the fast path's serde code costs ~50 KB of the module for a few percent
/// of speed, and WASM builds (mini-programs, browsers) count bytes first.
pub(crate) fn parse(payload: &[u8]) -> Option<Cwt> {
    if cfg!(target_family = "wasm") {
        return None;
    }
    let mut reader = payload;
    let claims: Claims =
        ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_CBOR_DEPTH).ok()?;
    if !reader.is_empty() {
        return None;
    }
    let dcc = claims.dcc?;
    dcc.is_object().then_some(Cwt {
        iss: claims.iss,
        iat: claims.iat,
        exp: claims.exp,
        dcc,
    })
}

/// Why the fast path gave up (never shown: the general path then speaks).
fn give_up<E: de::Error>() -> E {
    E::custom("not the usual shape")
}

/// The claims set: `iss` (1), `exp` (4), `iat` (6) and the DCC under `-260` → `1`.
#[derive(Default)]
struct Claims {
    iss: Option<String>,
    iat: Option<i64>,
    exp: Option<i64>,
    dcc: Option<Json>,
}

impl<'de> de::Deserialize<'de> for Claims {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Claims, D::Error> {
        d.deserialize_map(ClaimsVisitor)
    }
}

struct ClaimsVisitor;

impl<'de> Visitor<'de> for ClaimsVisitor {
    type Value = Claims;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CWT claims map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims, A::Error> {
        let mut claims = Claims::default();
        let mut seen = Vec::new();
        while let Some(key) = map.next_key::<Cbor>()? {
            let label = key.as_integer().and_then(|i| i64::try_from(i).ok());
            if let Some(label) = label {
                // The general path reads the first of duplicate claims; leave those to it.
                if seen.contains(&label) {
                    return Err(give_up());
                }
                seen.push(label);
            }
            match label {
                Some(1) => claims.iss = Some(map.next_value::<Text>()?.0),
                Some(4) => claims.exp = Some(map.next_value::<Int>()?.0),
                Some(6) => claims.iat = Some(map.next_value::<Int>()?.0),
                Some(-260) => claims.dcc = map.next_value::<Hcert>()?.0,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(claims)
    }
}

/// The `hcert` map: the DCC under `1`, other entries skipped.
struct Hcert(Option<Json>);

impl<'de> de::Deserialize<'de> for Hcert {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Hcert, D::Error> {
        d.deserialize_map(HcertVisitor)
    }
}

struct HcertVisitor;

impl<'de> Visitor<'de> for HcertVisitor {
    type Value = Hcert;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the hcert map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Hcert, A::Error> {
        let mut dcc = None;
        while let Some(key) = map.next_key::<Cbor>()? {
            if key.as_integer().is_some_and(|i| i128::from(i) == 1) {
                if dcc.is_some() {
                    return Err(give_up());
                }
                dcc = Some(map.next_value_seed(JsonSeed)?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Hcert(dcc))
    }
}

/// A plain text string: untagged (`deserialize_str` would skip a tag; the general path does
/// not).
struct Text(String);

impl<'de> de::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A plain (untagged) integer of the i64 range: a NumericDate as nearly every issuer writes it.
struct Int(i64);

impl<'de> de::Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Int, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Int;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Int, E> {
                Ok(Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Int, E> {
                i64::try_from(v).map(Int).map_err(|_| give_up())
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads one CBOR item as JSON: text, integers of i64/u64, finite floats, booleans, null,
/// arrays and maps with text keys, each key once. Anything else gives up.
struct JsonSeed;

impl<'de> DeserializeSeed<'de> for JsonSeed {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a CBOR item with a JSON equivalent")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        serde_json::Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(give_up)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(JsonSeed)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut out = serde_json::Map::new();
        // Integer keys give up: the general path turns them into text.
        while let Some(Text(key)) = map.next_key::<Text>()? {
            let value = map.next_value_seed(JsonSeed)?;
            if out.insert(key, value).is_some() {
                return Err(give_up());
            }
        }
        Ok(Json::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path's claims, to compare with.
    fn general(payload: &[u8]) -> Option<Cwt> {
        crate::dcc::parse_cwt_general(payload).ok()
    }

    fn enc(v: &Cbor) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = ciborium::ser::into_writer(v, &mut out);
        out
    }

    fn claims(entries: Vec<(Cbor, Cbor)>) -> Vec<u8> {
        enc(&Cbor::Map(entries))
    }

    fn dcc(entries: Vec<(Cbor, Cbor)>) -> Cbor {
        Cbor::Map(vec![(Cbor::Integer(1.into()), Cbor::Map(entries))])
    }

    fn t(s: &str) -> Cbor {
        Cbor::Text(s.into())
    }

    fn i(n: i64) -> Cbor {
        Cbor::Integer(n.into())
    }

    #[test]
    fn fast_path_matches_or_gives_up() {
        let usual = vec![
            (t("ver"), t("1.3.0")),
            (t("nam"), Cbor::Map(vec![(t("fnt"), t("X"))])),
            (
                t("v"),
                Cbor::Array(vec![Cbor::Map(vec![
                    (t("dn"), i(1)),
                    (t("x"), Cbor::Float(0.5)),
                ])]),
            ),
            (t("n"), Cbor::Null),
        ];
        let base = |hcert: Cbor| {
            claims(vec![
                (i(1), t("DE")),
                (i(4), i(1_700_000_000)),
                (i(6), i(1_600_000_000)),
                (i(-260), hcert),
            ])
        };
        // The usual shape: both paths agree.
        let ok = base(dcc(usual.clone()));
        assert!(parse(&ok).is_some());
        assert_eq!(parse(&ok), general(&ok));
        // Unusual shapes: the fast path gives up, whatever the general path makes of them.
        let mut unusual = vec![
            base(dcc([
                usual.clone(),
                vec![(t("b"), Cbor::Bytes(vec![1, 2]))],
            ]
            .concat())),
            base(dcc([
                usual.clone(),
                vec![(t("d"), Cbor::Tag(0, Box::new(t("2021-01-01"))))],
            ]
            .concat())),
            base(dcc([usual.clone(), vec![(i(7), t("int key"))]].concat())),
            base(dcc([usual.clone(), vec![(t("ver"), t("again"))]].concat())),
            base(dcc(
                [usual.clone(), vec![(t("f"), Cbor::Float(f64::NAN))]].concat()
            )),
            base(dcc([
                usual.clone(),
                vec![(Cbor::Tag(9, Box::new(t("k"))), t("tagged key"))],
            ]
            .concat())),
            base(Cbor::Map(vec![])),
            base(t("not a map")),
            claims(vec![
                (i(1), t("DE")),
                (i(1), t("FR")),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![
                (i(4), Cbor::Float(1.7e9)),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![
                (i(4), Cbor::Tag(1, Box::new(i(5)))),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![
                (i(4), Cbor::Tag(42, Box::new(i(5)))),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![
                (i(1), Cbor::Tag(42, Box::new(t("DE")))),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![
                (i(4), Cbor::Integer(u64::MAX.into())),
                (i(-260), dcc(usual.clone())),
            ]),
            claims(vec![(i(1), i(5)), (i(-260), dcc(usual.clone()))]),
            claims(vec![(i(6), t("soon")), (i(-260), dcc(usual.clone()))]),
            claims(vec![(i(1), t("DE"))]),
            enc(&Cbor::Array(vec![])),
            [ok.clone(), vec![0]].concat(),
        ];
        unusual.push(ok[..ok.len() - 1].to_vec());
        for (n, payload) in unusual.iter().enumerate() {
            assert_eq!(parse(payload), None, "case {n}");
        }
        // A u64 that fits is read alike; the fast path is a strict subset.
        let fits = base(dcc([
            usual.clone(),
            vec![(t("u"), Cbor::Integer((i64::MAX as u64 + 1).into()))],
        ]
        .concat()));
        assert_eq!(parse(&fits), general(&fits));
        assert!(parse(&fits).is_some());
    }

    /// Every peer DCC payload, and every single-bit change of a few of them: when the fast
    /// path answers, it answers as the general path does.
    #[test]
    fn fast_path_agrees_on_peer_payloads() {
        let mut dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = loop {
            if dir.join("shared/peers/dcc").is_dir() {
                break dir.join("shared/peers/dcc");
            }
            if !dir.pop() {
                eprintln!("shared/peers/dcc not found: peer payloads NOT compared");
                assert_ne!(std::env::var("CI").as_deref(), Ok("true"));
                return;
            }
        };
        let mut stack = vec![root];
        let (mut fast, mut total, mut mutated) = (0, 0, 0);
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(case) =
                    serde_json::from_slice::<Json>(&std::fs::read(&path).unwrap_or_default())
                else {
                    continue;
                };
                let Some(Ok((cose, _))) = case["PREFIX"].as_str().map(crate::dcc::decode_steps)
                else {
                    continue;
                };
                total += 1;
                let payload = cose.payload;
                if let Some(cwt) = parse(&payload) {
                    fast += 1;
                    assert_eq!(Some(cwt), general(&payload), "{}", path.display());
                }
                if total % 40 == 1 {
                    for i in 0..payload.len() {
                        let mut m = payload.clone();
                        m[i] ^= 0x20;
                        if let Some(cwt) = parse(&m) {
                            mutated += 1;
                            assert_eq!(Some(cwt), general(&m), "{} byte {i}", path.display());
                        }
                    }
                }
            }
        }
        eprintln!("fast CWT path: {fast} of {total} peer payloads, {mutated} mutations");
        // 157 of 180: the others carry tags or fractional times (the general path reads them).
        assert!(fast * 10 >= total * 8, "{fast} of {total}");
        assert!(mutated > 100);
    }
}
