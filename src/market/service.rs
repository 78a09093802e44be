use super::models::{ChatMessage, DOWN, Item, Listed, NewItem, ON, REMOVED, SOLD, Thread};
use super::queries;
use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::moderation::{self, Verdict, WordFilter};
use crate::notify::{self, MessageKind};

pub const PAGE_SIZE: i64 = 20;

pub fn list(conn: &mut DbConn, q: &str, condition: Option<&str>, page: i64) -> AppResult<Vec<Listed>> {
    Ok(queries::list(conn, q, condition, PAGE_SIZE, (page - 1) * PAGE_SIZE)?
        .into_iter()
        .map(|(item, seller)| Listed { item, seller })
        .collect())
}

pub fn mine(conn: &mut DbConn, seller_id: i64) -> AppResult<Vec<Item>> {
    Ok(queries::of_seller(conn, seller_id)?)
}

/// Only people who passed 学籍认证 (students, teachers) may sell; the others are shown why and
/// where to verify.
pub fn ensure_can_sell(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    crate::auth::service::ensure_verified(conn, user_id, "发布二手商品")
}

/// Publishes an item after the sensitive-word filter: a blocking word refuses it, a review word
/// (or `flag`, WeChat's own doubt) publishes it straight into the admins' moderation queue.
pub fn post_item(
    conn: &mut DbConn,
    words: &WordFilter,
    seller_id: i64,
    item: &NewItem,
    flag: Option<&str>,
) -> AppResult<i64> {
    ensure_can_sell(conn, seller_id)?;
    let review = match words.check(conn, &format!("{}\n{}\n{}", item.title, item.description, item.pickup_place))? {
        Verdict::Block(word) => return Err(AppError::invalid(format!("内容包含违规词「{word}」，请修改后再发布"))),
        Verdict::Review(word) => Some(format!("敏感词待审核：{word}")),
        Verdict::Pass => flag.map(str::to_string),
    };
    let images = serde_json::to_string(&item.images).map_err(AppError::internal)?;
    write_tx(conn, |conn| {
        let id = queries::insert(conn, seller_id, item, &images, db::now())?;
        if let Some(reason) = review {
            // Filed under the seller's own name: the queues show it with the reason.
            queries::insert_report(conn, id, seller_id, &reason, db::now())?;
            queries::bump_reports(conn, id)?;
            moderation::flag(
                conn,
                moderation::KIND_SECOND_HAND,
                id,
                Some(seller_id),
                &item.title,
                &item.description,
                &reason,
            )?;
        }
        // Anyone whose 求购 this listing answers hears of it once.
        if let Some((listed, _)) = queries::item(conn, id)? {
            super::wanted::tell_matches(conn, &listed)?;
        }
        Ok(id)
    })
}

/// An item as a visitor may see it: taken-down items only by their seller.
pub fn item(conn: &mut DbConn, id: i64, viewer: Option<i64>) -> AppResult<Listed> {
    let (item, seller) = queries::item(conn, id)?.ok_or(AppError::NotFound)?;
    let public = item.status == ON || item.status == SOLD;
    if !public && viewer != Some(item.seller_id) {
        return Err(AppError::NotFound);
    }
    Ok(Listed { item, seller })
}

fn own_item(conn: &mut DbConn, id: i64, seller_id: i64) -> AppResult<Item> {
    match queries::item(conn, id)? {
        Some((item, _)) if item.seller_id == seller_id => Ok(item),
        _ => Err(AppError::NotFound),
    }
}

pub fn mark_sold(conn: &mut DbConn, id: i64, seller_id: i64) -> AppResult<()> {
    own_item(conn, id, seller_id)?;
    if queries::set_status(conn, id, &[ON], SOLD, db::now())? != 1 {
        return Err(AppError::conflict("只有在售的商品才能标记为已售出"));
    }
    Ok(())
}

pub fn take_down(conn: &mut DbConn, id: i64, seller_id: i64) -> AppResult<()> {
    own_item(conn, id, seller_id)?;
    if queries::set_status(conn, id, &[ON, SOLD], DOWN, db::now())? != 1 {
        return Err(AppError::conflict("该商品已下架"));
    }
    Ok(())
}

/// Reports an item once per person; admins hear about the first report.
pub fn report(conn: &mut DbConn, id: i64, reporter: i64, reason: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let listed = item(conn, id, Some(reporter))?;
        if listed.item.seller_id == reporter {
            return Err(AppError::invalid("不能举报自己的商品"));
        }
        if queries::insert_report(conn, id, reporter, reason, db::now())? == 0 {
            return Err(AppError::conflict("你已经举报过这件商品，管理员会尽快处理"));
        }
        let reports = queries::bump_reports(conn, id)?;
        let seller = Some(listed.item.seller_id);
        let why = format!("举报：{reason}");
        let (title, body) = (&listed.item.title, &listed.item.description);
        moderation::flag(conn, moderation::KIND_SECOND_HAND, id, seller, title, body, &why)?;
        super::trade::review_if_needed(conn, listed.item.seller_id)?;
        if reports == 1 {
            for admin in crate::auth::staff::admins_who_may(conn, crate::web::Permission::SecondHand)? {
                notify::send(
                    conn,
                    admin,
                    MessageKind::System,
                    "二手商品被举报",
                    &format!("「{}」被举报：{reason}", listed.item.title),
                    Some("/admin/second-hand"),
                )?;
            }
        }
        Ok(())
    })
}

/// Opens (or reopens) the buyer's thread with the seller about an item.
pub fn contact(conn: &mut DbConn, item_id: i64, buyer: i64) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let listed = item(conn, item_id, Some(buyer))?;
        if listed.item.seller_id == buyer {
            return Err(AppError::invalid("这是你自己发布的商品"));
        }
        if let Some(id) = queries::thread_of(conn, item_id, buyer)? {
            return Ok(id);
        }
        if listed.item.status != ON {
            return Err(AppError::conflict("该商品已不在售"));
        }
        // Two clicks at once both get here; the unique index keeps one thread and both open it.
        queries::insert_thread(conn, item_id, buyer, listed.item.seller_id, db::now())?;
        queries::thread_of(conn, item_id, buyer)?.ok_or(AppError::NotFound)
    })
}

pub struct Conversation {
    pub thread: Thread,
    pub item: Listed,
    pub messages: Vec<ChatMessage>,
}

/// A thread, for its buyer or its seller only.
pub fn conversation(conn: &mut DbConn, thread_id: i64, user_id: i64) -> AppResult<Conversation> {
    let thread = queries::thread(conn, thread_id)?.ok_or(AppError::NotFound)?;
    if thread.buyer_id != user_id && thread.seller_id != user_id {
        return Err(AppError::NotFound);
    }
    let (item, seller) = queries::item(conn, thread.item_id)?.ok_or(AppError::NotFound)?;
    let messages = queries::messages(conn, thread_id)?;
    Ok(Conversation { thread, item: Listed { item, seller }, messages })
}

pub fn send_message(conn: &mut DbConn, thread_id: i64, sender: i64, body: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let c = conversation(conn, thread_id, sender)?;
        if c.thread.closed_at.is_some() {
            return Err(AppError::conflict("对方已注销账号，这个会话已关闭"));
        }
        queries::insert_message(conn, thread_id, sender, body, db::now())?;
        let to = if sender == c.thread.buyer_id { c.thread.seller_id } else { c.thread.buyer_id };
        let preview: String = body.chars().take(40).collect();
        notify::send(
            conn,
            to,
            MessageKind::System,
            &format!("二手「{}」有新私信", c.item.item.title),
            &preview,
            Some(&format!("/mall/second-hand/threads/{thread_id}")),
        )?;
        Ok(())
    })
}

pub struct Reported {
    pub listed: Listed,
    pub reasons: Vec<String>,
}

pub fn reported(conn: &mut DbConn) -> AppResult<Vec<Reported>> {
    let rows = queries::reported(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (item, seller) in rows {
        let reasons = queries::reasons(conn, item.id)?;
        out.push(Reported { listed: Listed { item, seller }, reasons });
    }
    Ok(out)
}

/// An admin takes an item down for good; audit-logged, the seller is told why.
pub fn remove(conn: &mut DbConn, id: i64, admin_id: i64, reason: &str, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (item, _) = queries::item(conn, id)?.ok_or(AppError::NotFound)?;
        if queries::set_status(conn, id, &[ON, SOLD, DOWN], REMOVED, db::now())? != 1 {
            return Err(AppError::conflict("该商品已被下架"));
        }
        moderation::close_open(conn, moderation::KIND_SECOND_HAND, id, "hidden", admin_id)?;
        // Removed means gone: its photos answer 404 from now on, and leave the store later.
        let photos = item.images();
        crate::privacy::withdraw_photos(conn, photos.iter().map(String::as_str))?;
        let detail = serde_json::json!({ "reason": reason }).to_string();
        audit::record(
            conn,
            Some(admin_id),
            "second_hand.remove",
            "second_hand_item",
            Some(&id.to_string()),
            &detail,
            Some(ip),
        )?;
        notify::send(
            conn,
            item.seller_id,
            MessageKind::System,
            "你的二手商品已被下架",
            &format!("「{}」因违反社区规定被管理员下架：{reason}", item.title),
            None,
        )?;
        Ok(())
    })
}

/// The reason an admin gave when taking the item down, if it was.
pub fn removal_reason(conn: &mut DbConn, item: &super::models::Item) -> AppResult<Option<String>> {
    if item.status != REMOVED {
        return Ok(None);
    }
    audit::last_reason(conn, "second_hand.remove", "second_hand_item", item.id)
}

/// An admin finds the reports unfounded: the item stays, the queue forgets it.
pub fn dismiss_reports(conn: &mut DbConn, id: i64, admin_id: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if queries::clear_reports(conn, id)? != 1 {
            return Err(AppError::NotFound);
        }
        moderation::close_open(conn, moderation::KIND_SECOND_HAND, id, "approved", admin_id)?;
        audit::record(
            conn,
            Some(admin_id),
            "second_hand.dismiss",
            "second_hand_item",
            Some(&id.to_string()),
            "{}",
            Some(ip),
        )
    })
}

/// The seller of an item (for banning the author from the queue).
pub fn seller_of(conn: &mut DbConn, id: i64) -> AppResult<i64> {
    queries::item(conn, id)?.map(|(item, _)| item.seller_id).ok_or(AppError::NotFound)
}
