//! CSRF protection for every state-changing request outside `/api/`.
//!
//! The token lives in the session. A request proves it knows the token with the `X-CSRF-Token`
//! header (htmx sends it on every request, set once in the layout), the `csrf_token` form field,
//! or, for multipart uploads whose body we do not buffer, the `csrf_token` query parameter.

use actix_session::SessionExt;
use actix_web::HttpMessage;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::web::BytesMut;
use futures_util::StreamExt;

use crate::error::AppError;

/// Form bodies are buffered to read the token; nothing legitimate is bigger.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub async fn protect(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/api/") {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let expected = super::session::stored_csrf(&req.get_session());
    let Some(expected) = expected else {
        return Ok(req.error_response(AppError::Csrf).map_into_right_body());
    };
    let mut presented = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    if presented.is_none() {
        presented = field(req.query_string(), "csrf_token");
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if presented.is_none() && is_form {
        let mut payload = req.take_payload();
        let mut body = BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk?;
            if body.len() + chunk.len() > MAX_FORM_BYTES {
                return Ok(req.error_response(AppError::invalid("提交的内容太大")).map_into_right_body());
            }
            body.extend_from_slice(&chunk);
        }
        let body = body.freeze();
        presented = std::str::from_utf8(&body).ok().and_then(|s| field(s, "csrf_token"));
        let (_, mut restored) = actix_http::h1::Payload::create(true);
        restored.unread_data(body);
        req.set_payload(restored.into());
    }
    match presented {
        Some(token) if constant_time_eq(token.as_bytes(), expected.as_bytes()) => {
            Ok(next.call(req).await?.map_into_left_body())
        }
        _ => Ok(req.error_response(AppError::Csrf).map_into_right_body()),
    }
}

fn field(encoded: &str, name: &str) -> Option<String> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(encoded)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
