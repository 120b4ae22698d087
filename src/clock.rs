//! Where the long-running loops read the time: the system clock in production, a hand-moved one in tests.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// A look-back a user typed (`--since 24h`, `/search since:3d`) that is not a duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a duration: give a duration such as 24h, 3d or 2w")]
pub struct LookbackError(pub String);

/// Parses a look-back such as `24h`, `3d`, `2w` or `90m` (humantime's syntax), as typed on the command line
/// or in Discord.
pub fn parse_lookback(s: &str) -> Result<chrono::Duration, LookbackError> {
    humantime::parse_duration(s.trim())
        .ok()
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .ok_or_else(|| LookbackError(s.to_owned()))
}

/// A source of "now" for the poller and the scheduler.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to: tests and simulations set it and step it forward.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock reading `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    /// Sets the time.
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = t;
    }

    /// Moves the time forward by `d`.
    pub fn advance(&self, d: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookbacks_parse_and_errors_say_what_works() {
        assert_eq!(parse_lookback(" 3d "), Ok(chrono::Duration::days(3)));
        assert_eq!(parse_lookback("90m"), Ok(chrono::Duration::minutes(90)));
        let e = parse_lookback("yesterday").unwrap_err().to_string();
        assert_eq!(
            e,
            "\"yesterday\" is not a duration: give a duration such as 24h, 3d or 2w"
        );
        assert!(parse_lookback("99999999999999999999y").is_err());
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = Utc::now();
        let c = ManualClock::new(start);
        assert_eq!(c.now(), start);
        c.advance(chrono::Duration::minutes(5));
        assert_eq!(c.now(), start + chrono::Duration::minutes(5));
        c.set(start);
        assert_eq!(c.now(), start);
    }
}
