//! One module per subcommand; each uses only `cli`, `stream` and `output`, never another
//! command.

pub mod decode;
pub mod demo;
pub mod issue;
pub mod keys;
pub mod qr;
pub mod status;
pub mod trust;
pub mod verify;
