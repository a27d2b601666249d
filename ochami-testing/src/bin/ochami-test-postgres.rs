//! `ochami-test-postgres`: the throwaway PostgreSQL of [`ochami_testing::postgres`] for test
//! suites in other languages (the Python bindings' pytest suite uses it), so there is one
//! harness.
//!
//! Protocol, one line each way:
//! - on start it prints the URL of a fresh, empty database, or `skip: <why>` when no
//!   PostgreSQL is installed (then it exits 0; under `CI=true` that is an error instead);
//! - every line read on stdin asks for one more database: it prints its URL;
//! - when stdin closes (or the process is killed) it exits, and the watchdog of
//!   [`ochami_testing::postgres`] stops the server and deletes its directory.
//!
//! With `OCHAMI_TEST_DATABASE_URL` set it starts nothing and creates the databases there.
//! Errors go to stderr with exit status 1.

use std::io::{BufRead, Write};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match serve().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ochami-test-postgres: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Nothing else runs on this runtime, so stdin and stdout are read and written blocking.
async fn serve() -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let mut lines = std::io::stdin().lock().lines();
    loop {
        match ochami_testing::postgres::fresh_database().await? {
            Some(db) => writeln!(out, "{}", db.url())?,
            None => {
                writeln!(
                    out,
                    "skip: no PostgreSQL installed (initdb/postgres on PATH or in /usr/lib/postgresql/*/bin)"
                )?;
                return out.flush();
            }
        }
        out.flush()?;
        if lines.next().transpose()?.is_none() {
            return Ok(());
        }
    }
}
