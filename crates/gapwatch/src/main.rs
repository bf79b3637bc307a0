//! The gapwatch command line: owns the runtime, logging, progress and exit codes; the
//! libraries do the work.

/// Writes a line to stdout, returning an error (instead of panicking) when stdout is closed,
/// as when the output is piped into `head`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

/// Writes to stdout without a newline; see `outln!`.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?;
    }};
}

mod attention;
mod backfill;
mod cli;
mod commands;
mod demo;
mod diff;
mod evidence;
mod import;
mod ingest;
mod lock;
mod perspectives;
mod pipeline;
mod progress;
mod publish;
mod registry_cmd;
mod site;
mod table;
mod unresolved;
mod usage;
mod workspace;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;

/// Exit status when the command ran but some source failed or needs a person's attention.
pub const EXIT_ATTENTION: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match commands::run(cli) {
        Ok(status) => status,
        // The reader went away (`gapwatch … | head`): not an error of ours.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) if usage::is_usage(&err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(usage::EXIT_USAGE)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, not in a scheduler's log or mail.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
