//! The service's metrics in Prometheus' text format: requests by endpoint and status, request
//! latency as a histogram, and decisions by verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counters, updated by every request.
#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    /// (endpoint, status) → requests.
    requests: BTreeMap<(String, u16), u64>,
    /// Requests per latency bucket (the last: above every bucket), their sum and count.
    latency: [u64; BUCKETS.len() + 1],
    latency_sum: f64,
    latency_count: u64,
    /// Verdict → decisions.
    decisions: BTreeMap<String, u64>,
}

impl Metrics {
    /// Counts a request to `endpoint` answered with `status` after `took`.
    pub(crate) fn request(&self, endpoint: &str, status: u16, took: Duration) {
        let mut counts = self.lock();
        *counts
            .requests
            .entry((endpoint.to_string(), status))
            .or_default() += 1;
        let seconds = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|&b| seconds <= b)
            .unwrap_or(BUCKETS.len());
        counts.latency[bucket] += 1;
        counts.latency_sum += seconds;
        counts.latency_count += 1;
    }

    /// Counts a decision with `verdict` (or none: no claim yet).
    pub(crate) fn decision(&self, verdict: Option<&str>) {
        *self
            .lock()
            .decisions
            .entry(verdict.unwrap_or("(none)").to_string())
            .or_default() += 1;
    }

    /// The metrics in Prometheus' text exposition format.
    pub(crate) fn text(&self) -> String {
        let counts = self.lock();
        let mut out = String::new();
        out.push_str("# HELP credence_requests_total Requests, by endpoint and status.\n");
        out.push_str("# TYPE credence_requests_total counter\n");
        for ((endpoint, status), n) in &counts.requests {
            let _ = writeln!(
                out,
                "credence_requests_total{{endpoint=\"{}\",status=\"{status}\"}} {n}",
                label(endpoint)
            );
        }
        out.push_str("# HELP credence_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE credence_request_duration_seconds histogram\n");
        let mut cumulative = 0;
        for (bound, n) in BUCKETS.iter().zip(&counts.latency) {
            cumulative += n;
            let _ = writeln!(
                out,
                "credence_request_duration_seconds_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "credence_request_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            counts.latency_count
        );
        let _ = writeln!(
            out,
            "credence_request_duration_seconds_sum {}",
            counts.latency_sum
        );
        let _ = writeln!(
            out,
            "credence_request_duration_seconds_count {}",
            counts.latency_count
        );
        out.push_str("# HELP credence_decisions_total Decisions made, by verdict.\n");
        out.push_str("# TYPE credence_decisions_total counter\n");
        for (verdict, n) in &counts.decisions {
            let _ = writeln!(
                out,
                "credence_decisions_total{{verdict=\"{}\"}} {n}",
                label(verdict)
            );
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        match self.inner.lock() {
            Ok(counts) => counts,
            Err(poisoned) => poisoned.into_inner(),
        }
    }
}

/// A label value escaped as the format asks (backslash, quote, newline).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
