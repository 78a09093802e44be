//! Listings live 30 days: a reminder three days before the end, a renewal by the seller, and an
//! expired item leaves the list and the search at once (the list filters on `expires_at`).

use chrono::TimeDelta;
use diesel::prelude::*;

use super::models::ON;
use crate::db::schema::second_hand_items as items;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

pub use super::models::LIFETIME_DAYS;
/// How long before the end the seller is reminded.
pub const REMIND_DAYS: i64 = 3;

/// The seller renews an item on sale (expired or not) for another 30 days from now.
pub fn renew(conn: &mut DbConn, id: i64, seller: i64) -> AppResult<()> {
    let (item, _) = super::queries::item(conn, id)?.ok_or(AppError::NotFound)?;
    if item.seller_id != seller {
        return Err(AppError::NotFound);
    }
    let now = db::now();
    let n = diesel::update(items::table.filter(items::id.eq(id)).filter(items::status.eq(ON)))
        .set((
            items::expires_at.eq(now + TimeDelta::days(LIFETIME_DAYS)),
            items::expiry_reminded_at.eq(None::<chrono::NaiveDateTime>),
            items::updated_at.eq(now),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(AppError::conflict("只有在售的商品才能续期"));
    }
    Ok(())
}

/// Reminds the sellers of items ending within three days, once per period (the conditional
/// UPDATE of `expiry_reminded_at` decides, so two runners send one reminder). Returns how many.
pub fn remind_expiring(conn: &mut DbConn) -> AppResult<usize> {
    let now = db::now();
    let due: Vec<(i64, i64, String)> = items::table
        .filter(items::status.eq(ON))
        .filter(items::expiry_reminded_at.is_null())
        .filter(items::expires_at.gt(now))
        .filter(items::expires_at.le(now + TimeDelta::days(REMIND_DAYS)))
        .order(items::expires_at)
        .limit(100)
        .select((items::id, items::seller_id, items::title))
        .load(conn)?;
    let mut sent = 0;
    for (id, seller, title) in due {
        let claimed = diesel::update(items::table.filter(items::id.eq(id)).filter(items::expiry_reminded_at.is_null()))
            .set(items::expiry_reminded_at.eq(Some(now)))
            .execute(conn)?;
        if claimed == 1 {
            notify::send(
                conn,
                seller,
                MessageKind::System,
                &format!("二手「{title}」即将到期"),
                "发布满 30 天后商品会自动下架。还想继续卖的话，请在商品页点“续期 30 天”。",
                Some(&format!("/mall/second-hand/{id}")),
            )?;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Runs the reminders at every pass of the job runner (one indexed query when nothing is due).
pub fn register_jobs(jobs: &mut crate::jobs::Registry) {
    jobs.every_tick(|conn| remind_expiring(conn).map(drop));
}
