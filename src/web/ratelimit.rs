//! Login throttling: after 5 failures within 15 minutes for one IP or one account, further
//! attempts are refused with 429 until the window has passed. Kept in memory per instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimiter {
    max_failures: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
}

impl RateLimiter {
    pub fn new(max_failures: u32, window: Duration) -> RateLimiter {
        RateLimiter { max_failures, window, entries: Mutex::new(HashMap::new()) }
    }

    /// `Some(wait)` when `key` has failed too often and must wait.
    pub fn blocked(&self, key: &str) -> Option<Duration> {
        let entries = self.entries.lock().ok()?;
        let (failures, since) = entries.get(key)?;
        let elapsed = since.elapsed();
        if *failures >= self.max_failures && elapsed < self.window { Some(self.window - elapsed) } else { None }
    }

    pub fn record_failure(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 100_000 {
                let window = self.window;
                entries.retain(|_, (_, since)| since.elapsed() < window);
            }
            let entry = entries.entry(key.to_string()).or_insert((0, Instant::now()));
            if entry.1.elapsed() >= self.window {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}
