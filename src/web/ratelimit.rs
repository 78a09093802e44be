//! Login throttling: 5 attempts within 15 minutes for one IP or one account; further attempts
//! are refused with 429 until the window has passed. A successful attempt gives its slot back.
//! Kept in memory per instance.
//!
//! The slot is taken before the password is checked, in one step under the lock: checking
//! "blocked?" first and recording the failure after the (slow, argon2) check would let a burst of
//! parallel requests all pass the check before the first failure is recorded.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max_attempts: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl RateLimiter {
    pub fn new(max_attempts: u32, window: Duration) -> RateLimiter {
        RateLimiter { max_attempts, window, entries: Mutex::new(HashMap::new()) }
    }

    /// Takes one attempt for each of `keys`, all or none: `Err(wait)` when any key has used up
    /// its attempts in the current window (and then none is counted).
    pub fn try_take(&self, keys: &[&str]) -> Result<(), Duration> {
        let Ok(mut entries) = self.entries.lock() else {
            return Err(self.window);
        };
        let window = self.window;
        if entries.len() > 100_000 {
            entries.retain(|_, (_, since)| since.elapsed() < window);
        }
        let wait = keys
            .iter()
            .filter_map(|k| entries.get(*k))
            .filter(|(used, since)| *used >= self.max_attempts && since.elapsed() < window)
            .map(|(_, since)| window - since.elapsed())
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in keys {
            let entry = entries.entry((*key).to_string()).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= window {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// Returns an attempt taken for `key` that did not fail.
    pub fn give_back(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock()
            && let Some(entry) = entries.get_mut(key)
        {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}
