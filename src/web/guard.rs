//! The route guard of the back office: `RequirePerm<need::X>` loads the signed-in user (once per
//! request, see [`super::page`]) and lets the handler run only when one of the user's admin
//! roles grants permission `X` ([`super::perm`]); `scope` carries the permission the request
//! acts under to the audit log.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::page::{CurrentUser, load_user};
use super::perm::PermGuard;
use crate::error::AppError;

/// A signed-in admin holding permission `P`, as [`CurrentUser::check`] decides: anyone else gets
/// the 403 page, saying which permission is missing; when the settings make two-factor sign-in
/// mandatory for admins, an admin without it is sent to enrol first.
pub struct RequirePerm<P: PermGuard>(pub CurrentUser, PhantomData<P>);

impl<P: PermGuard> RequirePerm<P> {
    pub fn id(&self) -> i64 {
        self.0.id
    }
}

impl<P: PermGuard + 'static> FromRequest for RequirePerm<P> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_user(&req).await?.ok_or(AppError::Unauthorized)?;
            let p = P::PERMISSION;
            user.check(p)?;
            crate::db::acting::set(p.code());
            Ok(RequirePerm(user, PhantomData))
        })
    }
}

/// Middleware: gives each request a slot for the permission it acts under (see
/// [`crate::db::acting`]).
pub async fn scope(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    crate::db::acting::scope(next.call(req)).await
}
