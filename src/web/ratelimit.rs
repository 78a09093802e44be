//! Login throttling: 5 attempts within 15 minutes for one IP or one account; further attempts
//! are refused with 429 until the window has passed. A successful attempt gives its slot back.
//!
//! The counts live in memory per instance by default. With `CAMPUS_REDIS_URL` they live in Redis
//! (keys under `CAMPUS_REDIS_PREFIX`), so every instance behind the proxy counts against the same
//! limit; then an unreachable Redis refuses the attempt (fails closed: a limiter that cannot count
//! must not let a password guesser through) and the login page says the service is unavailable.
//!
//! The slot is taken before the password is checked, in one step (under the lock in memory, in
//! one Lua script in Redis): checking "blocked?" first and recording the failure after the (slow,
//! argon2) check would let a burst of parallel requests all pass the check before the first
//! failure is recorded. Windows are fixed: they start with a key's first attempt.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// Why an attempt was not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The limit is used up; it frees after this long.
    Wait(Duration),
    /// The shared counter (Redis) could not be reached: refused rather than uncounted.
    Unavailable,
}

pub struct RateLimiter {
    max_attempts: u32,
    window: Duration,
    entries: Mutex<HashMap<String, (u32, Instant)>>,
    shared: OnceLock<Shared>,
}

/// Counters in Redis, shared by every instance.
struct Shared {
    conn: ConnectionManager,
    prefix: String,
}

/// All or none: if any key has used up its attempts, answers the longest wait (ms) and counts
/// nothing; else counts one for each key, starting a key's window at its first attempt.
const TAKE: &str = r"
local wait = -1
for _, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[1]) then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then
      redis.call('PEXPIRE', key, ARGV[2])
      ttl = tonumber(ARGV[2])
    end
    if ttl > wait then wait = ttl end
  end
end
if wait >= 0 then return wait end
for _, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('PEXPIRE', key, ARGV[2]) end
end
return -1
";

const GIVE_BACK: &str = r"
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('DECR', KEYS[1]) end
return 0
";

impl RateLimiter {
    pub fn new(max_attempts: u32, window: Duration) -> RateLimiter {
        RateLimiter { max_attempts, window, entries: Mutex::new(HashMap::new()), shared: OnceLock::new() }
    }

    /// Counts in Redis from now on, under `prefix` (`app.rs` calls this once at start-up when
    /// `CAMPUS_REDIS_URL` is set).
    pub fn share_through(&self, conn: ConnectionManager, prefix: &str) {
        let _ = self.shared.set(Shared { conn, prefix: format!("{prefix}ratelimit:") });
    }

    /// Takes one attempt for each of `keys`, all or none: `Err(wait)` when any key has used up
    /// its attempts in the current window (and then none is counted). An unreachable Redis counts
    /// as a used-up limit (a whole window); [`RateLimiter::take`] tells the two apart.
    pub async fn try_take(&self, keys: &[&str]) -> Result<(), Duration> {
        self.take(keys).await.map_err(|refusal| match refusal {
            Refusal::Wait(wait) => wait,
            Refusal::Unavailable => self.window,
        })
    }

    /// Like [`RateLimiter::try_take`], saying why an attempt was refused.
    pub async fn take(&self, keys: &[&str]) -> Result<(), Refusal> {
        match self.shared.get() {
            Some(shared) => self.take_shared(shared, keys).await,
            None => self.take_here(keys).map_err(Refusal::Wait),
        }
    }

    async fn take_shared(&self, shared: &Shared, keys: &[&str]) -> Result<(), Refusal> {
        let mut cmd = redis::cmd("EVAL");
        cmd.arg(TAKE).arg(keys.len());
        for key in keys {
            cmd.arg(format!("{}{key}", shared.prefix));
        }
        cmd.arg(self.max_attempts).arg(self.window.as_millis() as u64);
        let mut conn = shared.conn.clone();
        match cmd.query_async::<i64>(&mut conn).await {
            Ok(wait) if wait >= 0 => Err(Refusal::Wait(Duration::from_millis(wait as u64))),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, "rate limiter: Redis unreachable, attempt refused");
                Err(Refusal::Unavailable)
            }
        }
    }

    fn take_here(&self, keys: &[&str]) -> Result<(), Duration> {
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
        if let Some(shared) = self.shared.get() {
            let mut cmd = redis::cmd("EVAL");
            cmd.arg(GIVE_BACK).arg(1).arg(format!("{}{key}", shared.prefix));
            shared.send(cmd);
            return;
        }
        if let Ok(mut entries) = self.entries.lock()
            && let Some(entry) = entries.get_mut(key)
        {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    pub fn clear(&self, key: &str) {
        if let Some(shared) = self.shared.get() {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(format!("{}{key}", shared.prefix));
            shared.send(cmd);
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(key);
        }
    }
}

impl Shared {
    /// Sends `cmd` without waiting for it (a returned slot may land a moment later; a lost one
    /// only makes the limit stricter).
    fn send(&self, cmd: redis::Cmd) {
        let mut conn = self.conn.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if let Err(e) = cmd.query_async::<redis::Value>(&mut conn).await {
                        tracing::warn!(error = %e, "rate limiter: Redis update lost");
                    }
                });
            }
            Err(_) => tracing::warn!("rate limiter: no runtime to reach Redis from"),
        }
    }
}

/// Connects to Redis for the shared counters, waiting at most a second for any answer so that a
/// Redis outage turns into a quick refusal, not a hanging login.
pub async fn connect_redis(url: &str) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url).map_err(|e| anyhow::anyhow!("CAMPUS_REDIS_URL: {e}"))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_secs(1))
        .set_number_of_retries(1);
    client
        .get_connection_manager_with_config(config)
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach CAMPUS_REDIS_URL: {e}"))
}
