//! Errors a user can cause, each with the file and JSON pointer at fault.

use std::fmt;
use std::path::PathBuf;

/// A place in a spec file: the file and a JSON pointer into it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    /// RFC 6901 pointer; `""` is the whole document.
    pub pointer: String,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, pointer: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            pointer: pointer.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file.display(), self.pointer)
    }
}

/// Why a set of documents could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: cannot read: {source}", file = file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: not valid {format}: {message}", file = file.display())]
    Parse {
        file: PathBuf,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
    #[error("{at}: unsupported OpenAPI version {found:?} (supported: 3.0.x and 3.1.x)")]
    Version { at: Location, found: String },
    #[error("{at}: $ref {target:?} does not resolve: {why}")]
    DanglingRef {
        at: Location,
        target: String,
        why: String,
    },
    #[error("{at}: $ref cycle that never reaches a concrete schema: {}", chain.join(" -> "))]
    CyclicRef { at: Location, chain: Vec<String> },
    #[error("{at}: $ref {target:?} is not followed: {why}")]
    ForbiddenRef {
        at: Location,
        target: String,
        why: String,
    },
    #[error("{name} is defined differently in {first} and {second}")]
    Conflict {
        name: String,
        first: Location,
        second: Location,
    },
    #[error("{at}: overlay action failed: {message}")]
    Overlay { at: Location, message: String },
    #[error("no OpenAPI documents found in {}", inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))]
    NoDocuments { inputs: Vec<PathBuf> },
}

impl LoadError {
    /// Where the error is, when it has one place.
    pub fn location(&self) -> Option<Location> {
        match self {
            LoadError::Io { file, .. } => Some(Location::new(file.clone(), "")),
            LoadError::Parse { file, .. } => Some(Location::new(file.clone(), "")),
            LoadError::Invalid { at, .. }
            | LoadError::Version { at, .. }
            | LoadError::DanglingRef { at, .. }
            | LoadError::CyclicRef { at, .. }
            | LoadError::ForbiddenRef { at, .. }
            | LoadError::Overlay { at, .. } => Some(at.clone()),
            LoadError::Conflict { second, .. } => Some(second.clone()),
            LoadError::NoDocuments { .. } => None,
        }
    }
}
