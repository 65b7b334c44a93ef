//! Validation throughput: the full judge vs the raw `jsonschema` validator
//! on the same compiled schema, measured in one call.

use std::time::Instant;

use contract_tests::Validators;
use serde_json::Value;

/// Validations per second of one body, three ways, measured in one call.
#[derive(Debug, Clone, Copy)]
pub struct ValidationRates {
    /// The full judge (schema, undeclared properties, findings) on a
    /// `ResponseJudge` resolved once.
    pub judge: f64,
    /// The same, looking the operation and status up for every body
    /// (`Validators::validate_value`).
    pub by_id: f64,
    /// `jsonschema`'s `is_valid` on the same compiled (non-strict) schema.
    pub raw: f64,
}

/// Validations per second of `body` as a `status` response of `operation`.
/// `None` if the operation/status has no JSON schema.
pub fn validations_per_second(
    validators: &Validators,
    operation: &str,
    status: u16,
    body: &Value,
    n: u64,
) -> Option<ValidationRates> {
    let op = validators.operation(operation)?;
    let compiled = op.response(status)?.json_schema()?;
    let judge = validators.response_judge(operation, status).ok()?;
    let mut sink = 0usize;
    let mut rate = |f: &mut dyn FnMut() -> usize| {
        let started = Instant::now();
        for _ in 0..n {
            sink += f();
        }
        n as f64 / started.elapsed().as_secs_f64()
    };
    let by_id = rate(&mut || {
        validators
            .validate_value(operation, status, std::hint::black_box(body))
            .map(|f| f.len())
            .unwrap_or(0)
    });
    let judged = rate(&mut || judge.validate_value(std::hint::black_box(body)).len());
    let raw = rate(&mut || usize::from(compiled.validator().is_valid(std::hint::black_box(body))));
    std::hint::black_box(sink);
    Some(ValidationRates {
        judge: judged,
        by_id,
        raw,
    })
}
