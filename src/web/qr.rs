//! QR codes as inline SVG (a check-in link, an authenticator app's enrolment URI).

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::{AppError, AppResult};

pub fn svg(text: &str) -> AppResult<String> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| AppError::internal(anyhow::anyhow!("qr: {e}")))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
