//! The scheduler's counters: live atomics the posting tasks bump, read as [`Stats`].

use std::sync::atomic::AtomicU64;

/// Counters over the scheduler's life, for logs and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Messages posted.
    pub posted: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Other failed attempts that were retried.
    pub retried: u64,
    /// Deliveries given up.
    pub failed: u64,
    /// Channels paused because they are gone or forbidden.
    pub paused: u64,
    /// Calls made to the LLM endpoint for channels with LLM summaries.
    pub llm_calls: u64,
    /// LLM summaries taken from the cache instead (each would have been a call without it).
    pub llm_cached: u64,
}

/// The live counters behind [`Stats`].
#[derive(Default)]
pub(super) struct Counters {
    pub(super) posted: AtomicU64,
    pub(super) rate_limited: AtomicU64,
    pub(super) retried: AtomicU64,
    pub(super) failed: AtomicU64,
    pub(super) paused: AtomicU64,
    pub(super) llm_calls: AtomicU64,
    pub(super) llm_cached: AtomicU64,
}
