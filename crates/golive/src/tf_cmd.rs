//! `golive tf doctor`: the flags to golive-tfstate's options, standard input for the typed
//! confirmation, and its exit code (0 healthy, 1 problems or fixed with steps left, 2 usage,
//! configuration or connection error).

use crate::EXIT_USAGE;
use crate::cli::{OutputFormat, TfArgs, TfCommand, TfDoctorArgs};
use anyhow::Result;
use std::io::{BufRead, Write};

pub fn run(args: TfArgs) -> Result<u8> {
    match args.command {
        TfCommand::Doctor(args) => doctor(args),
    }
}

fn doctor(args: TfDoctorArgs) -> Result<u8> {
    let min_lock_age_secs = match golive_tfstate::parse_age(&args.min_lock_age) {
        Ok(secs) => secs,
        Err(e) => {
            anstream::eprintln!("golive: error: --min-lock-age: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let mut opts = golive_tfstate::Options::new(&args.dir);
    opts.overrides = golive_tfstate::config::Overrides {
        bucket: args.bucket,
        key: args.key,
        region: args.region,
        workspace_key_prefix: args.workspace_key_prefix,
        dynamodb_table: args.dynamodb_table,
        use_lockfile: args.use_lockfile.then_some(true),
        endpoint_url: args.endpoint_url,
        profile: args.profile,
        workspace: args.workspace,
        backend_config: args.backend_config,
    };
    opts.format = match args.format {
        OutputFormat::Text => golive_tfstate::Format::Text,
        OutputFormat::Json => golive_tfstate::Format::Json,
    };
    opts.fix = args.fix;
    opts.dry_run = args.dry_run;
    opts.force = args.force;
    opts.min_lock_age_secs = min_lock_age_secs;
    opts.backup_dir = args.backup_dir;
    opts.backup_prefix = args.backup_prefix;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut err = std::io::stderr();
    // The confirmation is the lock ID typed on standard input (a terminal, or piped by a
    // script that knows the ID: either way a deliberate act).
    let mut confirm = |prompt: &str| -> Option<String> {
        let mut e = std::io::stderr();
        let _ = write!(e, "{prompt}");
        let _ = e.flush();
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line),
        }
    };
    let mut before = |_: usize, _: &golive_tfstate::fix::Step| {};
    Ok(golive_tfstate::run(
        &opts,
        &mut golive_tfstate::Io {
            out: &mut out,
            err: &mut err,
            confirm: &mut confirm,
            before_step: &mut before,
        },
    ))
}
