//! `cargo xtask validate --operation ID --status CODE FILE [--content-type T] [--format json] [--no-overlays]`
//!
//! Judges one saved response body: exit 0 conforming, 1 drift, 2 usage or input error.

use std::process::ExitCode;

pub use contract_tests::cli::ValidateArgs as Args;

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    contract_tests::cli::validate(args, &crate::specs_dir())
}
