//! Favoured listings and price cuts: whoever favoured an item hears once of each cut below the
//! price they last saw.

use diesel::prelude::*;

use super::models::ON;
use crate::db::schema::{second_hand_favourites as favs, second_hand_items as items};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

pub fn is_favoured(conn: &mut DbConn, item_id: i64, user_id: i64) -> AppResult<bool> {
    let n: i64 =
        favs::table.filter(favs::item_id.eq(item_id)).filter(favs::user_id.eq(user_id)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Favours an item (or un-favours it when `on` is false); twice is once (the unique index).
pub fn set(conn: &mut DbConn, item_id: i64, user_id: i64, on: bool) -> AppResult<()> {
    let listed = super::service::item(conn, item_id, Some(user_id))?;
    if listed.item.seller_id == user_id {
        return Err(AppError::invalid("不能收藏自己发布的商品"));
    }
    if !on {
        diesel::delete(favs::table.filter(favs::item_id.eq(item_id)).filter(favs::user_id.eq(user_id)))
            .execute(conn)?;
        return Ok(());
    }
    crate::on_backend!(conn, |c| diesel::insert_into(favs::table)
        .values((
            favs::item_id.eq(item_id),
            favs::user_id.eq(user_id),
            favs::seen_price_cents.eq(listed.item.price_cents),
            favs::created_at.eq(db::now()),
        ))
        .on_conflict((favs::item_id, favs::user_id))
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// The seller changes the price; a cut tells each person who favoured the item once (their
/// `seen_price_cents` moves to the new price in the same statement that picks them).
pub fn change_price(conn: &mut DbConn, item_id: i64, seller: i64, price_cents: i64) -> AppResult<usize> {
    if price_cents <= 0 || price_cents > 10_000_000 {
        return Err(AppError::invalid("价格需在 ¥0.01 到 ¥100000 之间"));
    }
    let (item, _) = super::queries::item(conn, item_id)?.ok_or(AppError::NotFound)?;
    if item.seller_id != seller {
        return Err(AppError::NotFound);
    }
    write_tx(conn, |conn| {
        let n = diesel::update(items::table.filter(items::id.eq(item_id)).filter(items::status.eq(ON)))
            .set((items::price_cents.eq(price_cents), items::updated_at.eq(db::now())))
            .execute(conn)?;
        if n != 1 {
            return Err(AppError::conflict("只有在售的商品才能改价"));
        }
        let told: Vec<i64> = crate::on_backend!(conn, |c| diesel::update(
            favs::table.filter(favs::item_id.eq(item_id)).filter(favs::seen_price_cents.gt(price_cents))
        )
        .set(favs::seen_price_cents.eq(price_cents))
        .returning(favs::user_id)
        .get_results(c))?;
        let money = crate::web::filters::format_money;
        for user in &told {
            notify::send(
                conn,
                *user,
                MessageKind::System,
                &format!("你收藏的「{}」降价了", item.title),
                &format!("{} → {}", money(item.price_cents), money(price_cents)),
                Some(&format!("/mall/second-hand/{item_id}")),
            )?;
        }
        // A raise lets the next cut below the old price tell them again.
        Ok(told.len())
    })
}
