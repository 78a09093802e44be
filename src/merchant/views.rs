use askama::Template;

use super::import::ProductImport;
use super::models::{Application, Coupon};
use super::queries::ProductRow;
use super::service::Dashboard;
use crate::mall::models::{CategoryNode, Order, Sku};
use crate::mall::service::OrderPage;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Default)]
pub struct ApplyValues {
    pub shop_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub location: String,
    pub category: String,
}

#[derive(Template)]
#[template(path = "merchant/apply.html")]
pub struct ApplyView {
    pub page: Page,
    pub latest: Option<Application>,
    pub values: ApplyValues,
    pub error: Option<String>,
}

impl ApplyView {
    pub fn categories(&self) -> [&'static str; 6] {
        super::models::SHOP_CATEGORIES
    }
}

#[derive(Template)]
#[template(path = "merchant/dashboard.html")]
pub struct DashboardView {
    pub page: Page,
    pub d: Dashboard,
    pub chart: String,
}

#[derive(Template)]
#[template(path = "merchant/products.html")]
pub struct ProductsView {
    pub page: Page,
    pub q: String,
    pub status: String,
    pub products: Vec<(ProductRow, Vec<Sku>)>,
    /// Products the platform took down, with the reason it gave.
    pub takedowns: std::collections::HashMap<i64, String>,
    pub page_no: i64,
    pub has_more: bool,
    pub last_import: Option<ProductImport>,
}

#[derive(Template)]
#[template(path = "merchant/_stock_cell.html")]
pub struct StockCell {
    pub csrf: String,
    pub sku: Sku,
    pub saved: bool,
}

#[derive(Default)]
pub struct ProductValues {
    pub name: String,
    pub category_id: String,
    pub description: String,
    pub price: String,
    pub original_price: String,
    pub stock: String,
    pub skus: String,
}

#[derive(Template)]
#[template(path = "merchant/new_product.html")]
pub struct NewProductView {
    pub page: Page,
    pub categories: Vec<CategoryNode>,
    pub values: ProductValues,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "merchant/orders.html")]
pub struct OrdersView {
    pub page: Page,
    pub tab: String,
    pub orders: Vec<Order>,
}

#[derive(Template)]
#[template(path = "merchant/order.html")]
pub struct OrderView {
    pub page: Page,
    pub p: OrderPage,
    pub receiver: crate::mall::models::Receiver,
}

#[derive(Template)]
#[template(path = "merchant/coupons.html")]
pub struct CouponsView {
    pub page: Page,
    pub coupons: Vec<Coupon>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/merchants.html")]
pub struct AdminMerchantsView {
    pub page: Page,
    pub applications: Vec<(Application, String, String)>,
    pub shops: Vec<(i64, String, String, String)>,
}

#[derive(Template)]
#[template(path = "merchant/import.html")]
pub struct ImportView<'a> {
    pub page: Page,
    pub job: &'a ProductImport,
    pub errors: &'a [(usize, String)],
}

/// The progress section alone, for the page's htmx polling.
#[derive(Template)]
#[template(path = "merchant/import.html", block = "progress")]
pub struct ImportProgress<'a> {
    pub job: &'a ProductImport,
    pub errors: &'a [(usize, String)],
}

#[derive(Template)]
#[template(path = "merchant/edit_product.html")]
pub struct EditProductView {
    pub page: Page,
    pub product: super::service::ProductEdit,
    pub categories: Vec<CategoryNode>,
    pub error: Option<String>,
}

impl EditProductView {
    pub fn yuan(&self, cents: &i64) -> String {
        format!("{}.{:02}", cents / 100, cents % 100)
    }
}

#[derive(Template)]
#[template(path = "merchant/log.html")]
pub struct LogView {
    pub page: Page,
    pub lines: Vec<crate::audit::AuditLine>,
    pub page_no: i64,
    pub has_more: bool,
}

impl ProductsView {
    pub fn takedown(&self, product_id: &i64) -> Option<&String> {
        self.takedowns.get(product_id)
    }
}
