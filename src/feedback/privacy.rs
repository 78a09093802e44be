//! Feedback's part of the personal-data registry (`crate::privacy`): what a person sent, the
//! answers, and the screenshots. A closed account's threads are deleted with their screenshots.

use diesel::prelude::*;

use crate::db::schema::{feedback, feedback_replies};
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("feedback")
        .table("feedback", Export::To("feedback"), Forget::Delete)
        .table("feedback_replies", Export::To("feedback"), Forget::Delete)
        .uploads(super::FOLDER, &[("feedback", "images")])
        .export(|conn, who, out| {
            for f in super::queries::of_user(conn, who.user_id)? {
                for image in f.images() {
                    out.photo(&image);
                }
            }
            out.put("feedback", super::service::export(conn, who.user_id)?);
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            for f in super::queries::of_user(conn, uid)? {
                for image in f.images() {
                    out.photo(&image);
                }
            }
            let theirs: Vec<i64> = feedback::table.filter(feedback::user_id.eq(uid)).select(feedback::id).load(conn)?;
            diesel::delete(feedback_replies::table.filter(feedback_replies::feedback_id.eq_any(theirs)))
                .execute(conn)?;
            out.count(
                "feedback_deleted",
                diesel::delete(feedback::table.filter(feedback::user_id.eq(uid))).execute(conn)?,
            );
            Ok(())
        })
}
