//! One module per subcommand.

pub mod batch;
pub mod demo;
pub mod issue;
pub mod keys;
pub mod qr;
pub mod trust;
pub mod verdict;
pub mod verify;
