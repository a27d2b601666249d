//! `ochami store`: backups, restores and moving a site between stores, with the snapshot
//! format of [`ochami_store::snapshot`].
//!
//! ```text
//! ochami store export --store sqlite://ochami.db -o site.jsonl
//! ochami store import --store postgres://ochami@db/ochami site.jsonl [--replace]
//! ochami store migrate --from sqlite://ochami.db --to postgres://ochami@db/ochami
//! ```
//!
//! An export is one consistent read while the server keeps serving; an import is one write
//! transaction (a bad line imports nothing and is named). BMC passwords are not in
//! snapshots: an import keeps the passwords the target already has.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ochami_store::snapshot::{Counts, Entry, ImportMode, KINDS, export_snapshot, import_snapshot};
use ochami_store::{Store, redact};

/// `ochami store ...`.
#[derive(Args)]
pub(crate) struct StoreArgs {
    #[command(subcommand)]
    command: StoreCommand,
}

#[derive(Subcommand)]
enum StoreCommand {
    /// Write one consistent snapshot of everything a store holds (JSON Lines).
    Export {
        /// The store: memory:, sqlite://path or postgres://...
        #[arg(long, env = "OCHAMI_STORE")]
        store: String,
        /// Output file (default: standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Load a snapshot in one transaction, merging by key (all or nothing).
    Import {
        /// The store: memory:, sqlite://path or postgres://...
        #[arg(long, env = "OCHAMI_STORE")]
        store: String,
        /// The snapshot file.
        file: PathBuf,
        /// Delete everything in the store first, so it holds exactly the snapshot.
        #[arg(long)]
        replace: bool,
    },
    /// Copy everything from one store to another and check the counts on both sides.
    Migrate {
        /// The source store.
        #[arg(long)]
        from: String,
        /// The target store (must be empty unless --replace).
        #[arg(long)]
        to: String,
        /// Delete everything in the target first.
        #[arg(long)]
        replace: bool,
    },
}

/// Why a store command failed.
#[derive(Debug, thiserror::Error)]
enum CmdError {
    #[error(transparent)]
    Store(#[from] ochami_store::StoreError),
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the target store {0} is not empty; use --replace to overwrite it")]
    TargetNotEmpty(String),
    #[error("record counts differ after the migration: {0}")]
    CountMismatch(String),
}

pub(crate) async fn run(args: StoreArgs) -> ExitCode {
    let result = match args.command {
        StoreCommand::Export { store, output } => export(&store, output).await,
        StoreCommand::Import {
            store,
            file,
            replace,
        } => import(&store, file, mode(replace)).await,
        StoreCommand::Migrate { from, to, replace } => migrate(&from, &to, mode(replace)).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ochami store: {e}");
            ExitCode::FAILURE
        }
    }
}

fn mode(replace: bool) -> ImportMode {
    if replace {
        ImportMode::Replace
    } else {
        ImportMode::Merge
    }
}

async fn export(url: &str, output: Option<PathBuf>) -> Result<(), CmdError> {
    let store = ochami_store::open(url).await?;
    let counts = match &output {
        Some(path) => {
            let file = File::create(path).map_err(|source| CmdError::File {
                path: path.clone(),
                source,
            })?;
            export_snapshot(store.as_ref(), BufWriter::new(file)).await?
        }
        None => export_snapshot(store.as_ref(), BufWriter::new(std::io::stdout())).await?,
    };
    eprintln!("exported {} records from {}", counts.total(), redact(url));
    Ok(())
}

async fn import(url: &str, path: PathBuf, mode: ImportMode) -> Result<(), CmdError> {
    let store = ochami_store::open(url).await?;
    let file = File::open(&path).map_err(|source| CmdError::File {
        path: path.clone(),
        source,
    })?;
    let counts = import_snapshot(store.as_ref(), BufReader::new(file), mode).await?;
    eprintln!("imported {} records into {}", counts.total(), redact(url));
    print_counts(&mut std::io::stderr(), &[("records", &counts)]);
    Ok(())
}

/// Count what `store` holds, by record kind.
async fn count(store: &Arc<dyn Store>) -> Result<Counts, CmdError> {
    let mut counts = Counts::default();
    store
        .export_entries(&mut |e: Entry| {
            counts.add(&e);
            Ok(())
        })
        .await?;
    Ok(counts)
}

async fn migrate(from: &str, to: &str, mode: ImportMode) -> Result<(), CmdError> {
    let source = ochami_store::open(from).await?;
    let target = ochami_store::open(to).await?;
    // Every store holds the cluster defaults record, set or not.
    if mode == ImportMode::Merge && count(&target).await?.total() > 1 {
        return Err(CmdError::TargetNotEmpty(redact(to)));
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} records ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("reading {}:", redact(from)));
    let mut entries = Vec::new();
    source
        .export_entries(&mut |e: Entry| {
            entries.push(e);
            bar.inc(1);
            Ok(())
        })
        .await?;
    bar.set_message(format!("writing {} (one transaction):", redact(to)));
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    target.import_entries(&entries, mode).await?;
    bar.finish_with_message(format!("copied to {}:", redact(to)));
    let mut before = Counts::default();
    entries.iter().for_each(|e| before.add(e));
    drop(entries);
    let after = count(&target).await?;
    print_counts(
        &mut std::io::stderr(),
        &[("source", &before), ("target", &after)],
    );
    if before != after {
        let differ: Vec<String> = KINDS
            .iter()
            .filter(|k| before.get(k) != after.get(k))
            .map(|k| format!("{k} {} -> {}", before.get(k), after.get(k)))
            .collect();
        return Err(CmdError::CountMismatch(differ.join(", ")));
    }
    Ok(())
}

/// A table of counts per record kind, one column per side.
fn print_counts(out: &mut impl Write, sides: &[(&str, &Counts)]) {
    let mut line = format!("{:<22}", "kind");
    for (name, _) in sides {
        line.push_str(&format!("{name:>10}"));
    }
    let _ = writeln!(out, "{line}");
    for kind in KINDS {
        let mut line = format!("{kind:<22}");
        for (_, counts) in sides {
            line.push_str(&format!("{:>10}", counts.get(kind)));
        }
        let _ = writeln!(out, "{line}");
    }
}
