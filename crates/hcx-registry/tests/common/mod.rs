//! Fixtures shared by the registry's tests: one suite, run against SQLite always and against
//! PostgreSQL by tools/ci/postgres-tests.sh, which starts a server, sets `HCX_TEST_POSTGRES_URL`
//! and runs the PostgreSQL tests (marked `#[ignore]`, so a plain `cargo test` lists them as
//! ignored rather than passing them without a server) with `--ignored`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

    /// Runs SQL on the database behind the registry's back (to damage it): `sqlite` on an
    /// SQLite registry, `postgres` on a PostgreSQL one.
    pub fn raw_sql(&self, sqlite: &str, postgres: &str) {
        if hcx_registry::is_postgres_url(&self.location) {
            postgres::Client::connect(&self.location, postgres::NoTls)
                .unwrap()
                .batch_execute(postgres)
                .unwrap();
        } else {
            rusqlite::Connection::open(&self.location)
                .unwrap()
                .execute_batch(sqlite)
                .unwrap();
        }
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

/// A new, empty schema on the test PostgreSQL server; fails the test when no server is
/// configured (these tests run only when asked for, with `--ignored`).
pub fn postgres(test: &str) -> Fixture {
    let url = std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{test}: {POSTGRES_URL_VAR} is not set: run tools/ci/postgres-tests.sh, which \
             starts a PostgreSQL server and runs these tests against it"
        )
    });
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
    Fixture {
        location: format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        out: dir.path().join("status"),
        _dir: dir,
    }
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
            #[ignore = "needs a PostgreSQL server: tools/ci/postgres-tests.sh runs it"]
            fn $name() {
                super::$name(&super::common::postgres(stringify!($name)));
            })+
        }
    };
}
