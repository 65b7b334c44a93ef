//! Command-line pieces several commands share: which specs, output
//! formats, drift names. The libraries take the typed values these parse
//! into; no library parses a command line.

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::builder::PossibleValue;
use contract_tests::commands::Specs;
use contract_tests::mock::Drift;

/// Which specs a command reads.
#[derive(Debug, Clone, clap::Args)]
pub struct SpecArgs {
    /// Spec files, overlays or directories (default: specs/).
    #[arg(long = "spec", value_name = "PATH")]
    pub specs: Vec<PathBuf>,
    /// Use the documents exactly as vendored, without overlays.
    #[arg(long)]
    pub no_overlays: bool,
}

impl SpecArgs {
    /// The named specs, else this repository's `specs/` ([`crate::specs_dir`]).
    pub fn specs(&self) -> Specs {
        Specs {
            inputs: if self.specs.is_empty() {
                vec![crate::specs_dir()]
            } else {
                self.specs.clone()
            },
            overlays: !self.no_overlays,
        }
    }
}

/// `--format text|json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    /// For people.
    Text,
    /// For tools.
    Json,
}

/// A drift name (`--inject-drift`): every [`Drift`] the mock knows, with
/// its description as the choice's help, so the list cannot go stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftArg(pub Drift);

impl clap::ValueEnum for DriftArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: OnceLock<Vec<DriftArg>> = OnceLock::new();
        ALL.get_or_init(|| Drift::ALL.into_iter().map(DriftArg).collect())
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()).help(self.0.description()))
    }
}
