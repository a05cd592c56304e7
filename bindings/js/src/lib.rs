//! hcx for JavaScript: the [`hcx_verify`] facade compiled to WebAssembly with wasm-bindgen, for
//! Node, browsers and mini-programs (`bindings/js/README.md`).
//!
//! [`core`] does the work in plain Rust; [`ffi`] exports it. Every answer is the facade's own
//! JSON (SPEC §9 verdicts through its one serializer), never a copy of it. Two builds come from
//! this crate: without features, hcx codes only (the small one); with `full`, every format and
//! codes from pictures and camera frames.
#![deny(unsafe_code)]

pub mod core;
pub mod ffi;
