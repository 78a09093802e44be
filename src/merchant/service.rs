//! The rules of the back office for shops: onboarding (apply, approve, reject), a merchant's
//! own products, stock, orders and coupons, and the dashboard figures. Every merchant function
//! takes the merchant's shop id and refuses anything of another shop as not found.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use super::models::{Application, Coupon, NewApplication, NewCoupon};
use super::queries::{self, ProductRow};
use crate::audit;
use crate::auth::models::Role;
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::models::{Order, OrderStatus, Sku};
use crate::mall::service::{self as mall, SkuSpec};
use crate::notify::{self, MessageKind};
use crate::web::time;

pub fn latest_application(conn: &mut DbConn, user_id: i64) -> AppResult<Option<Application>> {
    Ok(queries::latest_application(conn, user_id)?)
}

/// Files an application; one at a time, and not for someone who already has a shop.
pub fn apply(conn: &mut DbConn, keys: &Keyring, user_id: i64, app: &NewApplication, licence: &str) -> AppResult<()> {
    let phone = keys.seal(col::APPLICATION_PHONE, &app.contact_phone);
    write_tx(conn, |conn| {
        if mall::shop_of(conn, user_id)?.is_some() {
            return Err(AppError::conflict("你已经开通了店铺"));
        }
        if queries::latest_application(conn, user_id)?.is_some_and(|a| a.status == "pending") {
            return Err(AppError::conflict("你的申请正在审核中，请耐心等待"));
        }
        queries::insert_application(conn, user_id, app, &phone, licence, db::now())?;
        for admin in crate::auth::staff::admins_who_may(conn, crate::web::Permission::Merchants)? {
            notify::send(
                conn,
                admin,
                MessageKind::System,
                "新的商家入驻申请",
                &format!("「{}」申请开店", app.shop_name),
                Some("/admin/merchants"),
            )?;
        }
        Ok(())
    })
}

/// The applications waiting for review, each with the applicant's nickname and the contact
/// phone opened for the reviewer.
pub fn pending_applications(conn: &mut DbConn, keys: &Keyring) -> AppResult<Vec<(Application, String, String)>> {
    Ok(queries::applications(conn, "pending")?
        .into_iter()
        .map(|(a, who)| {
            let phone = keys.show(col::APPLICATION_PHONE, &a.contact_phone);
            (a, who, phone)
        })
        .collect())
}

/// Approves: the applicant becomes a merchant with a shop, hears about it, and it is audited.
pub fn approve(conn: &mut DbConn, id: i64, admin: i64, ip: &str) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let app = queries::application(conn, id)?.ok_or(AppError::NotFound)?;
        if queries::decide(conn, id, "approved", None, admin, db::now())? != 1 {
            return Err(AppError::conflict("该申请已处理"));
        }
        crate::auth::service::grant_role(conn, app.user_id, Role::Merchant)?;
        let shop = mall::open_shop(conn, app.user_id, &app.shop_name, &app.category, &app.location)?;
        audit::record(
            conn,
            Some(admin),
            "merchant.approve",
            "merchant_application",
            Some(&id.to_string()),
            "{}",
            Some(ip),
        )?;
        notify::send(
            conn,
            app.user_id,
            MessageKind::Security,
            "开店申请已通过",
            &format!("恭喜！「{}」已开通，现在可以在商家后台上架商品了。", app.shop_name),
            Some("/merchant"),
        )?;
        Ok(shop)
    })
}

pub fn reject(conn: &mut DbConn, id: i64, admin: i64, reason: &str, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let app = queries::application(conn, id)?.ok_or(AppError::NotFound)?;
        if queries::decide(conn, id, "rejected", Some(reason), admin, db::now())? != 1 {
            return Err(AppError::conflict("该申请已处理"));
        }
        let detail = serde_json::json!({ "reason": reason }).to_string();
        audit::record(
            conn,
            Some(admin),
            "merchant.reject",
            "merchant_application",
            Some(&id.to_string()),
            &detail,
            Some(ip),
        )?;
        notify::send(
            conn,
            app.user_id,
            MessageKind::Security,
            "开店申请未通过",
            &format!("「{}」的开店申请未通过：{reason}。修改后可以重新申请。", app.shop_name),
            Some("/merchant/apply"),
        )?;
        Ok(())
    })
}

pub fn shops(conn: &mut DbConn) -> AppResult<Vec<(i64, String, String, String)>> {
    Ok(queries::all_shops(conn)?)
}

/// Suspends a shop (its products leave the mall at once) or lets it trade again.
pub fn set_suspended(conn: &mut DbConn, shop_id: i64, suspended: bool, admin: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let status = if suspended { "suspended" } else { crate::mall::models::SHOP_OPEN };
        if queries::set_shop_status(conn, shop_id, status, db::now())? != 1 {
            return Err(AppError::NotFound);
        }
        let action = if suspended { "shop.suspend" } else { "shop.resume" };
        audit::record(conn, Some(admin), action, "shop", Some(&shop_id.to_string()), "{}", Some(ip))
    })
}

/// The merchant's shop; a merchant without one (not yet approved) has nothing here.
pub fn own_shop(conn: &mut DbConn, user_id: i64) -> AppResult<i64> {
    mall::shop_of(conn, user_id)?.ok_or_else(|| AppError::Denied("你还没有店铺，请先申请入驻".into()))
}

pub fn products(
    conn: &mut DbConn,
    shop: i64,
    q: &str,
    status: Option<&str>,
    page: i64,
) -> AppResult<Vec<(ProductRow, Vec<Sku>)>> {
    let rows = queries::shop_products(conn, shop, q, status, 50, (page - 1) * 50)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut skus = queries::skus_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine: Vec<Sku> = skus.iter().filter(|s| s.product_id == r.id).cloned().collect();
            skus.retain(|s| s.product_id != r.id);
            (r, mine)
        })
        .collect())
}

fn own_product(conn: &mut DbConn, shop: i64, product_id: i64) -> AppResult<()> {
    match queries::product_shop(conn, product_id)? {
        Some(s) if s == shop => Ok(()),
        _ => Err(AppError::NotFound),
    }
}

/// Creates a product in the merchant's shop; its opening stock is logged.
pub fn create_product(conn: &mut DbConn, shop: i64, actor: i64, spec: &mall::ProductSpec, ip: &str) -> AppResult<i64> {
    if spec.shop_id != shop {
        return Err(AppError::NotFound);
    }
    write_tx(conn, |conn| {
        let id = mall::create_product(conn, spec, 0)?;
        let now = db::now();
        for sku in queries::skus_of(conn, &[id])? {
            mall::log_stock(conn, sku.id, id, Some(actor), sku.stock, "manual", now)?;
        }
        let detail = serde_json::json!({ "name": spec.name });
        shop_log(conn, ShopLog { shop, actor, ip }, "product.create", "product", &id.to_string(), detail)?;
        Ok(id)
    })
}

pub fn set_on_shelf(conn: &mut DbConn, who: ShopLog<'_>, product_id: i64, on: bool) -> AppResult<()> {
    write_tx(conn, |conn| {
        own_product(conn, who.shop, product_id)?;
        mall::set_product_on_sale(conn, product_id, on)?;
        let action = if on { "product.on" } else { "product.off" };
        shop_log(conn, who, action, "product", &product_id.to_string(), serde_json::json!({}))
    })
}

/// Who acts for which shop, from where: every merchant action lands in the shop's log.
#[derive(Clone, Copy)]
pub struct ShopLog<'a> {
    pub shop: i64,
    pub actor: i64,
    pub ip: &'a str,
}

fn shop_log(
    conn: &mut DbConn,
    who: ShopLog<'_>,
    action: &str,
    target_type: &str,
    target_id: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit::record_for_shop(
        conn,
        audit::ShopAction {
            shop_id: who.shop,
            actor_id: who.actor,
            action,
            target_type,
            target_id,
            detail,
            ip: who.ip,
        },
    )
}

/// Why the platform took products down, for those still down because of it.
pub fn takedown_reasons(conn: &mut DbConn, product_ids: &[i64]) -> AppResult<std::collections::HashMap<i64, String>> {
    audit::standing_reasons(
        conn,
        "product.takedown",
        &["product.takedown", "product.on", "product.off"],
        "product",
        product_ids,
    )
}

/// The shop's own activity log, newest first (`/merchant/log`).
pub fn activity_log(conn: &mut DbConn, shop: i64, page: i64) -> AppResult<Vec<audit::AuditLine>> {
    audit::for_shop(conn, shop, LOG_PAGE, (page.max(1) - 1) * LOG_PAGE)
}

pub const LOG_PAGE: i64 = 50;

/// Sets a SKU's stock (0–999,999) from the list's inline edit; logged, atomic against sales
/// happening at the same moment (the UPDATE only applies to the stock the merchant saw).
pub fn set_stock(conn: &mut DbConn, who: ShopLog<'_>, sku_id: i64, stock: i64) -> AppResult<Sku> {
    let (shop, actor) = (who.shop, who.actor);
    if !(0..=999_999).contains(&stock) {
        return Err(AppError::invalid("库存需为 0 到 999999 之间的整数"));
    }
    write_tx(conn, |conn| {
        let (owner, product_id, before) = queries::sku_owner(conn, sku_id)?.ok_or(AppError::NotFound)?;
        if owner != shop {
            return Err(AppError::NotFound);
        }
        if queries::set_stock(conn, sku_id, before, stock)? != 1 {
            return Err(AppError::conflict("库存刚刚有变动，请刷新后再改"));
        }
        if stock != before {
            mall::log_stock(conn, sku_id, product_id, Some(actor), stock - before, "manual", db::now())?;
            mall::stock_dropped(conn, sku_id, before, stock)?;
        }
        let sku =
            queries::skus_of(conn, &[product_id])?.into_iter().find(|s| s.id == sku_id).ok_or(AppError::NotFound)?;
        let detail = serde_json::json!({ "sku": sku.name, "from": before, "to": stock });
        shop_log(conn, who, "product.stock", "product", &product_id.to_string(), detail)?;
        Ok(sku)
    })
}

pub fn orders(conn: &mut DbConn, shop: i64, tab: &str) -> AppResult<Vec<Order>> {
    Ok(queries::shop_orders(conn, shop, mall::tab_statuses(tab), 100, 0)?)
}

/// One of the shop's orders with its lines, events and refunds; anyone else's is not found.
pub fn order(conn: &mut DbConn, shop: i64, order_no: &str) -> AppResult<mall::OrderPage> {
    let page = mall::order_page_any(conn, order_no)?;
    if page.summary.order.shop_id != shop {
        return Err(AppError::NotFound);
    }
    Ok(page)
}

pub fn ship(
    conn: &mut DbConn,
    who: ShopLog<'_>,
    order_no: &str,
    shipping: mall::Shipping,
    auto_complete: Duration,
) -> AppResult<()> {
    let (action, detail) = match &shipping {
        mall::Shipping::Pickup => ("order.ready", serde_json::json!({})),
        mall::Shipping::Courier { courier, tracking_no } => {
            ("order.ship", serde_json::json!({ "courier": courier, "tracking_no": tracking_no }))
        }
    };
    write_tx(conn, |conn| {
        let page = order(conn, who.shop, order_no)?;
        mall::ship_order(conn, page.summary.order.id, Some(who.actor), shipping, auto_complete)?;
        shop_log(conn, who, action, "order", order_no, detail)
    })
}

/// The refund belongs to one of the shop's orders, and is waiting for a decision.
pub fn own_refund(conn: &mut DbConn, shop: i64, refund_id: i64) -> AppResult<()> {
    let order = mall::order_of_refund(conn, refund_id)?;
    if order.shop_id != shop {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The shop's decision on a refund, in its log: the order, the amount, a refusal's reason.
pub fn log_refund_decision(
    conn: &mut DbConn,
    who: ShopLog<'_>,
    refund_id: i64,
    approved: bool,
    reason: &str,
) -> AppResult<()> {
    let order = mall::order_of_refund(conn, refund_id)?;
    let amount = mall::refund_amount(conn, refund_id)?;
    let action = if approved { "refund.approve" } else { "refund.reject" };
    let detail = serde_json::json!({ "amount_cents": amount, "reason": reason, "refund": refund_id });
    shop_log(conn, who, action, "order", &order.order_no, detail)
}

pub struct Dashboard {
    pub today_cents: i64,
    pub month_cents: i64,
    pub counts: Vec<(String, i64)>,
    pub low_stock: Vec<(i64, String, String, i64)>,
    /// (MM-DD, net sales in cents) for the last 30 days, oldest first.
    pub daily: Vec<(String, i64)>,
}

pub fn dashboard(conn: &mut DbConn, shop: i64) -> AppResult<Dashboard> {
    let now = db::now();
    let today = time::date(now);
    let start_day = today - TimeDelta::days(29);
    let start: NaiveDateTime = time::utc(start_day.and_time(chrono::NaiveTime::MIN));
    let mut daily: Vec<(String, i64)> =
        (0..30).map(|i| ((start_day + TimeDelta::days(i)).format("%m-%d").to_string(), 0)).collect();
    let mut month = 0;
    for (paid_at, pay, refunded) in queries::paid_since(conn, shop, start)? {
        let day = time::date(paid_at);
        let idx = (day - start_day).num_days();
        if (0..30).contains(&idx) {
            daily[idx as usize].1 += pay - refunded;
            month += pay - refunded;
        }
    }
    let counts = queries::status_counts(conn, shop)?
        .into_iter()
        .map(|(s, n)| (crate::mall::models::status_label(&s).to_string(), n))
        .collect();
    Ok(Dashboard {
        today_cents: daily.last().map_or(0, |d| d.1),
        month_cents: month,
        counts,
        low_stock: queries::low_stock(conn, shop)?,
        daily,
    })
}

/// How a chart's values read.
#[derive(Clone, Copy)]
pub enum Unit {
    Money,
    People,
}

/// A bar chart as SVG, drawn on the server (no chart library in the browser). Labels are our
/// own dates and numbers; `title` is a fixed string of the caller.
pub fn bar_chart(series: &[(String, i64)], title: &str, unit: Unit) -> String {
    let (w, h, pad) = (600.0_f64, 200.0_f64, 24.0_f64);
    let max = series.iter().map(|s| s.1).max().unwrap_or(0).max(1) as f64;
    let bw = (w - pad * 2.0) / series.len().max(1) as f64;
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{title}\" xmlns=\"http://www.w3.org/2000/svg\">\
         <line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ccc\"/>",
        h - pad,
        w - pad,
        h - pad
    );
    for (i, (label, cents)) in series.iter().enumerate() {
        let bh = (*cents as f64 / max) * (h - pad * 2.0);
        let x = pad + i as f64 * bw;
        svg.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#07c160\"><title>{} {}</title></rect>",
            x + 1.0,
            h - pad - bh,
            (bw - 2.0).max(1.0),
            bh,
            label,
            match unit {
                Unit::Money => crate::web::filters::format_money(*cents),
                Unit::People => format!("{cents}人"),
            }
        ));
        if i % 5 == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"10\" fill=\"#888\">{label}</text>",
                x,
                h - 6.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

pub fn create_coupon(conn: &mut DbConn, shop: i64, c: &NewCoupon) -> AppResult<()> {
    queries::insert_coupon(conn, shop, c, db::now())?;
    Ok(())
}

pub fn coupons(conn: &mut DbConn, shop: i64) -> AppResult<Vec<Coupon>> {
    Ok(queries::shop_coupons(conn, shop)?)
}

pub fn is_paid_or_later(order: &Order) -> bool {
    matches!(order.state(), Some(OrderStatus::Paid | OrderStatus::Shipped | OrderStatus::Completed))
}

pub const IMPORT_HEADER: [&str; 6] = ["商品名称", "分类", "规格", "价格", "库存", "描述"];

/// Every SKU of the shop as CSV (UTF-8 with a BOM so spreadsheet programs read the Chinese).
pub fn export_csv(conn: &mut DbConn, shop: i64) -> AppResult<Vec<u8>> {
    let categories = mall::leaf_categories(conn)?;
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(IMPORT_HEADER.iter().chain(["状态", "商品编号"].iter())).map_err(AppError::internal)?;
    let mut page = 1;
    loop {
        let rows = products(conn, shop, "", None, page)?;
        if rows.is_empty() {
            break;
        }
        for (p, skus) in &rows {
            let category = queries::product_category(conn, p.id)?;
            let category = categories.iter().find(|c| c.id == category).map(|c| c.name.clone()).unwrap_or_default();
            let description = queries::product_description(conn, p.id)?;
            for s in skus {
                let price = format!("{}.{:02}", s.price_cents / 100, s.price_cents % 100);
                out.write_record([
                    p.name.as_str(),
                    category.as_str(),
                    s.name.as_str(),
                    price.as_str(),
                    &s.stock.to_string(),
                    description.as_str(),
                    if p.status == "on" { "在售" } else { "已下架" },
                    &p.id.to_string(),
                ])
                .map_err(AppError::internal)?;
            }
        }
        page += 1;
    }
    out.into_inner().map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))
}

/// A product as its edit form shows it.
pub struct ProductEdit {
    pub id: i64,
    pub name: String,
    pub category_id: i64,
    pub description: String,
    pub images: Vec<String>,
    pub original_price_cents: Option<i64>,
    pub skus: Vec<Sku>,
}

pub fn product_for_edit(conn: &mut DbConn, shop: i64, product_id: i64) -> AppResult<ProductEdit> {
    own_product(conn, shop, product_id)?;
    let (name, category_id, description, images, original_price_cents) = queries::product_fields(conn, product_id)?;
    Ok(ProductEdit {
        id: product_id,
        name,
        category_id,
        description,
        images: crate::mall::models::image_list(&images),
        original_price_cents,
        skus: queries::skus_of(conn, &[product_id])?,
    })
}

/// What the edit form changes; photos are already stored.
pub struct ProductChange {
    pub name: String,
    pub category_id: i64,
    pub description: String,
    pub original_price_cents: Option<i64>,
    /// The photos to keep, in order (the first is the cover), then new ones.
    pub images: Vec<String>,
    /// New prices of existing options.
    pub prices: Vec<(i64, i64)>,
    /// Options to add.
    pub new_skus: Vec<SkuSpec>,
}

/// Saves an edit of the merchant's own product in one transaction; stock is changed inline.
pub fn update_product(
    conn: &mut DbConn,
    shop: i64,
    actor: i64,
    product_id: i64,
    change: &ProductChange,
    ip: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        own_product(conn, shop, product_id)?;
        let before = crate::mall::models::image_list(&queries::product_fields(conn, product_id)?.3);
        let dropped: Vec<String> = before.into_iter().filter(|p| !change.images.contains(p)).collect();
        mall::let_go_of_product_photos(conn, &dropped)?;
        let detail = serde_json::json!({ "name": change.name });
        shop_log(conn, ShopLog { shop, actor, ip }, "product.update", "product", &product_id.to_string(), detail)?;
        let images = serde_json::to_string(&change.images).map_err(AppError::internal)?;
        queries::update_product(
            conn,
            product_id,
            &change.name,
            change.category_id,
            &change.description,
            &images,
            change.original_price_cents,
        )?;
        for (sku, price) in &change.prices {
            if queries::set_sku_price(conn, *sku, product_id, *price)? != 1 {
                return Err(AppError::NotFound);
            }
        }
        let existing = queries::skus_of(conn, &[product_id])?;
        let now = db::now();
        for (i, sku) in change.new_skus.iter().enumerate() {
            if existing.iter().any(|s| s.name == sku.name) {
                return Err(AppError::invalid(format!("规格「{}」已存在", sku.name)));
            }
            mall::insert_sku(
                conn,
                product_id,
                &sku.name,
                sku.price_cents,
                sku.stock,
                (existing.len() + i) as i32,
                now,
            )?;
        }
        for sku in
            queries::skus_of(conn, &[product_id])?.iter().filter(|s| change.new_skus.iter().any(|n| n.name == s.name))
        {
            mall::log_stock(conn, sku.id, product_id, Some(actor), sku.stock, "manual", now)?;
        }
        queries::refresh_listed_price(conn, product_id)?;
        Ok(())
    })
}
