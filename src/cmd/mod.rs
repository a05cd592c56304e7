//! One module per subcommand; each uses only `cli`, `stream` and `output`, never another
//! command.

pub mod decode;
pub mod demo;
pub mod issue;
pub mod keys;
pub mod qr;
pub mod serve;
pub mod status;
pub mod sync;
pub mod trust;
pub mod verify;
