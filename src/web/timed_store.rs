//! A session store with a deadline. Redis's client retries a lost connection with backoff for
//! tens of seconds; a request must not hang that long. Past the deadline the call fails, the
//! session middleware refuses the request, and `web::errors::render_errors` answers with the 503 page:
//! sessions fail closed while their store is down.

use std::collections::HashMap;
use std::future::Future;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

#[derive(Clone)]
pub struct TimedStore<S> {
    inner: S,
    limit: std::time::Duration,
}

impl<S> TimedStore<S> {
    pub fn new(inner: S, limit: std::time::Duration) -> TimedStore<S> {
        TimedStore { inner, limit }
    }
}

async fn within<T>(limit: std::time::Duration, work: impl Future<Output = T>) -> anyhow::Result<T> {
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| anyhow::anyhow!("session store gave no answer within {limit:?}"))
}

impl<S: SessionStore> SessionStore for TimedStore<S> {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        within(self.limit, self.inner.load(key)).await.map_err(LoadError::Other)?
    }

    async fn save(&self, state: HashMap<String, String>, ttl: &Duration) -> Result<SessionKey, SaveError> {
        within(self.limit, self.inner.save(state, ttl)).await.map_err(SaveError::Other)?
    }

    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        within(self.limit, self.inner.update(key, state, ttl)).await.map_err(UpdateError::Other)?
    }

    async fn update_ttl(&self, key: &SessionKey, ttl: &Duration) -> Result<(), anyhow::Error> {
        within(self.limit, self.inner.update_ttl(key, ttl)).await?
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        within(self.limit, self.inner.delete(key)).await?
    }
}
