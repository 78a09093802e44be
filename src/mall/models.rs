//! Rows, read models and parsed inputs of the mall.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::reseal::col;
use crate::db::sealed::{Keyring, Sealed};

use crate::db::schema::{order_events, order_items, orders, product_categories, product_skus, products, refunds};

pub const PRODUCT_ON: &str = "on";
pub const SHOP_OPEN: &str = "open";

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = product_categories)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i32,
}

/// A top-level category with its children, for the category grid and tree.
#[derive(Clone, Debug)]
pub struct CategoryNode {
    pub category: Category,
    pub children: Vec<Category>,
}

/// What a product card in a list shows.
#[derive(Clone, Debug, Queryable)]
pub struct ProductCard {
    pub id: i64,
    pub name: String,
    pub images: String,
    pub price_cents: i64,
    pub original_price_cents: Option<i64>,
    pub sales: i64,
}

impl ProductCard {
    pub fn cover(&self) -> String {
        first_image(&self.images)
    }
}

pub fn image_list(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

pub fn first_image(json: &str) -> String {
    image_list(json).into_iter().next().unwrap_or_else(|| crate::web::assets::url("img/product.svg").into_owned())
}

/// What the search index keeps of a product.
#[derive(Clone, Debug, Queryable)]
pub struct IndexRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub status: String,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = products)]
pub struct Product {
    pub id: i64,
    pub shop_id: i64,
    pub category_id: i64,
    pub name: String,
    pub description: String,
    pub images: String,
    pub price_cents: i64,
    pub original_price_cents: Option<i64>,
    pub sales: i64,
    pub status: String,
    pub created_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = product_skus)]
pub struct Sku {
    pub id: i64,
    pub product_id: i64,
    pub name: String,
    pub price_cents: i64,
    pub stock: i64,
    pub sales: i64,
}

/// The product page: the product, its SKUs, its shop.
#[derive(Clone, Debug)]
pub struct ProductDetail {
    pub product: Product,
    pub skus: Vec<Sku>,
    pub shop_name: String,
    pub category_name: String,
    pub on_sale: bool,
}

impl ProductDetail {
    pub fn images(&self) -> Vec<String> {
        let list = image_list(&self.product.images);
        if list.is_empty() { vec![first_image("[]")] } else { list }
    }

    pub fn stock(&self) -> i64 {
        self.skus.iter().map(|s| s.stock).sum()
    }

    pub fn has_options(&self) -> bool {
        self.skus.len() > 1 || self.skus.iter().any(|s| !s.name.is_empty())
    }

    /// "起" after the price only when the options really cost different amounts.
    pub fn price_varies(&self) -> bool {
        let mut prices = self.skus.iter().map(|s| s.price_cents);
        match prices.next() {
            Some(first) => prices.any(|p| p != first),
            None => false,
        }
    }
}

/// One cart line with what it shows and what checkout needs.
#[derive(Clone, Debug, Queryable)]
pub struct CartLine {
    pub id: i64,
    pub quantity: i64,
    pub sku_id: i64,
    pub sku_name: String,
    pub price_cents: i64,
    pub stock: i64,
    pub product_id: i64,
    pub product_name: String,
    pub images: String,
    pub product_status: String,
    pub shop_id: i64,
    pub shop_name: String,
    pub shop_status: String,
}

impl CartLine {
    pub fn available(&self) -> bool {
        self.product_status == PRODUCT_ON && self.shop_status == SHOP_OPEN && self.stock > 0
    }

    pub fn subtotal(&self) -> i64 {
        self.price_cents * self.quantity
    }

    pub fn cover(&self) -> String {
        first_image(&self.images)
    }
}

/// Cart lines of one shop.
#[derive(Clone, Debug)]
pub struct CartGroup {
    pub shop_id: i64,
    pub shop_name: String,
    pub lines: Vec<CartLine>,
}

impl CartGroup {
    pub fn total(&self) -> i64 {
        self.lines.iter().filter(|l| l.available()).map(CartLine::subtotal).sum()
    }
}

/// The whole cart: lines grouped by shop.
#[derive(Clone, Debug, Default)]
pub struct Cart {
    pub groups: Vec<CartGroup>,
}

impl Cart {
    pub fn total(&self) -> i64 {
        self.groups.iter().map(CartGroup::total).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Paid,
    Shipped,
    Completed,
    Cancelled,
    Refunding,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::Pending,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Completed,
        OrderStatus::Cancelled,
        OrderStatus::Refunding,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunding => "refunding",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrderStatus::Pending => "待付款",
            OrderStatus::Paid => "待发货",
            OrderStatus::Shipped => "待收货",
            OrderStatus::Completed => "已完成",
            OrderStatus::Cancelled => "已取消",
            OrderStatus::Refunding => "退款中",
            OrderStatus::Refunded => "已退款",
        }
    }

    /// The order state machine: every allowed move, in one place.
    pub fn can_become(self, to: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, to),
            (Pending, Paid)
                | (Pending, Cancelled)
                | (Paid, Shipped)
                | (Shipped, Completed)
                | (Paid, Refunding)
                | (Shipped, Refunding)
                | (Refunding, Refunded)
                | (Refunding, Paid)
                | (Refunding, Shipped)
        )
    }
}

pub fn status_label(s: &str) -> &'static str {
    OrderStatus::parse(s).map_or("未知", OrderStatus::label)
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct Order {
    pub id: i64,
    pub order_no: String,
    pub user_id: i64,
    pub shop_id: i64,
    pub status: String,
    pub total_cents: i64,
    pub discount_cents: i64,
    pub pay_cents: i64,
    pub refunded_cents: i64,
    pub delivery_type: String,
    pub pickup_point_id: Option<i64>,
    pub receiver_name: String,
    /// Sealed (`db::sealed`): opened only where the buyer, the shop or an admin sees the order.
    pub receiver_phone: Sealed,
    pub address: Sealed,
    pub remark: String,
    pub refund_from: Option<String>,
    pub courier: Option<String>,
    pub tracking_no: Option<String>,
    pub pickup_code: Option<String>,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// Where an order goes, opened from its sealed columns for the buyer, the shop or an admin.
#[derive(Clone, Debug, Default)]
pub struct Receiver {
    pub phone: String,
    pub address: String,
}

impl Order {
    pub fn receiver(&self, keys: &Keyring) -> Receiver {
        Receiver {
            phone: keys.show(col::ORDER_PHONE, &self.receiver_phone),
            address: keys.show(col::ORDER_ADDRESS, &self.address),
        }
    }

    pub fn state(&self) -> Option<OrderStatus> {
        OrderStatus::parse(&self.status)
    }

    pub fn status_label(&self) -> &'static str {
        status_label(&self.status)
    }

    pub fn is(&self, s: OrderStatus) -> bool {
        self.status == s.as_str()
    }

    pub fn refundable_cents(&self) -> i64 {
        self.pay_cents - self.refunded_cents
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = order_items)]
pub struct OrderItem {
    pub id: i64,
    pub order_id: i64,
    pub product_id: i64,
    pub sku_id: i64,
    pub product_name: String,
    pub sku_name: String,
    pub image: String,
    pub price_cents: i64,
    pub quantity: i64,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = order_events)]
pub struct OrderEvent {
    pub id: i64,
    pub from_status: Option<String>,
    pub to_status: String,
    pub note: String,
    pub created_at: NaiveDateTime,
}

impl OrderEvent {
    pub fn label(&self) -> &'static str {
        status_label(&self.to_status)
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = refunds)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub refund_no: String,
    pub amount_cents: i64,
    pub reason: String,
    pub status: String,
    pub reject_reason: Option<String>,
    pub created_at: NaiveDateTime,
    /// Calls made to the payment provider so far.
    pub attempts: i32,
}

impl Refund {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "等待商家处理",
            "processing" => "退款处理中",
            "succeeded" => "已退款",
            "rejected" => "商家已拒绝",
            "failed" => "退款未完成，平台处理中",
            "abnormal" => "退款异常，平台处理中",
            _ => "退款失败",
        }
    }

    /// The status as the order pages show it, with the provider calls made so far.
    pub fn progress(&self) -> String {
        match self.status.as_str() {
            "processing" | "failed" if self.attempts > 0 => {
                format!("{}（已尝试 {} 次）", self.status_label(), self.attempts)
            }
            _ => self.status_label().to_string(),
        }
    }
}

/// An order as the list shows it: the order and its lines.
#[derive(Clone, Debug)]
pub struct OrderSummary {
    pub order: Order,
    pub shop_name: String,
    pub items: Vec<OrderItem>,
}

impl OrderSummary {
    pub fn count(&self) -> i64 {
        self.items.iter().map(|i| i.quantity).sum()
    }
}

/// A quantity a student can put in the cart: 1 to 99.
#[derive(Clone, Copy, Debug)]
pub struct Quantity(i64);

impl Quantity {
    pub const MAX: i64 = 99;

    pub fn parse(raw: &str) -> Result<Quantity, String> {
        let n: i64 = raw.trim().parse().map_err(|_| "请输入正确的数量".to_string())?;
        if n < 1 {
            return Err("数量至少为 1".into());
        }
        if n > Quantity::MAX {
            return Err(format!("单次最多购买 {} 件", Quantity::MAX));
        }
        Ok(Quantity(n))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// A price in cents from a yuan amount typed by a person ("12", "12.5", "12.50").
pub fn parse_yuan(raw: &str) -> Result<i64, String> {
    let s = raw.trim();
    let bad = || "请输入正确的金额，如 12.50".to_string();
    if s.is_empty() || s.len() > 12 || s.starts_with('-') {
        return Err(bad());
    }
    let (yuan, fen) = s.split_once('.').unwrap_or((s, ""));
    if yuan.is_empty()
        || !yuan.bytes().all(|b| b.is_ascii_digit())
        || fen.len() > 2
        || !fen.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let yuan: i64 = yuan.parse().map_err(|_| bad())?;
    let fen: i64 = if fen.is_empty() { 0 } else { format!("{fen:0<2}").parse().map_err(|_| bad())? };
    yuan.checked_mul(100).and_then(|c| c.checked_add(fen)).ok_or_else(bad)
}

/// The public order number: time first (sortable), then 12 random characters (unguessable).
/// 29 characters of `[0-9A-Z]`, within WeChat Pay's `out_trade_no` rules (6–32, alphanumeric).
pub fn new_order_no(now: NaiveDateTime) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let tail: String = (0..12).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
    format!("{}{tail}", now.format("%Y%m%d%H%M%S%3f"))
}

/// Delivery chosen at checkout.
#[derive(Clone, Debug)]
pub enum Delivery {
    Pickup { point_id: i64 },
    Dorm { name: String, phone: String, address: String },
}

/// The job that closes a cancelled order's WeChat Pay transaction (payload `order_no`); the
/// payment module (`crate::pay`) runs it, the mall only asks for it.
pub const JOB_PAY_CLOSE: &str = "pay.close";
