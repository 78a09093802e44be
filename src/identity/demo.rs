//! Demo data: one student-card photo waiting at `/admin/verifications` (the demo merchant, a
//! student who has not verified yet), so the queue is not empty on first start.

use super::{models::SchoolNo, queries, service};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::web::media;
use crate::web::storage::Storage;

/// A drawn student card: a blue band, a photo box, lines where the text would be.
fn card_picture() -> AppResult<Vec<u8>> {
    let img = image::RgbImage::from_fn(600, 380, |x, y| {
        let band = y < 80;
        let photo = (40..170).contains(&x) && (110..290).contains(&y);
        let line = (210..560).contains(&x) && [130, 180, 230, 280].iter().any(|l| (*l..l + 14).contains(&y));
        match (band, photo, line) {
            (true, ..) => image::Rgb([24, 92, 170]),
            (_, true, _) => image::Rgb([196, 204, 214]),
            (_, _, true) => image::Rgb([90, 98, 110]),
            _ => image::Rgb([248, 249, 251]),
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(AppError::internal)?;
    Ok(out.into_inner())
}

/// Queues the demo review for `user_id` unless they have one or are verified already.
pub fn seed(conn: &mut DbConn, storage: &Storage, user_id: i64) -> AppResult<()> {
    if queries::latest_review_of(conn, user_id)?.is_some() || service::status(conn, user_id)?.verified {
        return Ok(());
    }
    let picture = card_picture()?;
    let path =
        media::store_image(storage, super::PHOTO_FOLDER, &format!("u{user_id}"), &picture, media::Fit::Within(1600))?;
    let file = path.rsplit('/').next().unwrap_or_default();
    let no = SchoolNo::parse("2023010301").map_err(AppError::Invalid)?;
    service::submit_review(conn, user_id, &no, "陈晨", file)?;
    Ok(())
}
