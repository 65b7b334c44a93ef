//! Repeated measurements: a warm-up, then several runs, summarized as
//! median with min and max (these shared 2-core machines are noisy, so a
//! single run says little).

use std::time::{Duration, Instant};

/// How many runs each measurement gets.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub warmup: usize,
    pub runs: usize,
    /// Time budget of one throughput run (a loop or a load run).
    pub slice: Duration,
    pub quick: bool,
}

impl Plan {
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                warmup: 1,
                runs: 3,
                slice: Duration::from_millis(150),
                quick,
            }
        } else {
            Self {
                warmup: 1,
                runs: 7,
                slice: Duration::from_millis(400),
                quick,
            }
        }
    }

    /// Fewer runs for the slow, process-level measurements (seconds each).
    pub fn slow(self) -> Self {
        if self.quick {
            Self {
                warmup: 0,
                runs: 2,
                ..self
            }
        } else {
            Self {
                warmup: 1,
                runs: 3,
                ..self
            }
        }
    }
}

/// Median, min and max of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

impl Stats {
    /// `None` for no samples (or only NaNs).
    pub fn of(samples: &[f64]) -> Option<Self> {
        let mut s: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
        if s.is_empty() {
            return None;
        }
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            (s[n / 2 - 1] + s[n / 2]) / 2.0
        };
        Some(Self {
            median,
            min: s[0],
            max: s[n - 1],
            runs: n,
        })
    }
}

/// Runs `f` `plan.warmup` times untimed, then `plan.runs` times; each call
/// returns its own sample (a duration in ms, a rate, ...).
pub fn repeat<T, E>(plan: Plan, mut f: impl FnMut() -> Result<T, E>) -> Result<Vec<T>, E> {
    for _ in 0..plan.warmup {
        f()?;
    }
    (0..plan.runs).map(|_| f()).collect()
}

/// Milliseconds `f` takes.
pub fn time_ms<T, E>(f: impl FnOnce() -> Result<T, E>) -> Result<f64, E> {
    let started = Instant::now();
    std::hint::black_box(f()?);
    Ok(started.elapsed().as_secs_f64() * 1e3)
}

/// How many iterations of `f` fit in `budget`, from a short calibration
/// run (at least 10, so that cheap and expensive bodies both get a
/// meaningful loop).
pub fn iterations_for(budget: Duration, mut f: impl FnMut(u64)) -> u64 {
    let mut n = 10u64;
    loop {
        let started = Instant::now();
        f(n);
        let took = started.elapsed();
        if took >= budget / 10 || n >= 1 << 30 {
            let per = took.as_secs_f64() / n as f64;
            return ((budget.as_secs_f64() / per.max(1e-12)) as u64).max(10);
        }
        n *= 4;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let s = Stats::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (2.0, 1.0, 3.0, 3));
        let s = Stats::of(&[4.0, 1.0, 2.0, 3.0]).unwrap();
        assert_eq!(s.median, 2.5);
    }

    #[test]
    fn no_samples_no_stats() {
        assert_eq!(Stats::of(&[]), None);
        assert_eq!(Stats::of(&[f64::NAN]), None);
    }

    #[test]
    fn repeat_discards_warmup_and_stops_at_first_error() {
        let mut calls = 0;
        let plan = Plan {
            warmup: 2,
            runs: 3,
            slice: Duration::ZERO,
            quick: false,
        };
        let out: Result<Vec<f64>, ()> = repeat(plan, || {
            calls += 1;
            Ok(calls as f64)
        });
        assert_eq!(out.unwrap(), vec![3.0, 4.0, 5.0]);
        let out: Result<Vec<f64>, &str> = repeat(plan, || Err("boom"));
        assert_eq!(out.unwrap_err(), "boom");
    }
}
