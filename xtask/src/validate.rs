//! `cargo xtask validate --operation ID --status CODE FILE [--content-type T] [--format text|json] [--no-overlays]`
//!
//! Judges one saved response body: exit 0 conforming, 1 drift, 2 usage or input error.

use std::path::PathBuf;
use std::process::ExitCode;

use contract_tests::commands::{self, ValidateFormat, ValidateOptions};

use crate::args::{SpecArgs, TextOrJson};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `operationId` the response belongs to.
    #[arg(long)]
    operation: String,
    /// HTTP status of the response.
    #[arg(long)]
    status: u16,
    /// The response's Content-Type.
    #[arg(long, default_value = "application/json")]
    content_type: String,
    /// The saved response body (`-` for standard input).
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    spec: SpecArgs,
}

pub fn run(args: Args) -> Result<ExitCode, crate::Error> {
    commands::validate(ValidateOptions {
        operation: args.operation,
        status: args.status,
        content_type: args.content_type,
        file: args.file,
        format: match args.format {
            TextOrJson::Text => ValidateFormat::Text,
            TextOrJson::Json => ValidateFormat::Json,
        },
        specs: args.spec.specs(),
    })
}
