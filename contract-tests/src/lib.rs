//! Contract tests for the Ottu API: judge responses against the specs and
//! report drift, against the embedded mock server or a live sandbox.
//!
//! ```text
//! Spec --Validators::new--> compiled validators (operation x status x content type)
//!        ├── Validators::validate(response)  -> drift findings
//!        ├── mock::MockServer::start(...)    -> HTTP server on 127.0.0.1
//!        └── suite::run(...)                 -> Report (text, JSON, JUnit, markdown)
//! ```

pub mod drift;
pub mod finding;
pub mod shape;
pub mod strict;
pub mod validators;

pub use drift::{ResponseJudge, UnknownOperation};
pub use finding::{Finding, Kind, Severity};
pub use validators::{BuildError, Validators};
pub mod commands;
pub mod loadgen;
pub mod mock;
pub mod report;
pub mod suite;
