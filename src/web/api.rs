//! The JSON envelope every `/api/` answer wears:
//! `{"success":bool,"code":int,"message":str,"data":any,"timestamp":ms}`.

use actix_web::HttpResponse;
use serde::Serialize;

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
