//! One rate limiter per provider, shared by every search herald runs: a gap between any two requests to the
//! provider, a minimum time between two requests for the same query, and a pause after the provider answers
//! 429 (its Retry-After, else a default). Times come from herald's clock, so tests hold limits on a test clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A provider's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Between any two requests to the provider.
    pub gap: Duration,
    /// Between two requests for the same query.
    pub per_query: Duration,
    /// How long to stay away after a 429 that names no Retry-After.
    pub after_429: Duration,
}

#[derive(Debug, Default)]
struct State {
    next: Option<DateTime<Utc>>,
    last_query: HashMap<String, DateTime<Utc>>,
}

/// The shared limiter; see the module docs.
#[derive(Debug, Default)]
pub struct Limiter {
    providers: Mutex<HashMap<String, State>>,
}

fn span(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Limiter {
    /// Takes `provider`'s turn for `query` at `now`, or says when the next turn comes.
    pub fn take(
        &self,
        provider: &str,
        limits: Limits,
        query: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DateTime<Utc>> {
        let mut all = self.providers.lock().unwrap_or_else(|e| e.into_inner());
        let state = all.entry(provider.to_owned()).or_default();
        if let Some(next) = state.next.filter(|n| *n > now) {
            return Err(next);
        }
        let per_query = span(limits.per_query);
        if let Some(again) = state
            .last_query
            .get(query)
            .map(|t| *t + per_query)
            .filter(|t| *t > now)
        {
            return Err(again);
        }
        state.last_query.retain(|_, t| *t + per_query > now);
        state.last_query.insert(query.to_owned(), now);
        state.next = Some(now + span(limits.gap));
        Ok(())
    }

    /// Keeps every request to `provider` away until `until` (after a 429).
    pub fn pause(&self, provider: &str, until: DateTime<Utc>) {
        let mut all = self.providers.lock().unwrap_or_else(|e| e.into_inner());
        let state = all.entry(provider.to_owned()).or_default();
        state.next = Some(state.next.map_or(until, |n| n.max(until)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const LIMITS: Limits = Limits {
        gap: Duration::from_secs(5),
        per_query: Duration::from_secs(60),
        after_429: Duration::from_secs(120),
    };

    #[test]
    fn gap_per_query_and_pause_hold() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let s = |n| t0 + chrono::Duration::seconds(n);
        let l = Limiter::default();
        assert_eq!(l.take("gdelt", LIMITS, "a", t0), Ok(()));
        assert_eq!(l.take("gdelt", LIMITS, "b", s(1)), Err(s(5)), "5 s gap");
        assert_eq!(l.take("bing", LIMITS, "b", s(1)), Ok(()), "per provider");
        assert_eq!(l.take("gdelt", LIMITS, "b", s(5)), Ok(()));
        assert_eq!(
            l.take("gdelt", LIMITS, "a", s(30)),
            Err(s(60)),
            "same query"
        );
        assert_eq!(l.take("gdelt", LIMITS, "a", s(60)), Ok(()));
        l.pause("gdelt", s(300));
        assert_eq!(l.take("gdelt", LIMITS, "c", s(100)), Err(s(300)));
        l.pause("gdelt", s(200));
        assert_eq!(
            l.take("gdelt", LIMITS, "c", s(250)),
            Err(s(300)),
            "a shorter pause does not cut a longer one"
        );
        assert_eq!(l.take("gdelt", LIMITS, "c", s(300)), Ok(()));
    }
}
