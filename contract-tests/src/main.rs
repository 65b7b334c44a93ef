//! `contract-tests validate|mock|contract`: the same commands as `cargo
//! xtask validate|mock|contract`, for use outside this repository.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use contract_tests::cli;

#[derive(Debug, Parser)]
#[command(
    name = "contract-tests",
    about = "Judge Ottu API responses against the specs; serve a mock; run the contract suite",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate one saved response body.
    Validate(cli::ValidateArgs),
    /// Serve every operation of the specs on 127.0.0.1.
    Mock(cli::MockArgs),
    /// Run the contract suite (embedded mock by default, live with OTTU_BASE_URL).
    Contract(cli::ContractArgs),
}

fn main() -> ExitCode {
    let args = match Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // `specs/` of the current directory, else of this repository.
    let here = PathBuf::from("specs");
    let dir = if here.is_dir() {
        here
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs")
    };
    let result = match args.command {
        Command::Validate(a) => cli::validate(a, &dir),
        Command::Mock(a) => cli::mock(a, &dir),
        Command::Contract(a) => cli::contract(a, &dir),
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}
