//! One module per subcommand.

mod common;
mod cv;
mod eval;
mod export;
mod gradcheck;
mod inspect;
mod predict;
mod resume;
mod sweep;
mod train;

use crate::args::Command;
use anyhow::Result;

/// Runs `command`; `matches` are the parsed arguments it came from.
pub fn run(command: Command, matches: &clap::ArgMatches) -> Result<()> {
    match command {
        Command::Train(a) => {
            let sub = matches.subcommand_matches("train");
            let given = |id: &str| {
                sub.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine)
            };
            train::run(*a, &given)
        }
        Command::Cv(a) => {
            let sub = matches.subcommand_matches("cv");
            let given = |id: &str| {
                sub.and_then(|m| m.value_source(id)) == Some(clap::parser::ValueSource::CommandLine)
            };
            cv::run(*a, &given)
        }
        Command::Eval(a) => eval::run(*a),
        Command::Predict(a) => predict::run(a),
        Command::Gradcheck(a) => gradcheck::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Export(a) => export::export(a),
        Command::Import(a) => export::import(a),
        Command::Sweep(a) => sweep::run(*a),
    }
}
