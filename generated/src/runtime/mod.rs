//! The hand-written runtime the generated operations call: configuration,
//! HTTP, errors, validation, union decoding, webhook signatures. It knows
//! nothing about Ottu's operations; generated code calls it, never the
//! other way round.

#![allow(
    dead_code,
    reason = "one runtime serves every spec set; a set without unions, constraints or parameters leaves some helpers unused"
)]

pub mod client;
pub mod config;
pub mod decimal;
pub mod drf;
pub mod error;
pub mod files;
pub mod notification;
pub mod nullable;
pub mod object;
pub mod options;
pub mod pass_through;
pub mod response;
pub mod retry;
pub mod secret;
pub mod trace;
pub mod union;
pub mod validate;
pub mod verdict;
pub mod webhook;
