//! The QR code of a registration, as SVG: the check-in link holding the code, so the organizer's
//! phone camera (or WeChat's scanner) opens the check-in page with it filled in.

use crate::error::AppResult;

pub fn svg(text: &str) -> AppResult<String> {
    crate::web::qr::svg(text)
}
