//! The golive command line: wires argv and golive.toml to the scan, the engine and a renderer,
//! and turns the verdict into an exit code (0 ready, 1 not ready, 2 usage, config or input error).

mod catalogue_cmd;
mod check_cmd;
mod checklist_cmd;
mod cli;
mod fleet;
mod init_cmd;
mod probe_cmd;
mod progress;
#[cfg(feature = "tf")]
mod tf_cmd;

use clap::Parser;
use std::process::ExitCode;

/// The gate is met.
pub const EXIT_READY: u8 = 0;
/// The gate is not met.
pub const EXIT_NOT_READY: u8 = 1;
/// Usage, configuration or input error.
pub const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_READY
            });
        }
    };
    let result = match cli.command {
        cli::Command::Check(args) => check_cmd::run(args),
        cli::Command::Checks(args) => catalogue_cmd::list(args),
        cli::Command::Explain(args) => catalogue_cmd::explain(args),
        cli::Command::Checklist(args) => checklist_cmd::run(args),
        cli::Command::Init(args) => init_cmd::run(args),
        #[cfg(feature = "tf")]
        cli::Command::Tf(args) => tf_cmd::run(args),
        cli::Command::Probe(args) => probe_cmd::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            anstream::eprintln!("golive: error: {e:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
