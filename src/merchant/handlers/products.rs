//! The merchant's products: the list, a new product, editing one (text, prices, options,
//! photos), the shelf switch and the list's inline stock edit. A product's text passes the word
//! filter first.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{shop_of, unprocessable};
use crate::db::write_tx;
use crate::error::{AppError, AppResult};
use crate::mall::models::{CategoryNode, parse_yuan};
use crate::mall::service::{ProductSpec, SkuSpec};
use crate::merchant::service::ShopLog;
use crate::merchant::views::{NewProductView, ProductValues, ProductsView, StockCell};
use crate::merchant::{import, service};
use crate::moderation;
use crate::state::AppState;
use crate::web::media::{self, Fit};
use crate::web::page::{Page, RequireMerchant};
use crate::web::{client_ip, is_htmx, render, see_other, session};

/// The word filter's say on a product's text: `Err(message)` refuses it, `Ok(Some(reason))`
/// publishes it into the moderation queue.
async fn screen_product(state: &AppState, name: &str, description: &str) -> AppResult<Result<Option<String>, String>> {
    let words = state.words.clone();
    let text = format!("{name}\n{description}");
    match state.db.run(move |conn| moderation::screen(&words, conn, &text, "商品信息")).await {
        Ok(review) => Ok(Ok(review)),
        Err(AppError::Invalid(message)) => Ok(Err(message)),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct ProductsQuery {
    q: Option<String>,
    status: Option<String>,
    page: Option<String>,
}

pub async fn list_products(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    q: web::Query<ProductsQuery>,
) -> AppResult<HttpResponse> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(40).collect();
    let status = q.status.clone().filter(|s| s == "on" || s == "off").unwrap_or_default();
    let (t, s, uid) = (text.clone(), status.clone(), m.0.id);
    let page_no =
        q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=10_000).contains(p)).unwrap_or(1);
    let ((products, takedowns), last_import) = state
        .db
        .run(move |conn| {
            let shop = service::own_shop(conn, uid)?;
            let products = service::products(conn, shop, &t, (!s.is_empty()).then_some(s.as_str()), page_no)?;
            let ids: Vec<i64> = products.iter().map(|(p, _)| p.id).collect();
            let reasons = service::takedown_reasons(conn, &ids)?;
            Ok(((products, reasons), import::latest(conn, shop)?))
        })
        .await?;
    let has_more = products.len() == 50;
    render(&ProductsView { page, q: text, status, products, takedowns, page_no, has_more, last_import })
}

pub async fn show_new_product(state: web::Data<AppState>, m: RequireMerchant, page: Page) -> AppResult<HttpResponse> {
    shop_of(&state, m.0.id).await?;
    let categories = state.db.run(crate::mall::service::category_tree).await?;
    render(&NewProductView { page, categories, values: ProductValues::default(), error: None })
}

/// Options as lines of `name, price, stock` (a product without options: the price and stock fields).
fn parse_skus(lines: &str, price: &str, stock: &str) -> Result<Vec<SkuSpec>, String> {
    let stock_of = |s: &str| -> Result<i64, String> {
        s.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=999_999).contains(n))
            .ok_or_else(|| "库存需为 0 到 999999 之间的整数".to_string())
    };
    let price_of = |s: &str| -> Result<i64, String> {
        let p = parse_yuan(s)?;
        if !(1..=10_000_000).contains(&p) {
            return Err("价格需在 ¥0.01 到 ¥100000 之间".into());
        }
        Ok(p)
    };
    let mut skus = Vec::new();
    for (i, line) in lines.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
        let [name, p, s] = parts.as_slice() else {
            return Err(format!("第 {} 行规格格式应为：名称, 价格, 库存", i + 1));
        };
        if name.is_empty() || name.chars().count() > 30 {
            return Err(format!("第 {} 行规格名称需为 1–30 个字", i + 1));
        }
        skus.push(SkuSpec { name: name.to_string(), price_cents: price_of(p)?, stock: stock_of(s)? });
    }
    if skus.len() > 50 {
        return Err("规格最多 50 个".into());
    }
    if skus.is_empty() {
        skus.push(SkuSpec { name: String::new(), price_cents: price_of(price)?, stock: stock_of(stock)? });
    }
    Ok(skus)
}

/// The fields a product form always has: name, category, description, original price.
fn product_basics<'a>(
    form: &'a media::UploadForm,
    categories: &[CategoryNode],
) -> Result<(&'a str, i64, &'a str, Option<i64>), String> {
    let name = form.text("name").trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err("商品名称需为 1–60 个字".into());
    }
    let category_id: i64 = form.text("category_id").trim().parse().map_err(|_| "请选择分类".to_string())?;
    // Products are filed under a second-level category only.
    if !categories.iter().flat_map(|n| n.children.iter()).any(|c| c.id == category_id) {
        return Err("请选择分类".into());
    }
    let description = form.text("description").trim();
    if description.chars().count() > 2000 {
        return Err("描述不能超过 2000 字".into());
    }
    let original = match form.text("original_price").trim() {
        "" => None,
        raw => Some(parse_yuan(raw)?),
    };
    Ok((name, category_id, description, original))
}

/// `POST /merchant/products/new` (multipart: fields and up to 5 photos; CSRF token in the query).
pub async fn create_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let form = media::read_form(form, 5, state.config.upload_max_bytes).await?;
    let categories = state.db.run(crate::mall::service::category_tree).await?;
    let values = ProductValues {
        name: form.text("name").chars().take(80).collect(),
        category_id: form.text("category_id").chars().take(20).collect(),
        description: form.text("description").chars().take(2100).collect(),
        price: form.text("price").chars().take(20).collect(),
        original_price: form.text("original_price").chars().take(20).collect(),
        stock: form.text("stock").chars().take(20).collect(),
        skus: form.text("skus").chars().take(3000).collect(),
    };
    let check = || -> Result<ProductSpec, String> {
        let (name, category_id, description, original) = product_basics(&form, &categories)?;
        let skus = parse_skus(form.text("skus"), form.text("price"), form.text("stock"))?;
        Ok(ProductSpec {
            shop_id: shop,
            category_id,
            name: name.into(),
            description: description.into(),
            images: Vec::new(),
            original_price_cents: original,
            skus,
        })
    };
    let mut spec = match check() {
        Ok(s) => s,
        Err(e) => return unprocessable(&NewProductView { page, categories, values, error: Some(e) }),
    };
    let review = match screen_product(&state, &spec.name, &spec.description).await? {
        Ok(review) => review,
        Err(e) => return unprocessable(&NewProductView { page, categories, values, error: Some(e) }),
    };
    let dir = state.media.clone();
    let files: Vec<Vec<u8>> = form.files.into_iter().filter(|(n, _)| n == "images").map(|(_, d)| d).collect();
    let stem = format!("p{shop}");
    let stored = web::block(move || {
        files
            .iter()
            .map(|d| media::store_image(&dir, "products", &stem, d, Fit::Within(1080)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    spec.images = match stored {
        Ok(p) => p,
        Err(AppError::Invalid(e)) => {
            return unprocessable(&NewProductView { page, categories, values, error: Some(e) });
        }
        Err(e) => return Err(e),
    };
    let (actor, ip) = (m.0.id, client_ip(&req));
    let id = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let id = service::create_product(conn, shop, actor, &spec, &ip)?;
                if let Some(reason) = &review {
                    moderation::flag(
                        conn,
                        moderation::KIND_PRODUCT,
                        id,
                        Some(actor),
                        &spec.name,
                        &spec.description,
                        reason,
                    )?;
                }
                Ok(id)
            })
        })
        .await?;
    session::flash(&session, "success", format!("商品已上架（编号 {id}）"));
    Ok(see_other(&req, "/merchant/products"))
}

#[derive(Deserialize)]
pub struct ShelfForm {
    #[serde(default)]
    on: String,
}

pub async fn toggle_shelf(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<i64>,
    form: web::Form<ShelfForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let (id, on) = (path.into_inner(), form.on == "1");
    let (actor, ip) = (m.0.id, client_ip(&req));
    state.db.run(move |conn| service::set_on_shelf(conn, ShopLog { shop, actor, ip: &ip }, id, on)).await?;
    session::flash(&session, "success", if on { "已上架" } else { "已下架" });
    Ok(see_other(&req, "/merchant/products"))
}

#[derive(Deserialize)]
pub struct StockForm {
    #[serde(default)]
    stock: String,
}

/// `POST /merchant/skus/{id}/stock`: the list's inline stock edit (htmx swaps the cell).
pub async fn update_stock(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<StockForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let stock: i64 = form.stock.trim().parse().map_err(|_| AppError::invalid("库存需为 0 到 999999 之间的整数"))?;
    let (sku_id, actor) = (path.into_inner(), m.0.id);
    let ip = client_ip(&req);
    let sku =
        state.db.run(move |conn| service::set_stock(conn, ShopLog { shop, actor, ip: &ip }, sku_id, stock)).await?;
    if is_htmx(&req) {
        return render(&StockCell { csrf: page.csrf, sku, saved: true });
    }
    Ok(see_other(&req, "/merchant/products"))
}

pub async fn show_edit_product(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    let (product, categories) = state
        .db
        .run(move |conn| Ok((service::product_for_edit(conn, shop, id)?, crate::mall::service::category_tree(conn)?)))
        .await?;
    render(&crate::merchant::views::EditProductView { page, product, categories, error: None })
}

/// `POST /merchant/products/{id}/edit` (multipart; CSRF token in the query string).
pub async fn edit_product(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    page: Page,
    path: web::Path<i64>,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    let form = media::read_form(form, 5, state.config.upload_max_bytes).await?;
    let (product, categories) = state
        .db
        .run(move |conn| Ok((service::product_for_edit(conn, shop, id)?, crate::mall::service::category_tree(conn)?)))
        .await?;
    let check = || -> Result<service::ProductChange, String> {
        let (name, category_id, description, original) = product_basics(&form, &categories)?;
        let mut prices = Vec::new();
        for sku in &product.skus {
            let raw = form.text(&format!("price_{}", sku.id));
            let price = parse_yuan(raw)?;
            if !(1..=10_000_000).contains(&price) {
                return Err("价格需在 ¥0.01 到 ¥100000 之间".into());
            }
            prices.push((sku.id, price));
        }
        let new_skus = if form.text("new_skus").trim().is_empty() {
            Vec::new()
        } else {
            parse_skus(form.text("new_skus"), "", "")?
        };
        // Kept photos by the order numbers given (ties keep their old order); the first is the cover.
        let mut kept: Vec<(i64, usize, String)> = Vec::new();
        for (i, url) in product.images.iter().enumerate() {
            if form.text(&format!("keep_{i}")) != url.as_str() {
                continue;
            }
            let order = match form.text(&format!("order_{i}")).trim() {
                "" => i as i64 + 1,
                raw => raw.parse().ok().filter(|n| (1..=8).contains(n)).ok_or("图片序号需为 1 到 8 之间的数字")?,
            };
            kept.push((order, i, url.clone()));
        }
        kept.sort();
        let images: Vec<String> = kept.into_iter().map(|(_, _, url)| url).collect();
        if images.len() + form.files.iter().filter(|(n, _)| n == "images").count() > 8 {
            return Err("图片最多 8 张".into());
        }
        Ok(service::ProductChange {
            name: name.into(),
            category_id,
            description: description.into(),
            original_price_cents: original,
            images,
            prices,
            new_skus,
        })
    };
    let mut change = match check() {
        Ok(c) => c,
        Err(e) => {
            return unprocessable(&crate::merchant::views::EditProductView {
                page,
                product,
                categories,
                error: Some(e),
            });
        }
    };
    let review = match screen_product(&state, &change.name, &change.description).await? {
        Ok(review) => review,
        Err(e) => {
            return unprocessable(&crate::merchant::views::EditProductView {
                page,
                product,
                categories,
                error: Some(e),
            });
        }
    };
    let dir = state.media.clone();
    let files: Vec<Vec<u8>> = form.files.into_iter().filter(|(n, _)| n == "images").map(|(_, d)| d).collect();
    let stem = format!("p{shop}");
    let stored = web::block(move || {
        files
            .iter()
            .map(|d| media::store_image(&dir, "products", &stem, d, Fit::Within(1080)))
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    match stored {
        Ok(paths) => change.images.extend(paths),
        Err(AppError::Invalid(e)) => {
            return unprocessable(&crate::merchant::views::EditProductView {
                page,
                product,
                categories,
                error: Some(e),
            });
        }
        Err(e) => return Err(e),
    }
    let (actor, ip) = (m.0.id, client_ip(&req));
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                service::update_product(conn, shop, actor, id, &change, &ip)?;
                if let Some(reason) = &review {
                    moderation::flag(
                        conn,
                        moderation::KIND_PRODUCT,
                        id,
                        Some(actor),
                        &change.name,
                        &change.description,
                        reason,
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    session::flash(&session, "success", "商品已更新");
    Ok(see_other(&req, "/merchant/products"))
}
