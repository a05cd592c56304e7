//! Fixtures shared by the registry's tests: one suite, run against SQLite always and against
//! PostgreSQL when `HCX_TEST_POSTGRES_URL` names a server (tools/ci/postgres-tests.sh starts
//! one and sets it).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::PathBuf;

use hcx_registry::Registry;

/// The environment variable with the PostgreSQL URL of the test server.
pub const POSTGRES_URL_VAR: &str = "HCX_TEST_POSTGRES_URL";

/// A registry location and a directory for published lists, removed when dropped.
pub struct Fixture {
    pub location: String,
    pub out: PathBuf,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// Another connection to the same registry (another node, another process).
    pub fn open(&self) -> Registry {
        Registry::open(&self.location).unwrap()
    }
}

/// A new SQLite registry file.
pub fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    Fixture {
        location: dir.path().join("registry.db").to_str().unwrap().to_owned(),
        out: dir.path().join("status"),
        _dir: dir,
    }
}

/// A new, empty schema on the test PostgreSQL server, or `None` (said loudly, past the test
/// harness's capture) when no server is configured.
pub fn postgres(test: &str) -> Option<Fixture> {
    let Ok(url) = std::env::var(POSTGRES_URL_VAR) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test} against PostgreSQL: {POSTGRES_URL_VAR} is not set \
             (tools/ci/postgres-tests.sh starts a server and runs these)"
        );
        return None;
    };
    let mut id = [0u8; 6];
    getrandom::fill(&mut id).unwrap();
    let schema = format!("t_{}", hex::encode(id));
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={url}: cannot connect: {e}"));
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let dir = tempfile::tempdir().unwrap();
    Some(Fixture {
        location: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        out: dir.path().join("status"),
        _dir: dir,
    })
}

/// Runs each named suite function against both backends.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[test]
            fn $name() {
                super::$name(&super::common::sqlite());
            })+
        }
        mod postgres {
            $(#[test]
            fn $name() {
                if let Some(f) = super::common::postgres(stringify!($name)) {
                    super::$name(&f);
                }
            })+
        }
    };
}
