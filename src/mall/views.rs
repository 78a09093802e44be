use askama::Template;

use super::models::{
    Cart, Category, CategoryNode, OrderEvent, OrderSummary, ProductCard, ProductDetail, Receiver, Refund,
};
use super::service::Sort;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "mall/index.html")]
pub struct MallPage<'a> {
    pub page: Page,
    pub banners: &'a [(i64, String, String, String)],
    pub categories: &'a [CategoryNode],
    pub hot: &'a [ProductCard],
    pub newest: &'a [ProductCard],
}

#[derive(Template)]
#[template(path = "mall/category.html")]
pub struct CategoryView {
    pub page: Page,
    pub category: Category,
    pub parent: Option<Category>,
    pub children: Vec<Category>,
    pub sort: Sort,
    pub cards: Vec<ProductCard>,
    pub more_url: Option<String>,
}

/// One page of cards plus the trigger that loads the next (htmx infinite scroll).
#[derive(Template)]
#[template(path = "mall/_cards.html")]
pub struct CardsFragment {
    pub cards: Vec<ProductCard>,
    pub more_url: Option<String>,
}

#[derive(Template)]
#[template(path = "mall/product.html")]
pub struct ProductView {
    pub page: Page,
    pub detail: ProductDetail,
}

#[derive(Template)]
#[template(path = "mall/cart.html")]
pub struct CartView {
    pub page: Page,
    pub csrf: String,
    pub cart: Cart,
}

#[derive(Template)]
#[template(path = "mall/_cart.html")]
pub struct CartFragment {
    pub csrf: String,
    pub cart: Cart,
}

#[derive(Default)]
pub struct CheckoutValues {
    pub delivery: String,
    pub pickup_point: String,
    pub receiver_name: String,
    pub receiver_phone: String,
    pub address: String,
    pub remark: String,
}

#[derive(Template)]
#[template(path = "mall/checkout.html")]
pub struct CheckoutView {
    pub page: Page,
    pub cart: Cart,
    pub points: Vec<(i64, String, String)>,
    /// The student's coupons usable on this cart: (user coupon id, label).
    pub coupons: Vec<(i64, String)>,
    pub key: String,
    pub values: CheckoutValues,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "mall/orders.html")]
pub struct OrdersView {
    pub page: Page,
    pub tab: String,
    pub orders: Vec<OrderSummary>,
    pub page_no: i64,
    pub has_more: bool,
}

pub const TABS: [(&str, &str); 6] = [
    ("all", "全部"),
    ("pending", "待付款"),
    ("paid", "待发货"),
    ("shipped", "待收货"),
    ("completed", "已完成"),
    ("refund", "退款/售后"),
];

#[derive(Template)]
#[template(path = "mall/order.html")]
pub struct OrderView {
    pub page: Page,
    pub summary: OrderSummary,
    pub events: Vec<OrderEvent>,
    pub refunds: Vec<Refund>,
    pub pay_url: String,
    pub receiver: Receiver,
}

#[derive(Template)]
#[template(path = "pay/mock.html")]
pub struct MockCashier {
    pub page: Page,
    pub order_no: String,
    pub amount_cents: i64,
    pub shop_name: String,
}

#[derive(Template)]
#[template(path = "mall/search.html")]
pub struct SearchView {
    pub page: Page,
    pub q: String,
    pub min: String,
    pub max: String,
    pub category: Option<i64>,
    pub sort: super::service::SearchSort,
    pub categories: Vec<CategoryNode>,
    pub results: super::service::SearchResults,
    pub suggestions: Vec<ProductCard>,
    pub page_no: i64,
    pub error: Option<String>,
}

impl SearchView {
    pub fn selected(&self, id: &i64) -> bool {
        self.category == Some(*id)
    }

    /// The URL of this search with another sort or page.
    pub fn url(&self, sort: &str, page: i64) -> String {
        let mut url = format!("/mall/search?q={}&sort={sort}", crate::web::url_encode(&self.q));
        if !self.min.is_empty() {
            url.push_str(&format!("&min={}", crate::web::url_encode(&self.min)));
        }
        if !self.max.is_empty() {
            url.push_str(&format!("&max={}", crate::web::url_encode(&self.max)));
        }
        if let Some(c) = self.category {
            url.push_str(&format!("&category={c}"));
        }
        if page > 1 {
            url.push_str(&format!("&page={page}"));
        }
        url
    }
}

#[derive(Template)]
#[template(path = "mall/coupons.html")]
pub struct CouponsView {
    pub page: Page,
    pub offers: Vec<super::service::CouponOffer>,
    pub wallet: Vec<(i64, crate::mall::coupon::Coupon, String)>,
}
