//! `cargo xtask contract [--base-url URL] [--format text|json|markdown] [--junit FILE] [--seed N] [--cases N] [--allow-production] [--allow-payments]`
//!
//! The contract suite: against the embedded mock by default, against a
//! live server with `OTTU_BASE_URL` + `OTTU_API_KEY` (or `--base-url`).
//! Exit 1 on error-level drift.

use std::process::ExitCode;

pub use contract_tests::cli::ContractArgs as Args;

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    contract_tests::cli::contract(args, &crate::specs_dir())
}
