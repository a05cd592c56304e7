//! The JNI glue of hcx's Java binding (`org.hcx`, in `bindings/java/java`): Java hands over
//! byte arrays, the glue runs the C binding's safe operations (`hcx::api`, over the facade
//! `hcx-verify`) and hands back byte arrays. Every verdict is the facade's SPEC §9 JSON; no rule
//! is written here.
//!
//! The unsafe code is all in `exports` (the exported `Java_org_hcx_Native_*` functions and the
//! verifier handle); `glue` is safe code and holds everything else.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod exports;
pub mod glue;
