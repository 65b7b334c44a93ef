//! `cargo xtask mock [--port N] [--seed S] [--no-overlays]`
//!
//! Serves every operation of `specs/` on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;

pub use contract_tests::cli::MockArgs as Args;

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    contract_tests::cli::mock(args, &crate::specs_dir())
}
