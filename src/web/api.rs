//! The JSON envelope every `/api/` answer wears:
//! `{"success":bool,"code":int,"message":str,"data":any,"timestamp":ms}`.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use crate::error::AppError;

#[derive(Debug, Serialize)]
pub struct Envelope<T: Serialize> {
    pub success: bool,
    pub code: u16,
    pub message: String,
    pub data: Option<T>,
    pub timestamp: i64,
}

impl<T: Serialize> Envelope<T> {
    pub fn ok(data: T) -> Envelope<T> {
        Envelope {
            success: true,
            code: 200,
            message: "ok".into(),
            data: Some(data),
            timestamp: chrono::Utc::now().timestamp_millis(),
        }
    }

    pub fn failure(code: u16, message: &str) -> Envelope<T> {
        Envelope {
            success: false,
            code,
            message: message.into(),
            data: None,
            timestamp: chrono::Utc::now().timestamp_millis(),
        }
    }
}

/// 200 with `data` in a successful envelope.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Ok().json(Envelope::ok(data))
}

/// 200 with `data` in a successful envelope whose message says something the caller should know.
pub fn ok_with<T: Serialize>(data: T, message: &str) -> HttpResponse {
    HttpResponse::Ok().json(Envelope { message: message.into(), ..Envelope::ok(data) })
}

/// The user of a `/api/v1/` call, from `Authorization: Bearer <token>` (the shell's API token).
pub struct ApiUser(pub i64);

impl FromRequest for ApiUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let state = req.app_data::<web::Data<super::WebState>>().cloned();
        Box::pin(async move {
            let token = token.filter(|t| !t.is_empty() && t.len() <= 128).ok_or(AppError::Unauthorized)?;
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("app state missing")))?;
            let accounts = state.accounts.clone();
            let user = state.db.run(move |conn| accounts.api_user(conn, &token)).await?;
            user.map(ApiUser).ok_or(AppError::Unauthorized)
        })
    }
}
