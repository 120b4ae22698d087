//! When a channel's briefing is due: daily times or a cron expression, in the channel's IANA time zone.
//!
//! Both kinds are evaluated on *local wall-clock* times and then mapped to instants with one DST rule, so a
//! slot neither vanishes nor doubles when clocks change:
//! - a local time that does not exist (spring forward, e.g. 02:30 in New York) runs at the first minute that
//!   does exist after it (03:00), once;
//! - a local time that exists twice (fall back) runs at its first occurrence only.

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Why a schedule could not be read, with an example that works.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Not an IANA zone name.
    #[error(
        "unknown time zone {0:?}: use an IANA name such as Europe/Kyiv, America/New_York or UTC"
    )]
    Zone(String),
    /// A daily time that does not parse.
    #[error("{0:?} is not a time of day: use HH:MM, e.g. 08:00 or 08:00,18:30")]
    Time(String),
    /// A cron expression that does not parse.
    #[error(
        "{expr:?} is not a cron line ({reason}): a cron line is 5 fields, minute hour day-of-month month \
         day-of-week, e.g. \"0 8 * * 1-5\" (08:00 on weekdays) or \"30 7 * * *\" (07:30 every day)"
    )]
    Cron {
        /// The expression.
        expr: String,
        /// What is wrong.
        reason: String,
    },
    /// Runs closer together than a briefing may (`[schedule] min_interval_minutes`).
    #[error(
        "{spec:?} would post a briefing {every} apart; briefings here are at least {min} minutes apart, so pick \
         times at least that far apart, e.g. \"08:00,18:00\" or \"0 */{hours} * * *\""
    )]
    TooOften {
        /// The schedule.
        spec: String,
        /// The shortest gap found, for people ("5 seconds", "30 minutes").
        every: String,
        /// The smallest gap allowed, in minutes.
        min: u32,
        /// `min` rounded up to whole hours, for the example.
        hours: u32,
    },
    /// Never fires (a date that does not exist, such as 30 February).
    #[error(
        "{0:?} never comes round (a date that does not exist, such as 30 February?); pick a day that does, \
         e.g. \"0 8 28 2 *\""
    )]
    Never(String),
}

#[derive(Debug, Clone)]
enum When {
    Times(Vec<NaiveTime>),
    Cron(Box<cron::Schedule>),
}

/// A parsed schedule: when, and in which zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    when: When,
    tz: Tz,
    spec: String,
}

/// Parses an IANA time-zone name.
pub fn parse_zone(name: &str) -> Result<Tz, ScheduleError> {
    Tz::from_str(name.trim()).map_err(|_| ScheduleError::Zone(name.trim().to_owned()))
}

impl Schedule {
    /// Parses `"08:00"`, `"08:00,18:30"` or a cron expression (5 fields, minute first; 6 with seconds), in
    /// the zone named `tz`.
    pub fn parse(when: &str, tz: &str) -> Result<Self, ScheduleError> {
        let tz = parse_zone(tz)?;
        let spec = when.trim().to_owned();
        let looks_like_times = spec
            .split(',')
            .all(|p| p.trim().contains(':') && !p.trim().contains(' '));
        let when = if looks_like_times {
            let mut times = Vec::new();
            for part in spec.split(',') {
                let t = NaiveTime::parse_from_str(part.trim(), "%H:%M")
                    .map_err(|_| ScheduleError::Time(part.trim().to_owned()))?;
                times.push(t);
            }
            times.sort();
            times.dedup();
            When::Times(times)
        } else {
            let fields = spec.split_whitespace().count();
            let full = match fields {
                5 => standard_cron(&spec),
                // Six fields: seconds first (the cron crate's own form).
                6 => spec.clone(),
                n => {
                    return Err(ScheduleError::Cron {
                        expr: spec.clone(),
                        reason: format!("it has {n} field{}", if n == 1 { "" } else { "s" }),
                    });
                }
            };
            let parsed = cron::Schedule::from_str(&full).map_err(|e| ScheduleError::Cron {
                expr: spec.clone(),
                reason: cron_reason(&e.to_string()),
            })?;
            When::Cron(Box::new(parsed))
        };
        Ok(Self { when, tz, spec })
    }

    /// The zone.
    pub fn zone(&self) -> Tz {
        self.tz
    }

    /// The schedule as the user gave it.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// Refuses a schedule whose runs come closer together than `min` ([`ScheduleError::TooOften`]), or
    /// that never runs ([`ScheduleError::Never`]), looking at its runs over the coming year (500 at most).
    pub fn check_spacing(&self, now: DateTime<Utc>, min: Duration) -> Result<(), ScheduleError> {
        let horizon = now + Duration::days(366);
        let mut previous = self
            .next_after(now)
            .ok_or_else(|| ScheduleError::Never(self.spec.clone()))?;
        for _ in 0..500 {
            let Some(next) = self.next_after(previous).filter(|t| *t <= horizon) else {
                break;
            };
            let gap = next - previous;
            if gap < min {
                let minutes = u32::try_from(min.num_minutes()).unwrap_or(u32::MAX);
                return Err(ScheduleError::TooOften {
                    spec: self.spec.clone(),
                    every: human_gap(gap),
                    min: minutes,
                    hours: minutes.div_ceil(60).max(1),
                });
            }
            previous = next;
        }
        Ok(())
    }

    /// The next run at least `min` after `after` (so a stored schedule that runs more often than briefings
    /// may is held to `min`): the first run at or after `after + min`.
    pub fn next_spaced(&self, after: DateTime<Utc>, min: Duration) -> Option<DateTime<Utc>> {
        if min <= Duration::zero() {
            return self.next_after(after);
        }
        self.next_after(after + min - Duration::seconds(1))
    }

    /// The first run strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Start a little before the local wall time of `after`: around a DST change, a local time earlier on
        // the clock can still be a later instant.
        let local_after = after.with_timezone(&self.tz).naive_local() - Duration::hours(3);
        let mut candidates = self.local_candidates(local_after);
        candidates.find_map(|naive| resolve(self.tz, naive).filter(|t| *t > after))
    }

    /// The next `n` runs after `after`.
    pub fn upcoming(&self, after: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut t = after;
        while out.len() < n {
            match self.next_after(t) {
                Some(next) => {
                    out.push(next);
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// Local wall-clock times at or after `from`, in order (bounded: a few years ahead at most).
    fn local_candidates(
        &self,
        from: NaiveDateTime,
    ) -> Box<dyn Iterator<Item = NaiveDateTime> + '_> {
        match &self.when {
            When::Times(times) => {
                let start = from.date();
                Box::new(
                    (0..800)
                        .flat_map(move |d| {
                            times
                                .iter()
                                .map(move |t| (start + Duration::days(d)).and_time(*t))
                        })
                        .filter(move |n| *n >= from),
                )
            }
            // cron is evaluated on wall time by treating local time as if it were UTC (UTC has no gaps).
            When::Cron(s) => Box::new(
                s.after(&Utc.from_utc_datetime(&from))
                    .take(10_000)
                    .map(|t| t.naive_utc()),
            ),
        }
    }
}

/// The cron crate's error as a reason a person reads: its words, without the caret line it draws.
fn cron_reason(error: &str) -> String {
    let words: Vec<&str> = error
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().any(char::is_alphanumeric))
        .collect();
    let text = words.join(": ");
    let text = text
        .trim_start_matches("Invalid expression:")
        .trim_start_matches("Invalid expression")
        .trim()
        .trim_start_matches(':')
        .trim();
    if text.is_empty() {
        "a field does not read".to_owned()
    } else {
        text.to_owned()
    }
}

/// A gap between two runs, for people: "5 seconds", "1 minute", "30 minutes".
fn human_gap(gap: Duration) -> String {
    let secs = gap.num_seconds().max(0);
    if secs < 60 {
        format!("{secs} second{}", if secs == 1 { "" } else { "s" })
    } else {
        let minutes = secs / 60;
        format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
    }
}

/// A standard 5-field cron (minute hour day month weekday, weekday 0–7 with 0 and 7 Sunday) in the cron
/// crate's form: a seconds field first, and weekdays numbered 1–7 from Sunday.
fn standard_cron(spec: &str) -> String {
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let weekday = fields[4]
        .split(',')
        .map(|part| {
            let (range, step) = match part.split_once('/') {
                Some((r, s)) => (r, Some(s)),
                None => (part, None),
            };
            let range = range
                .split('-')
                .map(|n| match n.parse::<u8>() {
                    Ok(7) => "1".to_owned(),
                    Ok(d) => (d + 1).to_string(),
                    Err(_) => n.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("-");
            match step {
                Some(s) => format!("{range}/{s}"),
                None => range,
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "0 {} {} {} {} {weekday}",
        fields[0], fields[1], fields[2], fields[3]
    )
}

/// The instant of a local wall time under the DST rule in the module docs.
fn resolve(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    for minutes in 0..=180 {
        let t = naive + Duration::minutes(minutes);
        if let Some(earliest) = tz.from_local_datetime(&t).earliest() {
            return Some(earliest.with_timezone(&Utc));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn runs(when: &str, tz: &str, from: &str, n: usize) -> Vec<String> {
        let s = Schedule::parse(when, tz).unwrap();
        s.upcoming(utc(from), n)
            .into_iter()
            .map(|t| {
                t.with_timezone(&s.zone())
                    .format("%Y-%m-%d %H:%M %Z")
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn daily_times_in_a_zone() {
        assert_eq!(
            runs("18:30, 08:00", "Europe/Kyiv", "2025-05-16T06:00:00Z", 3),
            [
                "2025-05-16 18:30 EEST",
                "2025-05-17 08:00 EEST",
                "2025-05-17 18:30 EEST"
            ]
        );
    }

    #[test]
    fn spring_forward_gap_runs_once_at_the_first_valid_minute() {
        // New York skips 02:00–03:00 on 2025-03-09.
        assert_eq!(
            runs("02:30", "America/New_York", "2025-03-08T12:00:00Z", 3),
            [
                "2025-03-09 03:00 EDT",
                "2025-03-10 02:30 EDT",
                "2025-03-11 02:30 EDT"
            ]
        );
        // Kyiv skips 03:00–04:00 on 2025-03-30.
        assert_eq!(
            runs("03:30", "Europe/Kyiv", "2025-03-29T12:00:00Z", 2),
            ["2025-03-30 04:00 EEST", "2025-03-31 03:30 EEST"]
        );
        // Sydney skips 02:00–03:00 on 2025-10-05.
        assert_eq!(
            runs("02:30", "Australia/Sydney", "2025-10-04T00:00:00Z", 2),
            ["2025-10-05 03:00 AEDT", "2025-10-06 02:30 AEDT"]
        );
    }

    #[test]
    fn fall_back_repeat_runs_once() {
        // New York repeats 01:00–02:00 on 2025-11-02.
        assert_eq!(
            runs("01:30", "America/New_York", "2025-11-01T12:00:00Z", 2),
            ["2025-11-02 01:30 EDT", "2025-11-03 01:30 EST"]
        );
        // Even asked from between the two occurrences, the second one is not a new run.
        let s = Schedule::parse("01:30", "America/New_York").unwrap();
        let first = s.next_after(utc("2025-11-02T00:00:00Z")).unwrap();
        let next = s.next_after(first).unwrap();
        assert_eq!(next - first, Duration::hours(25));
        // Sydney repeats 02:00–03:00 on 2025-04-06; Kyiv repeats 03:00–04:00 on 2025-10-26.
        assert_eq!(
            runs("02:30", "Australia/Sydney", "2025-04-05T00:00:00Z", 2),
            ["2025-04-06 02:30 AEDT", "2025-04-07 02:30 AEST"]
        );
        assert_eq!(
            runs("03:30", "Europe/Kyiv", "2025-10-25T12:00:00Z", 2),
            ["2025-10-26 03:30 EEST", "2025-10-27 03:30 EET"]
        );
    }

    #[test]
    fn cron_follows_the_same_dst_rule() {
        assert_eq!(
            runs("30 2 * * *", "America/New_York", "2025-03-08T12:00:00Z", 2),
            ["2025-03-09 03:00 EDT", "2025-03-10 02:30 EDT"]
        );
        assert_eq!(
            runs("0 8 * * 1-5", "Europe/Kyiv", "2025-05-16T06:00:00Z", 2),
            ["2025-05-19 08:00 EEST", "2025-05-20 08:00 EEST"],
            "Friday 09:00 local is past 08:00; next is Monday"
        );
    }

    #[test]
    fn schedules_that_would_spam_or_never_run_are_refused() {
        let now = utc("2026-12-02T10:00:00Z");
        let hour = Duration::minutes(60);
        let check = |w: &str| Schedule::parse(w, "UTC").unwrap().check_spacing(now, hour);
        let err = check("*/5 * * * * *").unwrap_err().to_string();
        assert!(
            err.contains("5 seconds apart") && err.contains("at least 60 minutes"),
            "{err}"
        );
        let err = check("*/30 * * * *").unwrap_err().to_string();
        assert!(err.contains("30 minutes apart"), "{err}");
        assert!(check("08:00,08:30").is_err());
        // Close together only once a month is still too close.
        assert!(check("*/5 8 1 * *").is_err());
        assert!(check("0 * * * *").is_ok());
        assert!(check("08:00,18:30").is_ok());
        assert!(check("0 8 * * 1-5").is_ok());
        assert!(matches!(check("0 0 30 2 *"), Err(ScheduleError::Never(_))));
        let err = check("0 0 30 2 *").unwrap_err().to_string();
        assert!(err.contains("never comes round"), "{err}");
        // A stored schedule that runs more often is held to the smallest gap.
        let every = Schedule::parse("*/5 * * * *", "UTC").unwrap();
        assert_eq!(
            every.next_spaced(now, hour),
            Some(utc("2026-12-02T11:00:00Z"))
        );
        assert_eq!(
            every.next_spaced(now, Duration::zero()),
            Some(utc("2026-12-02T10:05:00Z"))
        );
    }

    #[test]
    fn errors_name_the_problem_and_an_example() {
        let e = |w: &str, tz: &str| Schedule::parse(w, tz).unwrap_err().to_string();
        assert!(e("08:00", "Europe/Kiev2").contains("unknown time zone \"Europe/Kiev2\""));
        assert!(e("25:00", "UTC").contains("\"25:00\" is not a time of day: use HH:MM"));
        assert!(e("every morning", "UTC").contains("e.g. \"0 8 * * 1-5\""));
        // A cron error says what a cron line is, never a bare caret.
        let three = e("* * *", "UTC");
        assert!(
            three.contains("it has 3 fields") && three.contains("a cron line is 5 fields"),
            "{three}"
        );
        assert!(!three.contains("(^)"), "{three}");
        let bad = e("61 * * * *", "UTC");
        assert!(
            bad.contains("a cron line is 5 fields") && !bad.contains("(^)"),
            "{bad}"
        );
        assert!(bad.chars().any(|c| c.is_alphabetic()), "{bad}");
    }
}
