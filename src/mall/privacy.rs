//! The mall's part of the personal-data registry (`crate::privacy`): orders (with their lines,
//! events, payments and refunds), the cart and claimed coupons. A closed account's unpaid orders
//! are cancelled (stock goes back); paid ones stay for the books without receiver, phone,
//! address or remark; the cart and unused coupons are deleted.

use diesel::prelude::*;

use crate::db::schema::{cart_items, coupons, orders, product_skus, products, shops, user_coupons};
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    let books = "已支付的订单依《电子商务法》保存三年：只留商品、金额和时间，收货人、电话、地址和备注已清除";
    Part::new("mall")
        .table("orders", Export::To("orders"), Forget::Anonymise(books))
        .table("order_events", Export::To("orders"), Forget::Keep("订单的状态记录随订单保存"))
        .table("cart_items", Export::To("cart"), Forget::Delete)
        .table("user_coupons", Export::To("coupons"), Forget::Anonymise("已用于订单的优惠券随订单保存；未使用的删除"))
        .uploads("products", &[("products", "images"), ("order_items", "image")])
        .uploads("banners", &[("banners", "image")])
        .export(|conn, who, out| {
            let uid = who.user_id;
            out.put("orders", super::service::export_orders(conn, who.keys, uid)?);
            let cart: Vec<(String, String, i64)> = cart_items::table
                .inner_join(product_skus::table.inner_join(products::table))
                .filter(cart_items::user_id.eq(uid))
                .select((products::name, product_skus::name, cart_items::quantity))
                .load(conn)?;
            out.put(
                "cart",
                cart.into_iter().map(|(p, s, q)| serde_json::json!({ "product": p, "option": s, "quantity": q })).collect(),
            );
            let claimed: Vec<(String, String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> =
                user_coupons::table
                    .inner_join(coupons::table.inner_join(shops::table))
                    .filter(user_coupons::user_id.eq(uid))
                    .order(user_coupons::id)
                    .select((coupons::title, shops::name, user_coupons::status, user_coupons::claimed_at, user_coupons::used_at))
                    .load(conn)?;
            out.put(
                "coupons",
                claimed
                    .into_iter()
                    .map(|(t, shop, status, at, used)| serde_json::json!({ "coupon": t, "shop": shop, "status": status, "claimed_at": at, "used_at": used }))
                    .collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            let unpaid: Vec<i64> = orders::table
                .filter(orders::user_id.eq(uid))
                .filter(orders::status.eq(super::models::OrderStatus::Pending.as_str()))
                .select(orders::id)
                .load(conn)?;
            for id in &unpaid {
                super::service::cancel_order(conn, *id, None, "买家注销账号，订单取消")?;
            }
            out.count("orders_cancelled", unpaid.len());
            out.count("orders_kept", super::service::forget_buyer(conn, uid)?);
            diesel::delete(cart_items::table.filter(cart_items::user_id.eq(uid))).execute(conn)?;
            diesel::delete(user_coupons::table.filter(user_coupons::user_id.eq(uid)).filter(user_coupons::order_id.is_null()))
                .execute(conn)?;
            Ok(())
        })
}
