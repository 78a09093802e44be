//! 学籍认证's part of the personal-data registry (`crate::privacy`): verification requests and
//! their student-card photos (private area). A closed account's requests and photos are deleted.

use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("identity")
        .table("identity_reviews", Export::To("identity_reviews"), Forget::Delete)
        .uploads(super::PHOTO_FOLDER, &[("identity_reviews", "photo_file")])
        .export(|conn, who, out| {
            for r in super::queries::reviews_of(conn, who.user_id)? {
                if let Some(file) = &r.photo_file {
                    out.private_photo(&format!("{}/{file}", super::PHOTO_FOLDER));
                }
            }
            out.put("identity_reviews", serde_json::Value::Array(super::service::export(conn, who.user_id)?));
            Ok(())
        })
        .forget(|conn, who, _, out| {
            for file in super::service::forget_user(conn, who.user_id)? {
                out.private_photo(&format!("{}/{file}", super::PHOTO_FOLDER));
            }
            Ok(())
        })
}
