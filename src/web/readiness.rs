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

/// While draining, every answer closes its connection (`Connection: close`). A balancer that
/// keeps connections to the instances (nginx's upstream `keepalive`) then never sends another
/// request on one, so when the instance stops there is no kept connection left that a request
/// could be racing into: nginx has closed the idle ones itself (its `keepalive_timeout` is
/// shorter than the drain) and dropped each used one after its answer.
pub async fn close_when_draining(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let draining = req
        .app_data::<actix_web::web::Data<super::WebState>>()
        .is_some_and(|web| web.readiness.draining.load(Ordering::SeqCst));
    let mut res = next.call(req).await?;
    if draining {
        res.response_mut().head_mut().set_connection_type(actix_web::http::ConnectionType::Close);
    }
    Ok(res)
}
