//! `ochami completions <shell>` and `ochami man <dir>`: shell completions and man pages
//! generated from the command definitions, so they never drift from the flags.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::CommandFactory;

/// `ochami completions`.
#[derive(clap::Args)]
pub(crate) struct CompletionArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// `ochami man`.
#[derive(clap::Args)]
pub(crate) struct ManArgs {
    /// Directory the pages are written to (`ochami.1`, `ochami-smd.1`, ...).
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// Print the completion script of `C` for the shell.
pub(crate) fn completions<C: CommandFactory>(args: CompletionArgs) -> ExitCode {
    let mut cmd = C::command();
    clap_complete::generate(args.shell, &mut cmd, "ochami", &mut std::io::stdout());
    ExitCode::SUCCESS
}

/// Write one man page per command and subcommand of `C`.
pub(crate) fn man<C: CommandFactory>(args: ManArgs) -> ExitCode {
    match clap_mangen::generate_to(C::command(), &args.dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "ochami: cannot write man pages to {}: {e}",
                args.dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
