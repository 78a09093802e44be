//! The second-hand market's part of the personal-data registry (`crate::privacy`): a seller's
//! items (and their photos), the reports they filed, and their private threads. A closed
//! account's items are withdrawn and emptied (title, text, place, photos), so nobody can open a
//! chat about them; its threads are closed (the other side still reads them, nobody writes) and
//! its own messages deleted.

use diesel::prelude::*;

use super::models::{DOWN, Item};
use crate::db::schema::{
    chat_messages, chat_threads, second_hand_favourites, second_hand_items, second_hand_ratings, second_hand_reports,
    second_hand_wanted,
};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("market")
        .table("second_hand_items", Export::To("second_hand_items"), Forget::Delete)
        .table("second_hand_reports", Export::To("second_hand_reports"), Forget::Delete)
        .table(
            "chat_threads",
            Export::To("second_hand_chats"),
            Forget::Anonymise("与你私信过的同学仍能看到会话（已关闭，不能再发消息），你发出的消息已删除"),
        )
        .table("chat_messages", Export::To("second_hand_chats"), Forget::Delete)
        .table(
            "second_hand_ratings",
            Export::To("second_hand_ratings"),
            Forget::Anonymise("交易评价留在对方的信誉页（显示为已注销用户），你写的评价说明已删除"),
        )
        .table("second_hand_wanted", Export::To("second_hand_wanted"), Forget::Delete)
        .table("second_hand_favourites", Export::To("second_hand_favourites"), Forget::Delete)
        .uploads("second-hand", &[("second_hand_items", "images")])
        .export(|conn, who, out| {
            let uid = who.user_id;
            let items = super::queries::of_seller(conn, uid)?;
            for item in &items {
                for photo in item.images() {
                    out.photo(&photo);
                }
            }
            out.put("second_hand_items", items.iter().map(item_json).collect());
            let reports: Vec<(String, String, chrono::NaiveDateTime)> = second_hand_reports::table
                .inner_join(second_hand_items::table)
                .filter(second_hand_reports::reporter_id.eq(uid))
                .select((second_hand_items::title, second_hand_reports::reason, second_hand_reports::created_at))
                .load(conn)?;
            out.put(
                "second_hand_reports",
                reports.into_iter().map(|(t, r, at)| serde_json::json!({ "item": t, "reason": r, "at": at })).collect(),
            );
            out.put("second_hand_chats", chats(conn, uid)?);
            out.put("second_hand_ratings", ratings(conn, uid)?);
            let wanted: Vec<(String, String, i64, String, chrono::NaiveDateTime)> = second_hand_wanted::table
                .filter(second_hand_wanted::user_id.eq(uid))
                .order(second_hand_wanted::id)
                .select((
                    second_hand_wanted::keywords,
                    second_hand_wanted::category,
                    second_hand_wanted::max_price_cents,
                    second_hand_wanted::note,
                    second_hand_wanted::created_at,
                ))
                .load(conn)?;
            out.put(
                "second_hand_wanted",
                wanted
                    .into_iter()
                    .map(|(k, c, p, n, at)| serde_json::json!({ "keywords": k, "category": c, "max_price_cents": p, "note": n, "at": at }))
                    .collect(),
            );
            let favs: Vec<(String, chrono::NaiveDateTime)> = second_hand_favourites::table
                .inner_join(second_hand_items::table)
                .filter(second_hand_favourites::user_id.eq(uid))
                .select((second_hand_items::title, second_hand_favourites::created_at))
                .load(conn)?;
            out.put(
                "second_hand_favourites",
                favs.into_iter().map(|(t, at)| serde_json::json!({ "item": t, "at": at })).collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            let now = db::now();
            for item in super::queries::of_seller(conn, uid)? {
                for photo in item.images() {
                    out.photo(&photo);
                }
            }
            let n = diesel::update(second_hand_items::table.filter(second_hand_items::seller_id.eq(uid)))
                .set((
                    second_hand_items::status.eq(DOWN),
                    second_hand_items::title.eq("已删除的商品"),
                    second_hand_items::description.eq(""),
                    second_hand_items::pickup_place.eq(""),
                    second_hand_items::images.eq("[]"),
                    second_hand_items::updated_at.eq(now),
                ))
                .execute(conn)?;
            out.count("second_hand_items_withdrawn", n);
            diesel::delete(second_hand_reports::table.filter(second_hand_reports::reporter_id.eq(uid)))
                .execute(conn)?;
            let mine = chat_threads::buyer_id.eq(uid).or(chat_threads::seller_id.eq(uid));
            let closed = diesel::update(chat_threads::table.filter(mine).filter(chat_threads::closed_at.is_null()))
                .set(chat_threads::closed_at.eq(Some(now)))
                .execute(conn)?;
            out.count("chats_closed", closed);
            diesel::delete(chat_messages::table.filter(chat_messages::sender_id.eq(uid))).execute(conn)?;
            // A reservation of theirs lets go of the item; the ratings they wrote lose their note.
            diesel::update(second_hand_items::table.filter(second_hand_items::reserved_by.eq(uid)))
                .set((
                    second_hand_items::reserved_by.eq(None::<i64>),
                    second_hand_items::reserved_until.eq(None::<chrono::NaiveDateTime>),
                    second_hand_items::handover_code.eq(None::<String>),
                ))
                .execute(conn)?;
            diesel::update(second_hand_ratings::table.filter(second_hand_ratings::rater_id.eq(uid)))
                .set(second_hand_ratings::note.eq(""))
                .execute(conn)?;
            let w = diesel::delete(second_hand_wanted::table.filter(second_hand_wanted::user_id.eq(uid))).execute(conn)?;
            out.count("second_hand_wanted", w);
            diesel::delete(second_hand_favourites::table.filter(second_hand_favourites::user_id.eq(uid)))
                .execute(conn)?;
            Ok(())
        })
}

fn item_json(item: &Item) -> serde_json::Value {
    serde_json::json!({
        "title": item.title, "description": item.description, "price_cents": item.price_cents,
        "condition": item.condition_label(), "images": item.images(), "pickup_place": item.pickup_place,
        "status": item.status_label(), "created_at": item.created_at,
    })
}

/// Every thread the user is in, with all its messages (the other side's too: the conversation
/// is the person's own record of it).
fn chats(conn: &mut DbConn, uid: i64) -> AppResult<serde_json::Value> {
    let threads: Vec<(i64, String, i64)> = chat_threads::table
        .inner_join(second_hand_items::table)
        .filter(chat_threads::buyer_id.eq(uid).or(chat_threads::seller_id.eq(uid)))
        .order(chat_threads::id)
        .select((chat_threads::id, second_hand_items::title, chat_threads::buyer_id))
        .load(conn)?;
    let mut out = Vec::new();
    for (id, title, buyer) in threads {
        let messages: Vec<(i64, String, chrono::NaiveDateTime)> = chat_messages::table
            .filter(chat_messages::thread_id.eq(id))
            .order(chat_messages::id)
            .select((chat_messages::sender_id, chat_messages::body, chat_messages::created_at))
            .load(conn)?;
        out.push(serde_json::json!({
            "item": title, "role": if buyer == uid { "buyer" } else { "seller" },
            "messages": messages.into_iter().map(|(from, body, at)| serde_json::json!({ "mine": from == uid, "body": body, "at": at })).collect::<Vec<_>>(),
        }));
    }
    Ok(serde_json::Value::Array(out))
}

/// The ratings the person gave and received.
fn ratings(conn: &mut DbConn, uid: i64) -> AppResult<serde_json::Value> {
    let rows: Vec<(String, i64, String, String, chrono::NaiveDateTime)> = second_hand_ratings::table
        .inner_join(second_hand_items::table)
        .filter(second_hand_ratings::rater_id.eq(uid).or(second_hand_ratings::ratee_id.eq(uid)))
        .order(second_hand_ratings::id)
        .select((
            second_hand_items::title,
            second_hand_ratings::rater_id,
            second_hand_ratings::score,
            second_hand_ratings::note,
            second_hand_ratings::created_at,
        ))
        .load(conn)?;
    Ok(serde_json::Value::Array(
        rows.into_iter()
            .map(|(item, rater, score, note, at)| {
                serde_json::json!({ "item": item, "given": rater == uid, "score": score, "note": note, "at": at })
            })
            .collect(),
    ))
}
