//! A trade between two students: the buyer reserves an item (one reservation at a time, for as
//! long as the seller set), shows a handover code at the meetup, the seller enters it and the
//! item is sold to that buyer; then each side rates the other once. No money passes through the
//! app: the record is what both can point to.
//!
//! Every step is one conditional UPDATE or a unique index, so two clicks at once make one
//! reservation, one sale and one rating each.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use rand::Rng;

use super::models::{Item, ON, SOLD};
use super::queries;
use crate::db::schema::{second_hand_items as items, second_hand_ratings as ratings, users};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::moderation;
use crate::notify::{self, MessageKind};

/// Wrong handover codes before the reservation is called off.
pub const CODE_TRIES: i32 = 5;
/// Bad ratings that bring a seller to the moderation queue.
pub const BAD_RATINGS_TO_REVIEW: i64 = 3;
/// Reports over all of a seller's items that bring the seller to the moderation queue.
pub const REPORTS_TO_REVIEW: i64 = 5;

fn load(conn: &mut DbConn, id: i64) -> AppResult<Item> {
    queries::item(conn, id)?.map(|(item, _)| item).ok_or(AppError::NotFound)
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// The buyer reserves an item: it shows 已预订 to everyone else until the seller's hours run out.
/// One conditional UPDATE: the item must be on sale, unexpired and not held by anybody.
pub fn reserve(conn: &mut DbConn, id: i64, buyer: i64) -> AppResult<()> {
    let item = load(conn, id)?;
    if item.status != ON && item.status != SOLD {
        return Err(AppError::NotFound);
    }
    if item.seller_id == buyer {
        return Err(AppError::invalid("不能预订自己发布的商品"));
    }
    if item.status != ON || item.is_expired() {
        return Err(AppError::conflict("该商品已不在售，不能预订"));
    }
    let now = db::now();
    let until = now + TimeDelta::hours(i64::from(item.reserve_hours));
    let free = items::reserved_by.is_null().or(items::reserved_until.le(now));
    write_tx(conn, |conn| {
        let taken = diesel::update(
            items::table
                .filter(items::id.eq(id))
                .filter(items::status.eq(ON))
                .filter(items::seller_id.ne(buyer))
                .filter(items::expires_at.gt(now))
                .filter(free),
        )
        .set((
            items::reserved_by.eq(Some(buyer)),
            items::reserved_until.eq(Some(until)),
            items::handover_code.eq(Some(new_code())),
            items::code_failures.eq(0),
            items::updated_at.eq(now),
        ))
        .execute(conn)?;
        if taken != 1 {
            return Err(if item.reserved_by == Some(buyer) && item.is_reserved() {
                AppError::conflict("你已经预订了这件商品，交接码在预订页")
            } else {
                AppError::conflict("该商品已被其他同学预订，请稍后再来看看")
            });
        }
        notify::send(
            conn,
            item.seller_id,
            MessageKind::System,
            &format!("二手「{}」已被预订", item.title),
            &format!("预订保留到 {}，见面时请买家出示交接码，你在商品页输入即完成交接。", fmt_time(until)),
            Some(&format!("/mall/second-hand/{id}/handover")),
        )
    })
}

/// The reserving buyer or the seller calls the reservation off.
pub fn cancel(conn: &mut DbConn, id: i64, who: i64) -> AppResult<()> {
    let item = load(conn, id)?;
    let Some(buyer) = item.reserved_by.filter(|_| item.status == ON) else {
        return Err(if item.seller_id == who {
            AppError::conflict("这件商品没有被预订")
        } else {
            AppError::NotFound
        });
    };
    if who != buyer && who != item.seller_id {
        return Err(AppError::NotFound);
    }
    write_tx(conn, |conn| {
        let released = diesel::update(
            items::table.filter(items::id.eq(id)).filter(items::status.eq(ON)).filter(items::reserved_by.eq(buyer)),
        )
        .set(release())
        .execute(conn)?;
        if released != 1 {
            return Err(AppError::conflict("预订已经变化，请刷新后再试"));
        }
        let other = if who == buyer { item.seller_id } else { buyer };
        notify::send(
            conn,
            other,
            MessageKind::System,
            &format!("二手「{}」的预订已取消", item.title),
            if who == buyer {
                "买家取消了预订，商品重新在售。"
            } else {
                "卖家取消了你的预订。"
            },
            Some(&format!("/mall/second-hand/{id}")),
        )
    })
}

#[allow(clippy::type_complexity)]
fn release() -> (
    diesel::dsl::Eq<items::reserved_by, Option<i64>>,
    diesel::dsl::Eq<items::reserved_until, Option<NaiveDateTime>>,
    diesel::dsl::Eq<items::handover_code, Option<String>>,
    diesel::dsl::Eq<items::code_failures, i32>,
) {
    (
        items::reserved_by.eq(None),
        items::reserved_until.eq(None),
        items::handover_code.eq(None),
        items::code_failures.eq(0),
    )
}

/// What became of a code the seller entered.
pub enum Handover {
    Sold,
    /// Wrong; this many tries are left.
    Wrong(i32),
    /// Wrong too often: the reservation is off.
    Locked,
}

/// The seller enters the buyer's code: the item is sold to that buyer, once. A wrong code counts
/// (that count is kept even though the answer is an error).
pub fn handover(conn: &mut DbConn, id: i64, seller: i64, code: &str) -> AppResult<Handover> {
    let item = load(conn, id)?;
    if item.seller_id != seller {
        return Err(AppError::NotFound);
    }
    if item.status == SOLD {
        return Err(AppError::conflict("这件商品已经完成交接，交接码不能再用"));
    }
    let Some(buyer) = item.reserved_by.filter(|_| item.status == ON) else {
        return Err(AppError::conflict("这件商品还没有被预订，买家预订后才有交接码"));
    };
    let now = db::now();
    write_tx(conn, |conn| {
        let sold = diesel::update(
            items::table
                .filter(items::id.eq(id))
                .filter(items::seller_id.eq(seller))
                .filter(items::status.eq(ON))
                .filter(items::reserved_by.eq(buyer))
                .filter(items::handover_code.eq(code)),
        )
        .set((
            items::status.eq(SOLD),
            items::buyer_id.eq(Some(buyer)),
            items::sold_at.eq(Some(now)),
            items::reserved_until.eq(None::<NaiveDateTime>),
            items::handover_code.eq(None::<String>),
            items::updated_at.eq(now),
        ))
        .execute(conn)?;
        if sold == 1 {
            notify::send(
                conn,
                buyer,
                MessageKind::System,
                &format!("二手「{}」已完成交接", item.title),
                "卖家已确认交接。欢迎给这次交易一个评价。",
                Some(&format!("/mall/second-hand/{id}")),
            )?;
            return Ok(Handover::Sold);
        }
        // Not sold by this code: sold a moment ago (a double click), or the reservation changed,
        // or the code is wrong.
        let (status, holder): (String, Option<i64>) =
            items::table.find(id).select((items::status, items::reserved_by)).first(conn)?;
        if status == SOLD {
            return Err(AppError::conflict("这件商品已经完成交接，交接码不能再用"));
        }
        if status != ON || holder != Some(buyer) {
            return Err(AppError::conflict("预订已经变化，请刷新后再试"));
        }
        let failures: i32 = on_failures(conn, id, buyer)?;
        if failures < CODE_TRIES {
            return Ok(Handover::Wrong(CODE_TRIES - failures));
        }
        diesel::update(items::table.filter(items::id.eq(id)).filter(items::reserved_by.eq(buyer)))
            .set(release())
            .execute(conn)?;
        notify::send(
            conn,
            buyer,
            MessageKind::System,
            &format!("二手「{}」的预订已取消", item.title),
            "交接码被输错太多次，为安全起见预订已取消。如仍想购买，请重新预订。",
            Some(&format!("/mall/second-hand/{id}")),
        )?;
        Ok(Handover::Locked)
    })
}

/// Counts a wrong code against the current reservation; returns the count.
fn on_failures(conn: &mut DbConn, id: i64, buyer: i64) -> AppResult<i32> {
    let filter = items::table.filter(items::id.eq(id)).filter(items::reserved_by.eq(buyer));
    diesel::update(filter).set(items::code_failures.eq(items::code_failures + 1)).execute(conn)?;
    Ok(items::table.find(id).select(items::code_failures).first(conn)?)
}

pub const SCORES: [(&str, &str); 3] = [("good", "好评"), ("neutral", "中评"), ("bad", "差评")];

pub fn score_label(score: &str) -> &'static str {
    SCORES.iter().find(|(s, _)| *s == score).map_or("中评", |(_, l)| l)
}

/// One side of a handover rates the other, once.
pub fn rate(conn: &mut DbConn, id: i64, rater: i64, score: &str, note: &str) -> AppResult<()> {
    if !SCORES.iter().any(|(s, _)| *s == score) {
        return Err(AppError::invalid("请选择好评、中评或差评"));
    }
    if note.chars().count() > 200 {
        return Err(AppError::invalid("评价说明不能超过 200 字"));
    }
    let item = load(conn, id)?;
    let ratee = match item.buyer_id.filter(|_| item.status == SOLD) {
        Some(buyer) if buyer == rater => item.seller_id,
        Some(buyer) if item.seller_id == rater => buyer,
        _ => return Err(AppError::conflict("只有完成交接的买卖双方才能评价这笔交易")),
    };
    write_tx(conn, |conn| {
        let added = crate::on_backend!(conn, |c| diesel::insert_into(ratings::table)
            .values((
                ratings::item_id.eq(id),
                ratings::rater_id.eq(rater),
                ratings::ratee_id.eq(ratee),
                ratings::score.eq(score),
                ratings::note.eq(note),
                ratings::created_at.eq(db::now()),
            ))
            .on_conflict((ratings::item_id, ratings::rater_id))
            .do_nothing()
            .execute(c))?;
        if added == 0 {
            return Err(AppError::conflict("你已经评价过这笔交易"));
        }
        notify::send(
            conn,
            ratee,
            MessageKind::System,
            &format!("二手「{}」收到一条{}", item.title, score_label(score)),
            note,
            Some(&format!("/mall/second-hand/sellers/{ratee}")),
        )?;
        if score == "bad" {
            review_if_needed(conn, ratee)?;
        }
        Ok(())
    })
}

/// Brings a seller with many bad ratings or many reports to the moderation queue (once while a
/// flag waits).
pub fn review_if_needed(conn: &mut DbConn, seller: i64) -> AppResult<()> {
    let bad: i64 = ratings::table
        .filter(ratings::ratee_id.eq(seller))
        .filter(ratings::score.eq("bad"))
        .count()
        .get_result(conn)?;
    let reports: Option<i64> =
        items::table.filter(items::seller_id.eq(seller)).select(diesel::dsl::sum(items::report_count)).first(conn)?;
    let reports = reports.unwrap_or(0);
    if bad < BAD_RATINGS_TO_REVIEW && reports < REPORTS_TO_REVIEW {
        return Ok(());
    }
    let name: String = users::table.find(seller).select(users::nickname).first(conn)?;
    let why = format!("二手卖家信誉：{bad} 条差评，{reports} 次举报");
    // The excerpt the queue shows: what the latest bad ratings said.
    let notes: Vec<String> = ratings::table
        .filter(ratings::ratee_id.eq(seller))
        .filter(ratings::score.eq("bad"))
        .filter(ratings::note.ne(""))
        .order(ratings::id.desc())
        .limit(3)
        .select(ratings::note)
        .load(conn)?;
    moderation::flag(conn, moderation::KIND_SECOND_HAND_SELLER, seller, Some(seller), &name, &notes.join(" / "), &why)
}

/// A moderator's decision against a seller: every item of theirs on sale is taken down.
pub fn withdraw_seller(conn: &mut DbConn, seller: i64) -> AppResult<usize> {
    Ok(diesel::update(items::table.filter(items::seller_id.eq(seller)).filter(items::status.eq(ON)))
        .set((items::status.eq(super::models::DOWN), items::updated_at.eq(db::now())))
        .execute(conn)?)
}

pub struct Rating {
    pub item_id: i64,
    pub item_title: String,
    pub rater: String,
    pub score: String,
    pub note: String,
    pub created_at: NaiveDateTime,
    /// Whether the rater was the buyer (the rating is of the person as a seller).
    pub as_seller: bool,
}

impl Rating {
    pub fn label(&self) -> &'static str {
        score_label(&self.score)
    }
}

pub struct Standing {
    pub seller_id: i64,
    pub nickname: String,
    pub sold: i64,
    pub bought: i64,
    pub good: usize,
    pub neutral: usize,
    pub bad: usize,
    pub ratings: Vec<Rating>,
    pub on_sale: Vec<Item>,
}

/// A person's standing in the market: completed trades and the ratings they received.
pub fn standing(conn: &mut DbConn, user_id: i64) -> AppResult<Standing> {
    let nickname: String =
        users::table.find(user_id).select(users::nickname).first(conn).optional()?.ok_or(AppError::NotFound)?;
    let sold: i64 = items::table
        .filter(items::seller_id.eq(user_id))
        .filter(items::status.eq(SOLD))
        .filter(items::buyer_id.is_not_null())
        .count()
        .get_result(conn)?;
    let bought: i64 =
        items::table.filter(items::buyer_id.eq(user_id)).filter(items::status.eq(SOLD)).count().get_result(conn)?;
    let rows: Vec<(i64, String, String, String, String, NaiveDateTime, i64)> = ratings::table
        .inner_join(items::table)
        .inner_join(users::table.on(users::id.eq(ratings::rater_id)))
        .filter(ratings::ratee_id.eq(user_id))
        .order(ratings::id.desc())
        .limit(100)
        .select((
            items::id,
            items::title,
            users::nickname,
            ratings::score,
            ratings::note,
            ratings::created_at,
            items::seller_id,
        ))
        .load(conn)?;
    let ratings: Vec<Rating> = rows
        .into_iter()
        .map(|(item_id, item_title, rater, score, note, created_at, seller)| Rating {
            item_id,
            item_title,
            rater,
            score,
            note,
            created_at,
            as_seller: seller == user_id,
        })
        .collect();
    let count = |s: &str| ratings.iter().filter(|r| r.score == s).count();
    let (good, neutral, bad) = (count("good"), count("neutral"), count("bad"));
    let on_sale =
        queries::of_seller(conn, user_id)?.into_iter().filter(|i| i.status == ON && !i.is_expired()).collect();
    Ok(Standing { seller_id: user_id, nickname, sold, bought, good, neutral, bad, ratings, on_sale })
}

/// Whether `user` already rated the trade of item `id`.
pub fn has_rated(conn: &mut DbConn, id: i64, user: i64) -> AppResult<bool> {
    let n: i64 =
        ratings::table.filter(ratings::item_id.eq(id)).filter(ratings::rater_id.eq(user)).count().get_result(conn)?;
    Ok(n > 0)
}

pub fn nickname(conn: &mut DbConn, user_id: i64) -> AppResult<String> {
    Ok(users::table.find(user_id).select(users::nickname).first(conn)?)
}

pub fn fmt_time(t: NaiveDateTime) -> String {
    (t + TimeDelta::hours(8)).format("%m月%d日 %H:%M").to_string()
}
