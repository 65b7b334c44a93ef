//! The Ottu OpenAPI toolchain's library: everything that reads specs.
//!
//! Data flows one way (see `ARCHITECTURE.md`):
//!
//! ```text
//! files --load--> Spec (one merged, canonical OpenAPI 3.1 document)
//!                  ├── lint(Spec)        -> findings
//!                  ├── diff(Spec, Spec)  -> changes
//!                  └── model(Spec) -> Api --emit--> Rust source
//! ```
//!
//! `load` knows nothing about Rust; every Rust naming and typing decision
//! lives in `model`; `emit` only prints what `model` decided.

pub mod diff;
pub mod emit;
pub mod error;
pub mod generate;
pub mod lint;
pub mod load;
pub mod model;
pub mod pointer;
pub mod sample;
pub mod schema;
pub mod spec;

pub use error::{LoadError, Location};
pub use load::{LoadOptions, load};
pub use spec::{Operation, Spec, walk};
