//! Session state in Redis over the instance's own Redis connection (the one the shared rate
//! limits and `/ready` use: 1 s timeouts, one retry). actix-session's `RedisSessionStore` keeps a
//! connection of its own with no timeouts, which after a Redis restart stayed broken until the
//! instance restarted; this one is back as soon as Redis is. Keys and values are the ones
//! `RedisSessionStore` wrote (the session key itself, the state as JSON), so sessions survive
//! the switch.

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use rand::distr::{Alphanumeric, SampleString};
use redis::aio::ConnectionManager;

#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
}

impl RedisStore {
    pub fn new(conn: ConnectionManager) -> RedisStore {
        RedisStore { conn }
    }

    /// `SET key body <condition> EX ttl`: whether it was set.
    async fn set(&self, key: &str, body: &str, condition: &str, ttl: &Duration) -> anyhow::Result<bool> {
        let mut conn = self.conn.clone();
        let done: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(body)
            .arg(condition)
            .arg("EX")
            .arg(ttl.whole_seconds().max(1))
            .query_async(&mut conn)
            .await?;
        Ok(done.is_some())
    }
}

/// 64 letters and digits, as actix-session makes them.
fn new_key() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 64)
}

impl SessionStore for RedisStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let mut conn = self.conn.clone();
        let value: Option<String> =
            redis::cmd("GET").arg(key.as_ref()).query_async(&mut conn).await.map_err(|e| LoadError::Other(e.into()))?;
        match value {
            None => Ok(None),
            Some(v) => serde_json::from_str(&v).map(Some).map_err(|e| LoadError::Deserialization(e.into())),
        }
    }

    async fn save(&self, state: HashMap<String, String>, ttl: &Duration) -> Result<SessionKey, SaveError> {
        let body = serde_json::to_string(&state).map_err(|e| SaveError::Serialization(e.into()))?;
        let key = new_key();
        if !self.set(&key, &body, "NX", ttl).await.map_err(SaveError::Other)? {
            return Err(SaveError::Other(anyhow::anyhow!("a new session key already existed")));
        }
        SessionKey::try_from(key).map_err(|e| SaveError::Other(e.into()))
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let body = serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        if self.set(key.as_ref(), &body, "XX", ttl).await.map_err(UpdateError::Other)? {
            return Ok(key);
        }
        // It expired between the load and now: store it under a new key.
        self.save(state, ttl).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        let mut conn = self.conn.clone();
        redis::cmd("EXPIRE").arg(key.as_ref()).arg(ttl.whole_seconds().max(1)).query_async::<()>(&mut conn).await?;
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL").arg(key.as_ref()).query_async::<()>(&mut conn).await?;
        Ok(())
    }
}
