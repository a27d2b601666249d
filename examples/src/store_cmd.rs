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
//! snapshots unless asked for: an import keeps the passwords the target already has.
//!
//! `--secret-key-file` (`OCHAMI_SECRET_KEY_FILE`) is the key the store's credentials are
//! encrypted with at rest (as for `ochami serve`). `export --with-credentials` puts the
//! passwords in the snapshot, encrypted with `--snapshot-key-file` (default: the store's
//! key), never in clear; `import` opens them with that key and stores them the way the
//! target store does. `migrate --with-credentials` copies them from a store opened with
//! `--from-secret-key-file` to one opened with `--to-secret-key-file`.
//!
//! ```text
//! ochami store export --store sqlite://ochami.db --secret-key-file key --with-credentials -o site.jsonl
//! ochami store import --store postgres://ochami@db/ochami --secret-key-file key site.jsonl
//! ```

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ochami_store::secret::SecretKey;
use ochami_store::snapshot::{
    Counts, Entry, ImportMode, KINDS, export_snapshot, export_snapshot_with_credentials,
    import_snapshot, import_snapshot_with_credentials,
};
use ochami_store::{OpenOptions, Store, redact};

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
        #[command(flatten)]
        keys: KeyArgs,
        /// Put the BMC passwords in the snapshot, encrypted with the snapshot key.
        #[arg(long)]
        with_credentials: bool,
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
        #[command(flatten)]
        keys: KeyArgs,
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
        /// The key the source store's credentials are encrypted with.
        #[arg(long)]
        from_secret_key_file: Option<PathBuf>,
        /// The key the target store's credentials are (to be) encrypted with.
        #[arg(long)]
        to_secret_key_file: Option<PathBuf>,
        /// Copy the BMC passwords too.
        #[arg(long)]
        with_credentials: bool,
    },
}

/// The keys of `export` and `import`.
#[derive(Args)]
struct KeyArgs {
    /// The key the store's BMC credentials are encrypted with at rest.
    #[arg(long, env = "OCHAMI_SECRET_KEY_FILE")]
    secret_key_file: Option<PathBuf>,
    /// The key a snapshot's credentials are encrypted with (default: the store's key).
    #[arg(long)]
    snapshot_key_file: Option<PathBuf>,
}

impl KeyArgs {
    fn store_key(&self) -> Result<Option<SecretKey>, CmdError> {
        key(self.secret_key_file.as_deref())
    }

    fn snapshot_key(&self) -> Result<Option<SecretKey>, CmdError> {
        key(self
            .snapshot_key_file
            .as_deref()
            .or(self.secret_key_file.as_deref()))
    }
}

fn key(path: Option<&std::path::Path>) -> Result<Option<SecretKey>, CmdError> {
    Ok(path.map(SecretKey::from_file).transpose()?)
}

/// Open `url`, its credentials encrypted with `key` when given.
async fn open(url: &str, key: Option<SecretKey>) -> Result<Arc<dyn Store>, CmdError> {
    let mut options = OpenOptions::default();
    if let Some(k) = key {
        options = options.with_secret_key(k);
    }
    Ok(ochami_store::open_with(url, &options).await?)
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
    #[error(
        "--with-credentials needs a key to encrypt them with: --snapshot-key-file or --secret-key-file"
    )]
    NoSnapshotKey,
}

pub(crate) async fn run(args: StoreArgs) -> ExitCode {
    let result = match args.command {
        StoreCommand::Export {
            store,
            output,
            keys,
            with_credentials,
        } => export(&store, output, &keys, with_credentials).await,
        StoreCommand::Import {
            store,
            file,
            replace,
            keys,
        } => import(&store, file, mode(replace), &keys).await,
        StoreCommand::Migrate {
            from,
            to,
            replace,
            from_secret_key_file,
            to_secret_key_file,
            with_credentials,
        } => {
            let keys = (
                key(from_secret_key_file.as_deref()),
                key(to_secret_key_file.as_deref()),
            );
            match keys {
                (Ok(f), Ok(t)) => {
                    migrate(&from, &to, mode(replace), (f, t), with_credentials).await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
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

async fn export(
    url: &str,
    output: Option<PathBuf>,
    keys: &KeyArgs,
    with_credentials: bool,
) -> Result<(), CmdError> {
    let sealing = if with_credentials {
        Some(keys.snapshot_key()?.ok_or(CmdError::NoSnapshotKey)?)
    } else {
        None
    };
    let store = open(url, keys.store_key()?).await?;
    let out: Box<dyn Write + Send> = match &output {
        Some(path) => Box::new(File::create(path).map_err(|source| CmdError::File {
            path: path.clone(),
            source,
        })?),
        None => Box::new(std::io::stdout()),
    };
    let out = BufWriter::new(out);
    let counts = match &sealing {
        Some(k) => export_snapshot_with_credentials(store.as_ref(), out, k).await?,
        None => export_snapshot(store.as_ref(), out).await?,
    };
    eprintln!("exported {} records from {}", counts.total(), redact(url));
    Ok(())
}

async fn import(
    url: &str,
    path: PathBuf,
    mode: ImportMode,
    keys: &KeyArgs,
) -> Result<(), CmdError> {
    let opening = keys.snapshot_key()?;
    let store = open(url, keys.store_key()?).await?;
    let file = File::open(&path).map_err(|source| CmdError::File {
        path: path.clone(),
        source,
    })?;
    let input = BufReader::new(file);
    let counts = match &opening {
        Some(k) => import_snapshot_with_credentials(store.as_ref(), input, mode, k).await?,
        None => import_snapshot(store.as_ref(), input, mode).await?,
    };
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

async fn migrate(
    from: &str,
    to: &str,
    mode: ImportMode,
    (from_key, to_key): (Option<SecretKey>, Option<SecretKey>),
    with_credentials: bool,
) -> Result<(), CmdError> {
    let source = open(from, from_key).await?;
    let target = open(to, to_key).await?;
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
    let mut collect = |e: Entry| {
        entries.push(e);
        bar.inc(1);
        Ok(())
    };
    // With credentials the passwords travel in memory only, into the target's own form.
    if with_credentials {
        source.export_entries_with_credentials(&mut collect).await?;
    } else {
        source.export_entries(&mut collect).await?;
    }
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
