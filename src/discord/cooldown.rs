//! Cooldowns for commands that cost herald (and the sites it reads) real work, such as `/briefing`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// When each key (a member, a server) last used a command, in memory: a restart forgets, which is fine for
/// a cooldown measured in seconds.
#[derive(Debug)]
pub struct Cooldown {
    wait: Duration,
    last: Mutex<HashMap<u64, Instant>>,
}

impl Cooldown {
    /// A cooldown of `wait` per key (zero: none).
    pub fn new(wait: Duration) -> Self {
        Self {
            wait,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// How long `key` must still wait, or `None` when it may go now (then its turn is taken).
    pub fn check(&self, key: u64, now: Instant) -> Option<Duration> {
        if self.wait.is_zero() {
            return None;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = last.get(&key) {
            let since = now.saturating_duration_since(*at);
            if since < self.wait {
                return Some(self.wait - since);
            }
        }
        // Forget keys whose wait is over, so the map stays as small as the set of recent users.
        if last.len() > 10_000 {
            last.retain(|_, at| now.saturating_duration_since(*at) < self.wait);
        }
        last.insert(key, now);
        None
    }

    /// Gives `key`'s turn back (the command did not run after all).
    pub fn release(&self, key: u64) {
        self.last
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_per_key_and_zero_means_none() {
        let c = Cooldown::new(Duration::from_secs(60));
        let t = Instant::now();
        assert_eq!(c.check(1, t), None);
        assert_eq!(
            c.check(1, t + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        assert_eq!(c.check(2, t), None, "another member is not held back");
        assert_eq!(c.check(1, t + Duration::from_secs(61)), None);
        c.release(1);
        assert_eq!(c.check(1, t + Duration::from_secs(62)), None);
        let none = Cooldown::new(Duration::ZERO);
        assert_eq!((none.check(1, t), none.check(1, t)), (None, None));
    }
}
