//! The permission the current request acts under, carried from the extractor that checked it
//! (`web::guard::RequirePerm`) to the audit log written on a database thread. A request is scoped
//! by the `web::guard::scope` middleware; [`super::Db::run`] hands the value to the blocking thread
//! it runs on. Background jobs and requests that checked no permission act under none.

use std::cell::Cell;

tokio::task_local! {
    static REQUEST: Cell<Option<&'static str>>;
}

thread_local! {
    static BLOCKING: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Runs a request's future with a slot for the permission it acts under.
pub async fn scope<F: std::future::Future>(f: F) -> F::Output {
    REQUEST.scope(Cell::new(None), f).await
}

/// Marks the current request as acting under permission `code` (nothing outside a request).
pub fn set(code: &'static str) {
    let _ = REQUEST.try_with(|c| c.set(Some(code)));
}

/// The permission the current work acts under, if any.
pub fn current() -> Option<&'static str> {
    BLOCKING.with(Cell::get).or_else(|| REQUEST.try_with(Cell::get).ok().flatten())
}

/// Runs `f` on this (blocking) thread as acting under `acting`.
pub(crate) fn run_as<T>(acting: Option<&'static str>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<&'static str>);
    impl Drop for Restore {
        fn drop(&mut self) {
            BLOCKING.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(BLOCKING.with(|c| c.replace(acting)));
    f()
}
