//! `nn`: train, evaluate and inspect multi-layer perceptrons from the command line.
//!
//! This binary parses arguments and renders events; the training logic lives in `nn-train`.

mod args;
mod cmd;

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors: clap prints them and exits with 2. The matches are kept to tell a flag given on the
    // command line from its default (`nn train --resume` refuses only flags that were given).
    let matches = args::Cli::command().get_matches();
    let cli = args::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A bug must still end in one line and a non-zero code, not a panic's backtrace (exit 101).
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned());
        eprintln!(
            "nn: internal error (a bug in nn; please report it): {}",
            msg.unwrap_or_default()
        );
    }));
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        cmd::run(cli.command, &matches)
    })) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS, // `nn predict … | head` is not an error
        Ok(Err(e)) => {
            let chain: Vec<String> = e.chain().map(cause).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(70), // EX_SOFTWARE
    }
}

/// One link of an error's chain as the command line says it: the library names a setting as its spec does
/// (`select`), the command line as its flag (`--select`).
fn cause(e: &(dyn std::error::Error + 'static)) -> String {
    match e.downcast_ref::<nn::Error>() {
        Some(nn::Error::Setting { .. }) => format!("--{e}"),
        _ => e.to_string(),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
