//! What, besides the database and Redis, keeps this instance from taking traffic: it is
//! draining before a stop (SIGTERM), or building its search index copy at start-up. `/ready`
//! answers 503 with the reason while either holds; the instance serves requests meanwhile.

use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct Readiness {
    draining: AtomicBool,
    building_search: AtomicBool,
}

impl Readiness {
    /// From now on `/ready` answers "draining" (until the process exits).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    pub fn set_building_search(&self, building: bool) {
        self.building_search.store(building, Ordering::SeqCst);
    }

    /// `Some(reason)` while the instance should get no new traffic.
    pub fn holding_back(&self) -> Option<&'static str> {
        if self.draining.load(Ordering::SeqCst) {
            Some("draining")
        } else if self.building_search.load(Ordering::SeqCst) {
            Some("search index building")
        } else {
            None
        }
    }
}
