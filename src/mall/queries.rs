//! Diesel queries of the mall. Every query that a shopper sees filters on product status and
//! shop status, so a product taken off the shelf or a suspended shop disappears everywhere.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{
    CartLine, Category, IndexRow, Order, OrderEvent, OrderItem, PRODUCT_ON, Product, ProductCard, Refund, SHOP_OPEN,
    Sku,
};
use crate::db::DbConn;
use crate::db::schema::{
    banners, cart_items, order_events, order_items, orders, payments, pickup_points, product_categories, product_skus,
    products, refunds, shops,
};
use crate::on_backend;

/// How a product list is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Sales,
    PriceAsc,
    PriceDesc,
    Newest,
}

impl Sort {
    pub fn parse(s: Option<&str>) -> Sort {
        match s {
            Some("price_asc") => Sort::PriceAsc,
            Some("price_desc") => Sort::PriceDesc,
            Some("newest") => Sort::Newest,
            _ => Sort::Sales,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Sales => "sales",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
        }
    }
}

pub type CardColumns = (
    products::id,
    products::name,
    products::images,
    products::price_cents,
    products::original_price_cents,
    products::sales,
);

pub const CARD: CardColumns = (
    products::id,
    products::name,
    products::images,
    products::price_cents,
    products::original_price_cents,
    products::sales,
);

pub fn categories(conn: &mut DbConn) -> QueryResult<Vec<Category>> {
    product_categories::table
        .order((product_categories::sort_order.asc(), product_categories::id.asc()))
        .select(Category::as_select())
        .load(conn)
}

pub fn banners(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String, String)>> {
    banners::table
        .filter(banners::active.eq(true))
        .order((banners::sort_order.asc(), banners::id.asc()))
        .select((banners::id, banners::title, banners::image, banners::link))
        .load(conn)
}

/// Products on sale in open shops, in `category_ids` when given, ordered by `sort`, after the
/// keyset `cursor` (the sort value and id of the last card already shown).
pub fn product_cards(
    conn: &mut DbConn,
    category_ids: Option<&[i64]>,
    sort: Sort,
    cursor: Option<(i64, i64)>,
    limit: i64,
) -> QueryResult<Vec<ProductCard>> {
    let mut q = products::table
        .inner_join(shops::table)
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select(CARD)
        .limit(limit)
        .into_boxed();
    if let Some(ids) = category_ids {
        q = q.filter(products::category_id.eq_any(ids.to_vec()));
    }
    q = match (sort, cursor) {
        (Sort::Sales, Some((v, id))) => {
            q.filter(products::sales.lt(v).or(products::sales.eq(v).and(products::id.lt(id))))
        }
        (Sort::PriceAsc, Some((v, id))) => {
            q.filter(products::price_cents.gt(v).or(products::price_cents.eq(v).and(products::id.gt(id))))
        }
        (Sort::PriceDesc, Some((v, id))) => {
            q.filter(products::price_cents.lt(v).or(products::price_cents.eq(v).and(products::id.lt(id))))
        }
        (Sort::Newest, Some((_, id))) => q.filter(products::id.lt(id)),
        (_, None) => q,
    };
    q = match sort {
        Sort::Sales => q.order((products::sales.desc(), products::id.desc())),
        Sort::PriceAsc => q.order((products::price_cents.asc(), products::id.asc())),
        Sort::PriceDesc => q.order((products::price_cents.desc(), products::id.desc())),
        Sort::Newest => q.order(products::id.desc()),
    };
    q.load(conn)
}

/// Which of the given ids (search hits) are on sale and pass the filters, with their sort keys:
/// `(id, price, sales)`. Light on purpose; the page's cards are loaded afterwards.
pub fn visible_hits(
    conn: &mut DbConn,
    ids: &[i64],
    min: Option<i64>,
    max: Option<i64>,
    category_ids: Option<&[i64]>,
) -> QueryResult<Vec<(i64, i64, i64)>> {
    let mut q = products::table
        .inner_join(shops::table)
        .filter(products::id.eq_any(ids.to_vec()))
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select((products::id, products::price_cents, products::sales))
        .into_boxed();
    if let Some(min) = min {
        q = q.filter(products::price_cents.ge(min));
    }
    if let Some(max) = max {
        q = q.filter(products::price_cents.le(max));
    }
    if let Some(cats) = category_ids {
        q = q.filter(products::category_id.eq_any(cats.to_vec()));
    }
    q.load(conn)
}

/// Cards with descriptions for those of the given ids still on sale, in no particular order.
pub fn visible_cards_with_description(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(ProductCard, String)>> {
    products::table
        .inner_join(shops::table)
        .filter(products::id.eq_any(ids.to_vec()))
        .filter(products::status.eq(PRODUCT_ON))
        .filter(shops::status.eq(SHOP_OPEN))
        .select((CARD, products::description))
        .load(conn)
}

pub fn product(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Product, String, String, String)>> {
    products::table
        .inner_join(shops::table)
        .inner_join(product_categories::table)
        .filter(products::id.eq(id))
        .select((Product::as_select(), shops::name, shops::status, product_categories::name))
        .first(conn)
        .optional()
}

pub fn skus(conn: &mut DbConn, product_id: i64) -> QueryResult<Vec<Sku>> {
    product_skus::table
        .filter(product_skus::product_id.eq(product_id))
        .order((product_skus::sort_order.asc(), product_skus::id.asc()))
        .select(Sku::as_select())
        .load(conn)
}

/// A SKU with what decides whether it can be bought: `(sku, product status, shop status)`.
pub fn sku_for_sale(conn: &mut DbConn, sku_id: i64) -> QueryResult<Option<(Sku, String, String)>> {
    product_skus::table
        .inner_join(products::table.inner_join(shops::table))
        .filter(product_skus::id.eq(sku_id))
        .select((Sku::as_select(), products::status, shops::status))
        .first(conn)
        .optional()
}

pub fn pickup_points(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String)>> {
    pickup_points::table
        .filter(pickup_points::active.eq(true))
        .order(pickup_points::id)
        .select((pickup_points::id, pickup_points::name, pickup_points::address))
        .load(conn)
}

pub fn pickup_point(conn: &mut DbConn, id: i64) -> QueryResult<Option<(String, String)>> {
    pickup_points::table
        .filter(pickup_points::id.eq(id))
        .filter(pickup_points::active.eq(true))
        .select((pickup_points::name, pickup_points::address))
        .first(conn)
        .optional()
}

pub fn cart_lines(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<CartLine>> {
    cart_items::table
        .inner_join(product_skus::table.inner_join(products::table.inner_join(shops::table)))
        .filter(cart_items::user_id.eq(user_id))
        .order((shops::id.asc(), cart_items::id.asc()))
        .select((
            cart_items::id,
            cart_items::quantity,
            product_skus::id,
            product_skus::name,
            product_skus::price_cents,
            product_skus::stock,
            products::id,
            products::name,
            products::images,
            products::status,
            shops::id,
            shops::name,
            shops::status,
        ))
        .load(conn)
}

pub fn cart_count(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    cart_items::table.filter(cart_items::user_id.eq(user_id)).count().get_result(conn)
}

pub fn cart_item_quantity(conn: &mut DbConn, user_id: i64, sku_id: i64) -> QueryResult<Option<(i64, i64)>> {
    cart_items::table
        .filter(cart_items::user_id.eq(user_id))
        .filter(cart_items::sku_id.eq(sku_id))
        .select((cart_items::id, cart_items::quantity))
        .first(conn)
        .optional()
}

pub fn cart_item_sku(conn: &mut DbConn, user_id: i64, item_id: i64) -> QueryResult<Option<i64>> {
    cart_items::table
        .filter(cart_items::id.eq(item_id))
        .filter(cart_items::user_id.eq(user_id))
        .select(cart_items::sku_id)
        .first(conn)
        .optional()
}

pub fn insert_cart_item(
    conn: &mut DbConn,
    user_id: i64,
    sku_id: i64,
    quantity: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(cart_items::table)
        .values((
            cart_items::user_id.eq(user_id),
            cart_items::sku_id.eq(sku_id),
            cart_items::quantity.eq(quantity),
            cart_items::created_at.eq(now),
            cart_items::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_cart_quantity(
    conn: &mut DbConn,
    user_id: i64,
    item_id: i64,
    quantity: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(cart_items::table.filter(cart_items::id.eq(item_id)).filter(cart_items::user_id.eq(user_id)))
        .set((cart_items::quantity.eq(quantity), cart_items::updated_at.eq(now)))
        .execute(conn)
}

pub fn delete_cart_item(conn: &mut DbConn, user_id: i64, item_id: i64) -> QueryResult<usize> {
    diesel::delete(cart_items::table.filter(cart_items::id.eq(item_id)).filter(cart_items::user_id.eq(user_id)))
        .execute(conn)
}

pub fn delete_cart_items(conn: &mut DbConn, user_id: i64, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(
        cart_items::table.filter(cart_items::user_id.eq(user_id)).filter(cart_items::id.eq_any(ids.to_vec())),
    )
    .execute(conn)
}

/// Takes `quantity` from a SKU's stock if that much is there; 1 row means reserved.
pub fn reserve_stock(conn: &mut DbConn, sku_id: i64, quantity: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)).filter(product_skus::stock.ge(quantity)))
        .set(product_skus::stock.eq(product_skus::stock - quantity))
        .execute(conn)
}

pub fn release_stock(conn: &mut DbConn, sku_id: i64, quantity: i64) -> QueryResult<usize> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)))
        .set(product_skus::stock.eq(product_skus::stock + quantity))
        .execute(conn)
}

pub fn add_sales(conn: &mut DbConn, sku_id: i64, product_id: i64, quantity: i64) -> QueryResult<()> {
    diesel::update(product_skus::table.filter(product_skus::id.eq(sku_id)))
        .set(product_skus::sales.eq(product_skus::sales + quantity))
        .execute(conn)?;
    diesel::update(products::table.filter(products::id.eq(product_id)))
        .set(products::sales.eq(products::sales + quantity))
        .execute(conn)?;
    Ok(())
}

pub struct NewOrder<'a> {
    pub order_no: &'a str,
    pub user_id: i64,
    pub shop_id: i64,
    pub total_cents: i64,
    pub delivery_type: &'a str,
    pub pickup_point_id: Option<i64>,
    pub receiver_name: &'a str,
    pub receiver_phone: &'a str,
    pub address: &'a str,
    pub remark: &'a str,
    pub checkout_key: &'a str,
    pub now: NaiveDateTime,
}

pub fn insert_order(conn: &mut DbConn, o: &NewOrder) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(orders::table)
        .values((
            orders::order_no.eq(o.order_no),
            orders::user_id.eq(o.user_id),
            orders::shop_id.eq(o.shop_id),
            orders::status.eq("pending"),
            orders::total_cents.eq(o.total_cents),
            orders::pay_cents.eq(o.total_cents),
            orders::delivery_type.eq(o.delivery_type),
            orders::pickup_point_id.eq(o.pickup_point_id),
            orders::receiver_name.eq(o.receiver_name),
            orders::receiver_phone.eq(o.receiver_phone),
            orders::address.eq(o.address),
            orders::remark.eq(o.remark),
            orders::checkout_key.eq(o.checkout_key),
            orders::created_at.eq(o.now),
            orders::updated_at.eq(o.now),
        ))
        .returning(orders::id)
        .get_result(c))
}

pub fn insert_order_item(conn: &mut DbConn, order_id: i64, line: &CartLine, image: &str) -> QueryResult<usize> {
    diesel::insert_into(order_items::table)
        .values((
            order_items::order_id.eq(order_id),
            order_items::product_id.eq(line.product_id),
            order_items::sku_id.eq(line.sku_id),
            order_items::product_name.eq(&line.product_name),
            order_items::sku_name.eq(&line.sku_name),
            order_items::image.eq(image),
            order_items::price_cents.eq(line.price_cents),
            order_items::quantity.eq(line.quantity),
        ))
        .execute(conn)
}

pub fn insert_event(
    conn: &mut DbConn,
    order_id: i64,
    from: Option<&str>,
    to: &str,
    actor: Option<i64>,
    note: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(order_events::table)
        .values((
            order_events::order_id.eq(order_id),
            order_events::from_status.eq(from),
            order_events::to_status.eq(to),
            order_events::actor_id.eq(actor),
            order_events::note.eq(note),
            order_events::created_at.eq(now),
        ))
        .execute(conn)
}

/// Moves an order from `from` to `to` only if it is still in `from`; 1 row means it moved.
pub fn move_status(conn: &mut DbConn, order_id: i64, from: &str, to: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)).filter(orders::status.eq(from)))
        .set((orders::status.eq(to), orders::updated_at.eq(now)))
        .execute(conn)
}

pub fn stamp(conn: &mut DbConn, order_id: i64, what: &str, now: NaiveDateTime) -> QueryResult<usize> {
    let target = orders::table.filter(orders::id.eq(order_id));
    match what {
        "paid" => diesel::update(target).set(orders::paid_at.eq(now)).execute(conn),
        "shipped" => diesel::update(target).set(orders::shipped_at.eq(now)).execute(conn),
        "completed" => diesel::update(target).set(orders::completed_at.eq(now)).execute(conn),
        "cancelled" => diesel::update(target).set(orders::cancelled_at.eq(now)).execute(conn),
        _ => Ok(0),
    }
}

pub fn set_shipping(
    conn: &mut DbConn,
    order_id: i64,
    courier: Option<&str>,
    tracking: Option<&str>,
    pickup_code: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set((orders::courier.eq(courier), orders::tracking_no.eq(tracking), orders::pickup_code.eq(pickup_code)))
        .execute(conn)
}

pub fn set_refund_from(conn: &mut DbConn, order_id: i64, from: Option<&str>) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id))).set(orders::refund_from.eq(from)).execute(conn)
}

/// Adds `amount` to what was refunded, never past what was paid; 1 row means it fit.
pub fn add_refunded(conn: &mut DbConn, order_id: i64, amount: i64) -> QueryResult<usize> {
    diesel::update(
        orders::table.filter(orders::id.eq(order_id)).filter((orders::refunded_cents + amount).le(orders::pay_cents)),
    )
    .set(orders::refunded_cents.eq(orders::refunded_cents + amount))
    .execute(conn)
}

pub fn order_by_no(conn: &mut DbConn, order_no: &str) -> QueryResult<Option<Order>> {
    orders::table.filter(orders::order_no.eq(order_no)).select(Order::as_select()).first(conn).optional()
}

pub fn order_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Order> {
    orders::table.find(id).select(Order::as_select()).first(conn)
}

pub fn orders_by_checkout(conn: &mut DbConn, user_id: i64, key: &str) -> QueryResult<Vec<Order>> {
    orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::checkout_key.eq(key))
        .order(orders::id)
        .select(Order::as_select())
        .load(conn)
}

pub fn orders_of_user(
    conn: &mut DbConn,
    user_id: i64,
    statuses: Option<&[&str]>,
    limit: i64,
    offset: i64,
) -> QueryResult<Vec<(Order, String)>> {
    let mut q = orders::table
        .inner_join(shops::table)
        .filter(orders::user_id.eq(user_id))
        .order((orders::created_at.desc(), orders::id.desc()))
        .limit(limit)
        .offset(offset)
        .select((Order::as_select(), shops::name))
        .into_boxed();
    if let Some(st) = statuses {
        q = q.filter(orders::status.eq_any(st.iter().map(|s| s.to_string()).collect::<Vec<_>>()));
    }
    q.load(conn)
}

pub fn items_of(conn: &mut DbConn, order_ids: &[i64]) -> QueryResult<Vec<OrderItem>> {
    order_items::table
        .filter(order_items::order_id.eq_any(order_ids.to_vec()))
        .order(order_items::id)
        .select(OrderItem::as_select())
        .load(conn)
}

pub fn events_of(conn: &mut DbConn, order_id: i64) -> QueryResult<Vec<OrderEvent>> {
    order_events::table
        .filter(order_events::order_id.eq(order_id))
        .order(order_events::id.asc())
        .select(OrderEvent::as_select())
        .load(conn)
}

pub fn shop_name(conn: &mut DbConn, shop_id: i64) -> QueryResult<String> {
    shops::table.find(shop_id).select(shops::name).first(conn)
}

pub fn shop_owner(conn: &mut DbConn, shop_id: i64) -> QueryResult<i64> {
    shops::table.find(shop_id).select(shops::owner_id).first(conn)
}

pub fn refunds_of(conn: &mut DbConn, order_id: i64) -> QueryResult<Vec<Refund>> {
    refunds::table
        .filter(refunds::order_id.eq(order_id))
        .order(refunds::id.asc())
        .select(Refund::as_select())
        .load(conn)
}

pub fn refund_by_id(conn: &mut DbConn, id: i64) -> QueryResult<Option<Refund>> {
    refunds::table.find(id).select(Refund::as_select()).first(conn).optional()
}

pub fn insert_refund(
    conn: &mut DbConn,
    order_id: i64,
    refund_no: &str,
    amount: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(refunds::table)
        .values((
            refunds::order_id.eq(order_id),
            refunds::refund_no.eq(refund_no),
            refunds::amount_cents.eq(amount),
            refunds::reason.eq(reason),
            refunds::status.eq("pending"),
            refunds::created_at.eq(now),
            refunds::updated_at.eq(now),
        ))
        .returning(refunds::id)
        .get_result(c))
}

/// Moves a refund from `from` to `to`; 1 row means this caller moved it.
pub fn move_refund(
    conn: &mut DbConn,
    id: i64,
    from: &str,
    to: &str,
    reject_reason: Option<&str>,
    provider_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(refunds::table.filter(refunds::id.eq(id)).filter(refunds::status.eq(from)))
        .set((
            refunds::status.eq(to),
            refunds::reject_reason.eq(reject_reason),
            refunds::provider_refund_id.eq(provider_id),
            refunds::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn insert_payment(
    conn: &mut DbConn,
    order_id: i64,
    provider: &str,
    amount: i64,
    transaction_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(payments::table)
        .values((
            payments::order_id.eq(order_id),
            payments::provider.eq(provider),
            payments::amount_cents.eq(amount),
            payments::status.eq("paid"),
            payments::transaction_id.eq(transaction_id),
            payments::paid_at.eq(now),
            payments::created_at.eq(now),
            payments::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn payment_provider(conn: &mut DbConn, order_id: i64) -> QueryResult<Option<(String, Option<String>)>> {
    payments::table
        .filter(payments::order_id.eq(order_id))
        .filter(payments::status.eq("paid"))
        .select((payments::provider, payments::transaction_id))
        .first(conn)
        .optional()
}

pub fn insert_shop(
    conn: &mut DbConn,
    owner_id: i64,
    name: &str,
    description: &str,
    location: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(shops::table)
        .values((
            shops::owner_id.eq(owner_id),
            shops::name.eq(name),
            shops::description.eq(description),
            shops::location.eq(location),
            shops::status.eq(SHOP_OPEN),
            shops::created_at.eq(now),
            shops::updated_at.eq(now),
        ))
        .returning(shops::id)
        .get_result(c))
}

pub fn shop_of_owner(conn: &mut DbConn, owner_id: i64) -> QueryResult<Option<i64>> {
    shops::table.filter(shops::owner_id.eq(owner_id)).select(shops::id).first(conn).optional()
}

pub fn insert_category(
    conn: &mut DbConn,
    parent_id: Option<i64>,
    name: &str,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(product_categories::table)
        .values((
            product_categories::parent_id.eq(parent_id),
            product_categories::name.eq(name),
            product_categories::sort_order.eq(sort_order),
            product_categories::created_at.eq(now),
        ))
        .returning(product_categories::id)
        .get_result(c))
}

pub struct NewProduct<'a> {
    pub shop_id: i64,
    pub category_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub images: &'a str,
    pub price_cents: i64,
    pub original_price_cents: Option<i64>,
    pub sales: i64,
    pub now: NaiveDateTime,
}

pub fn insert_product(conn: &mut DbConn, p: &NewProduct) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(products::table)
        .values((
            products::shop_id.eq(p.shop_id),
            products::category_id.eq(p.category_id),
            products::name.eq(p.name),
            products::description.eq(p.description),
            products::images.eq(p.images),
            products::price_cents.eq(p.price_cents),
            products::original_price_cents.eq(p.original_price_cents),
            products::sales.eq(p.sales),
            products::status.eq(PRODUCT_ON),
            products::created_at.eq(p.now),
            products::updated_at.eq(p.now),
        ))
        .returning(products::id)
        .get_result(c))
}

pub fn insert_sku(
    conn: &mut DbConn,
    product_id: i64,
    name: &str,
    price_cents: i64,
    stock: i64,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(product_skus::table)
        .values((
            product_skus::product_id.eq(product_id),
            product_skus::name.eq(name),
            product_skus::price_cents.eq(price_cents),
            product_skus::stock.eq(stock),
            product_skus::sort_order.eq(sort_order),
            product_skus::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn set_product_status(conn: &mut DbConn, product_id: i64, status: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(products::table.filter(products::id.eq(product_id)))
        .set((products::status.eq(status), products::updated_at.eq(now)))
        .execute(conn)
}

pub fn insert_pickup_point(conn: &mut DbConn, name: &str, address: &str) -> QueryResult<usize> {
    diesel::insert_into(pickup_points::table)
        .values((pickup_points::name.eq(name), pickup_points::address.eq(address), pickup_points::active.eq(true)))
        .execute(conn)
}

pub fn insert_banner(
    conn: &mut DbConn,
    title: &str,
    image: &str,
    link: &str,
    sort_order: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(banners::table)
        .values((
            banners::title.eq(title),
            banners::image.eq(image),
            banners::link.eq(link),
            banners::sort_order.eq(sort_order),
            banners::active.eq(true),
            banners::created_at.eq(now),
        ))
        .execute(conn)
}

/// Products changed at or after `since`, oldest first: what the search index must catch up on.
pub fn changed_products(conn: &mut DbConn, since: Option<NaiveDateTime>, limit: i64) -> QueryResult<Vec<IndexRow>> {
    let mut q = products::table
        .select((products::id, products::name, products::description, products::status, products::updated_at))
        .order((products::updated_at.asc(), products::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(products::updated_at.ge(since));
    }
    q.load(conn)
}

pub fn products_after(conn: &mut DbConn, after_id: i64, limit: i64) -> QueryResult<Vec<IndexRow>> {
    products::table
        .filter(products::id.gt(after_id))
        .select((products::id, products::name, products::description, products::status, products::updated_at))
        .order(products::id.asc())
        .limit(limit)
        .load(conn)
}

/// One line of a SKU's stock history (reason: sale, cancel, refund, manual).
pub fn log_stock(
    conn: &mut DbConn,
    sku_id: i64,
    product_id: i64,
    actor: Option<i64>,
    delta: i64,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(crate::db::schema::stock_logs::table)
        .values((
            crate::db::schema::stock_logs::sku_id.eq(sku_id),
            crate::db::schema::stock_logs::product_id.eq(product_id),
            crate::db::schema::stock_logs::actor_id.eq(actor),
            crate::db::schema::stock_logs::delta.eq(delta),
            crate::db::schema::stock_logs::reason.eq(reason),
            crate::db::schema::stock_logs::created_at.eq(now),
        ))
        .execute(conn)
}

/// Coupons on offer now: in their window and not all claimed.
pub fn open_coupons(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> QueryResult<Vec<(crate::merchant::models::Coupon, String)>> {
    use crate::db::schema::coupons;
    coupons::table
        .inner_join(shops::table)
        .filter(coupons::starts_at.le(now))
        .filter(coupons::ends_at.gt(now))
        .filter(coupons::claimed.lt(coupons::total))
        .filter(shops::status.eq(SHOP_OPEN))
        .order(coupons::id.desc())
        .limit(100)
        .select((crate::merchant::models::Coupon::as_select(), shops::name))
        .load(conn)
}

pub fn coupon(conn: &mut DbConn, id: i64) -> QueryResult<Option<crate::merchant::models::Coupon>> {
    use crate::db::schema::coupons;
    coupons::table.find(id).select(crate::merchant::models::Coupon::as_select()).first(conn).optional()
}

pub fn claims_of(conn: &mut DbConn, coupon_id: i64, user_id: i64) -> QueryResult<i64> {
    use crate::db::schema::user_coupons;
    user_coupons::table
        .filter(user_coupons::coupon_id.eq(coupon_id))
        .filter(user_coupons::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

/// Takes one coupon from the stack if any is left; 1 row means claimed.
pub fn take_coupon(conn: &mut DbConn, coupon_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::coupons;
    diesel::update(
        coupons::table
            .filter(coupons::id.eq(coupon_id))
            .filter(coupons::claimed.lt(coupons::total))
            .filter(coupons::starts_at.le(now))
            .filter(coupons::ends_at.gt(now)),
    )
    .set(coupons::claimed.eq(coupons::claimed + 1))
    .execute(conn)
}

pub fn insert_user_coupon(conn: &mut DbConn, coupon_id: i64, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::insert_into(user_coupons::table)
        .values((
            user_coupons::coupon_id.eq(coupon_id),
            user_coupons::user_id.eq(user_id),
            user_coupons::status.eq("unused"),
            user_coupons::claimed_at.eq(now),
        ))
        .execute(conn)
}

/// A user's unused coupons still in their window: (user coupon id, coupon, shop name).
pub fn wallet(
    conn: &mut DbConn,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<(i64, crate::merchant::models::Coupon, String)>> {
    use crate::db::schema::{coupons, user_coupons};
    user_coupons::table
        .inner_join(coupons::table.inner_join(shops::table))
        .filter(user_coupons::user_id.eq(user_id))
        .filter(user_coupons::status.eq("unused"))
        .filter(coupons::ends_at.gt(now))
        .filter(coupons::starts_at.le(now))
        .order(user_coupons::id)
        .select((user_coupons::id, crate::merchant::models::Coupon::as_select(), shops::name))
        .load(conn)
}

/// Marks a user's coupon used by an order; 1 row means this order got it (used at most once).
pub fn use_coupon(
    conn: &mut DbConn,
    user_coupon_id: i64,
    user_id: i64,
    order_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::update(
        user_coupons::table
            .filter(user_coupons::id.eq(user_coupon_id))
            .filter(user_coupons::user_id.eq(user_id))
            .filter(user_coupons::status.eq("unused")),
    )
    .set((user_coupons::status.eq("used"), user_coupons::order_id.eq(order_id), user_coupons::used_at.eq(now)))
    .execute(conn)
}

/// Gives an order's coupon back (the order was cancelled or fully refunded).
pub fn return_coupon(conn: &mut DbConn, order_id: i64) -> QueryResult<usize> {
    use crate::db::schema::user_coupons;
    diesel::update(
        user_coupons::table.filter(user_coupons::order_id.eq(order_id)).filter(user_coupons::status.eq("used")),
    )
    .set((
        user_coupons::status.eq("unused"),
        user_coupons::order_id.eq(None::<i64>),
        user_coupons::used_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

pub fn apply_discount(conn: &mut DbConn, order_id: i64, discount: i64, user_coupon_id: i64) -> QueryResult<usize> {
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set((
            orders::discount_cents.eq(discount),
            orders::pay_cents.eq(orders::total_cents - discount),
            orders::user_coupon_id.eq(user_coupon_id),
        ))
        .execute(conn)
}

/// A banner as the admin editor lists it: (id, title, image, link, order, active).
pub type BannerRow = (i64, String, String, String, i32, bool);

pub fn all_banners(conn: &mut DbConn) -> QueryResult<Vec<BannerRow>> {
    banners::table
        .order((banners::sort_order.asc(), banners::id.asc()))
        .select((banners::id, banners::title, banners::image, banners::link, banners::sort_order, banners::active))
        .load(conn)
}

pub fn set_banner_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(banners::table.find(id)).set(banners::active.eq(active)).execute(conn)
}

pub fn rename_category(conn: &mut DbConn, id: i64, name: &str, sort_order: i32) -> QueryResult<usize> {
    diesel::update(product_categories::table.find(id))
        .set((product_categories::name.eq(name), product_categories::sort_order.eq(sort_order)))
        .execute(conn)
}

/// Products by name or id across every shop (admin takedown): (id, name, shop, status).
pub fn find_products(conn: &mut DbConn, q: &str, limit: i64) -> QueryResult<Vec<(i64, String, String, String)>> {
    let mut query = products::table
        .inner_join(shops::table)
        .order(products::id.desc())
        .limit(limit)
        .select((products::id, products::name, shops::name, products::status))
        .into_boxed();
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(products::name.like(pattern).escape('\\'));
        if let Ok(id) = q.parse::<i64>() {
            query = query.or_filter(products::id.eq(id));
        }
    }
    query.load(conn)
}

pub fn all_pickup_points(conn: &mut DbConn) -> QueryResult<Vec<(i64, String, String, bool)>> {
    pickup_points::table
        .order(pickup_points::id)
        .select((pickup_points::id, pickup_points::name, pickup_points::address, pickup_points::active))
        .load(conn)
}

pub fn set_pickup_active(conn: &mut DbConn, id: i64, active: bool) -> QueryResult<usize> {
    diesel::update(pickup_points::table.find(id)).set(pickup_points::active.eq(active)).execute(conn)
}
