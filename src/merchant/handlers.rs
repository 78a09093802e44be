use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

use super::models::{NewApplication, NewCoupon};
use super::views::{
    AdminMerchantsView, ApplyValues, ApplyView, CouponsView, DashboardView, NewProductView, OrderView, OrdersView,
    ProductValues, ProductsView, StockCell,
};
use super::{import, service};
use crate::db::write_tx;
use crate::error::{AppError, AppResult};
use crate::mall::models::{Category, parse_yuan};
use crate::mall::service::{ProductSpec, Shipping, SkuSpec};
use crate::moderation;
use crate::state::AppState;
use crate::web::forms::ReasonForm;
use crate::web::media::{self, Fit};
use crate::web::page::{CurrentUser, Page, RequireAdmin, RequireMerchant};
use crate::web::{client_ip, is_htmx, render, see_other, session};

fn unprocessable(template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(StatusCode::UNPROCESSABLE_ENTITY)
        .content_type("text/html; charset=utf-8")
        .body(template.render()?))
}

pub async fn show_apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    if user.is_merchant() {
        return Ok(see_other(&req, "/merchant"));
    }
    let uid = user.id;
    let latest = state.db.run(move |conn| service::latest_application(conn, uid)).await?;
    render(&ApplyView { page, latest, values: ApplyValues::default(), error: None })
}

/// `POST /merchant/apply` (multipart with the licence photo; CSRF token in the query string).
pub async fn submit_apply(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    page: Page,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let form = media::read_form(form, 1, state.config.upload_max_bytes).await?;
    let clip = |k: &str| form.text(k).chars().take(60).collect::<String>();
    let values = ApplyValues {
        shop_name: clip("shop_name"),
        contact_name: clip("contact_name"),
        contact_phone: clip("contact_phone"),
        location: clip("location"),
        category: clip("category"),
    };
    let uid = user.id;
    let latest = state.db.run(move |conn| service::latest_application(conn, uid)).await?;
    let parsed = NewApplication::parse(
        form.text("shop_name"),
        form.text("contact_name"),
        form.text("contact_phone"),
        form.text("location"),
        form.text("category"),
    );
    let app = match parsed {
        Ok(a) => a,
        Err(e) => return unprocessable(&ApplyView { page, latest, values, error: Some(e) }),
    };
    let Some((_, licence)) = form.files.into_iter().find(|(name, _)| name == "licence") else {
        return unprocessable(&ApplyView {
            page, latest, values, error: Some("请上传营业执照或经营许可照片".into())
        });
    };
    let dir = state.config.media_dir();
    let stored =
        web::block(move || media::store_image(&dir, "licences", &format!("u{uid}"), &licence, Fit::Within(1600)))
            .await?;
    let path = match stored {
        Ok(p) => p,
        Err(AppError::Invalid(e)) => return unprocessable(&ApplyView { page, latest, values, error: Some(e) }),
        Err(e) => return Err(e),
    };
    state.db.run(move |conn| service::apply(conn, uid, &app, &path)).await?;
    session::flash(&session, "success", "申请已提交，审核结果会通过消息和邮件通知你");
    Ok(see_other(&req, "/merchant/apply"))
}

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

async fn shop_of(state: &AppState, user_id: i64) -> AppResult<i64> {
    state.db.run(move |conn| service::own_shop(conn, user_id)).await
}

pub async fn dashboard(state: web::Data<AppState>, m: RequireMerchant, page: Page) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let d = state.db.run(move |conn| service::dashboard(conn, shop)).await?;
    let chart = service::bar_chart(&d.daily, "近30天销售额", service::Unit::Money);
    render(&DashboardView { page, d, chart })
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
    let (products, last_import) = state
        .db
        .run(move |conn| {
            let shop = service::own_shop(conn, uid)?;
            let products = service::products(conn, shop, &t, (!s.is_empty()).then_some(s.as_str()), page_no)?;
            Ok((products, import::latest(conn, shop)?))
        })
        .await?;
    let has_more = products.len() == 50;
    render(&ProductsView { page, q: text, status, products, page_no, has_more, last_import })
}

pub async fn show_new_product(state: web::Data<AppState>, m: RequireMerchant, page: Page) -> AppResult<HttpResponse> {
    shop_of(&state, m.0.id).await?;
    let categories = state.db.run(crate::mall::service::leaf_categories).await?;
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
    categories: &[Category],
) -> Result<(&'a str, i64, &'a str, Option<i64>), String> {
    let name = form.text("name").trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err("商品名称需为 1–60 个字".into());
    }
    let category_id: i64 = form.text("category_id").trim().parse().map_err(|_| "请选择分类".to_string())?;
    if !categories.iter().any(|c| c.id == category_id) {
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
    let categories = state.db.run(crate::mall::service::leaf_categories).await?;
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
    let dir = state.config.media_dir();
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
    let actor = m.0.id;
    let id = state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let id = service::create_product(conn, shop, actor, &spec)?;
                if let Some(reason) = &review {
                    moderation::flag(conn, moderation::KIND_PRODUCT, id, Some(actor), &spec.name, reason)?;
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
    state.db.run(move |conn| service::set_on_shelf(conn, shop, id, on)).await?;
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
    let sku = state.db.run(move |conn| service::set_stock(conn, shop, actor, sku_id, stock)).await?;
    if is_htmx(&req) {
        return render(&StockCell { csrf: page.csrf, sku, saved: true });
    }
    Ok(see_other(&req, "/merchant/products"))
}

#[derive(Deserialize)]
pub struct TabQuery {
    tab: Option<String>,
}

pub async fn list_orders(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    q: web::Query<TabQuery>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let tab = q.tab.clone().filter(|t| crate::mall::service::tab_statuses(t).is_some()).unwrap_or_else(|| "all".into());
    let t = tab.clone();
    let orders = state.db.run(move |conn| service::orders(conn, shop, &t)).await?;
    render(&OrdersView { page, tab, orders })
}

pub async fn show_order(
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let no = path.into_inner();
    let p = state.db.run(move |conn| service::order(conn, shop, &no)).await?;
    render(&OrderView { page, p })
}

#[derive(Deserialize)]
pub struct ShipForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    courier: String,
    #[serde(default)]
    tracking_no: String,
}

pub async fn ship_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<String>,
    form: web::Form<ShipForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let shipping = match form.method.as_str() {
        "pickup" => Shipping::Pickup,
        "courier" => {
            let (courier, tracking) = (form.courier.trim(), form.tracking_no.trim());
            if courier.is_empty() || courier.chars().count() > 20 {
                return Err(AppError::invalid("请填写快递公司"));
            }
            if tracking.is_empty()
                || tracking.len() > 40
                || !tracking.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return Err(AppError::invalid("请填写正确的快递单号"));
            }
            Shipping::Courier { courier: courier.into(), tracking_no: tracking.into() }
        }
        _ => return Err(AppError::invalid("请选择发货方式")),
    };
    let (no, actor, auto) = (path.into_inner(), m.0.id, state.config.auto_complete);
    let n = no.clone();
    state.db.run(move |conn| service::ship(conn, shop, actor, &n, shipping, auto)).await?;
    session::flash(&session, "success", "已发货");
    Ok(see_other(&req, &format!("/merchant/orders/{no}")))
}

pub async fn approve_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    pay: web::Data<crate::pay::State>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    state.db.run(move |conn| service::own_refund(conn, shop, id)).await?;
    crate::pay::service::refund(&pay, id).await?;
    session::flash(&session, "success", "已同意退款");
    Ok(see_other(&req, "/merchant/orders?tab=refund"))
}

pub async fn reject_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let why = form.reason()?;
    let (id, actor) = (path.into_inner(), m.0.id);
    state
        .db
        .run(move |conn| {
            service::own_refund(conn, shop, id)?;
            crate::mall::service::reject_refund(conn, id, Some(actor), &why)
        })
        .await?;
    session::flash(&session, "success", "已拒绝退款");
    Ok(see_other(&req, "/merchant/orders?tab=refund"))
}

pub async fn list_coupons(state: web::Data<AppState>, m: RequireMerchant, page: Page) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let coupons = state.db.run(move |conn| service::coupons(conn, shop)).await?;
    render(&CouponsView { page, coupons, error: None })
}

#[derive(Deserialize)]
pub struct CouponForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    threshold: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    percent_off: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    total: String,
    #[serde(default)]
    per_user_limit: String,
}

fn day_start(raw: &str, what: &str) -> Result<chrono::NaiveDateTime, String> {
    let d = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| format!("{what}格式应为 2026-12-01"))?;
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
        .single()
        .map(|t| t.naive_utc())
        .ok_or_else(|| format!("{what}无效"))
}

fn parse_coupon(f: &CouponForm) -> Result<NewCoupon, String> {
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > 30 {
        return Err("优惠券名称需为 1–30 个字".into());
    }
    let threshold = if f.threshold.trim().is_empty() { 0 } else { parse_yuan(&f.threshold)? };
    let (amount, percent) = match f.kind.as_str() {
        "full_reduction" => {
            let a = parse_yuan(&f.amount)?;
            if a <= 0 || (threshold > 0 && a >= threshold) {
                return Err("减免金额需大于 0 且小于使用门槛".into());
            }
            (a, 0)
        }
        "discount" => {
            let p: i32 = f.percent_off.trim().parse().map_err(|_| "折扣比例需为 1–90 的整数".to_string())?;
            if !(1..=90).contains(&p) {
                return Err("折扣比例需为 1–90 的整数".into());
            }
            (0, p)
        }
        _ => return Err("请选择优惠券类型".into()),
    };
    let starts = day_start(&f.starts, "开始日期")?;
    let ends = day_start(&f.ends, "结束日期")? + chrono::TimeDelta::days(1);
    if ends <= starts {
        return Err("结束日期不能早于开始日期".into());
    }
    let total: i32 =
        f.total.trim().parse().ok().filter(|n| (1..=100_000).contains(n)).ok_or("发放总量需为 1–100000")?;
    let per_user: i32 =
        f.per_user_limit.trim().parse().ok().filter(|n| (1..=10).contains(n)).ok_or("每人限领需为 1–10")?;
    Ok(NewCoupon {
        title: title.into(),
        kind: f.kind.clone(),
        threshold_cents: threshold,
        amount_cents: amount,
        percent_off: percent,
        starts_at: starts,
        ends_at: ends,
        total,
        per_user_limit: per_user,
    })
}

pub async fn create_coupon(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    m: RequireMerchant,
    page: Page,
    form: web::Form<CouponForm>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let coupon = match parse_coupon(&form) {
        Ok(c) => c,
        Err(e) => {
            let coupons = state.db.run(move |conn| service::coupons(conn, shop)).await?;
            return unprocessable(&CouponsView { page, coupons, error: Some(e) });
        }
    };
    state.db.run(move |conn| service::create_coupon(conn, shop, &coupon)).await?;
    session::flash(&session, "success", "优惠券已创建");
    Ok(see_other(&req, "/merchant/coupons"))
}

pub async fn admin_merchants(state: web::Data<AppState>, _a: RequireAdmin, page: Page) -> AppResult<HttpResponse> {
    let (applications, shops) =
        state.db.run(|conn| Ok((service::pending_applications(conn)?, service::shops(conn)?))).await?;
    render(&AdminMerchantsView { page, applications, shops })
}

pub async fn admin_approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state.db.run(move |conn| service::approve(conn, id, admin, &ip)).await?;
    session::flash(&session, "success", "已通过，店铺已开通");
    Ok(see_other(&req, "/admin/merchants"))
}

pub async fn admin_reject(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let why = form.reason()?;
    let (id, admin, ip) = (path.into_inner(), a.0.id, client_ip(&req));
    state.db.run(move |conn| service::reject(conn, id, admin, &why, &ip)).await?;
    session::flash(&session, "success", "已驳回申请");
    Ok(see_other(&req, "/admin/merchants"))
}

async fn suspend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    id: i64,
    suspended: bool,
) -> AppResult<HttpResponse> {
    let (admin, ip) = (a.0.id, client_ip(&req));
    state.db.run(move |conn| service::set_suspended(conn, id, suspended, admin, &ip)).await?;
    session::flash(&session, "success", if suspended { "店铺已暂停营业" } else { "店铺已恢复营业" });
    Ok(see_other(&req, "/admin/merchants"))
}

pub async fn admin_suspend(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    suspend(req, state, session, a, path.into_inner(), true).await
}

pub async fn admin_resume(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    a: RequireAdmin,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    suspend(req, state, session, a, path.into_inner(), false).await
}

/// `GET /merchant/products.csv`: every option of every product, for a spreadsheet.
pub async fn export_products(state: web::Data<AppState>, m: RequireMerchant) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let data = state.db.run(move |conn| service::export_csv(conn, shop)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"products.csv\""))
        .body(data))
}

/// `POST /merchant/products/import` (multipart `file`, CSV or XLSX): checks every row now,
/// saves the good ones in the background and sends the merchant to the progress page.
pub async fn import_products(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: RequireMerchant,
    form: Multipart,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let mut form = media::read_form(form, 1, 5 * 1024 * 1024).await?;
    let Some(at) = form.files.iter().position(|(n, _)| n == "file") else {
        return Err(AppError::invalid("请选择要导入的 CSV 或 XLSX 文件"));
    };
    let (_, data) = form.files.swap_remove(at);
    let file_name = form.file_names.swap_remove(at);
    let actor = m.0.id;
    let words = state.words.clone();
    let (id, plan) = state
        .db
        .run(move |conn| {
            let plan = import::plan(conn, &words, import::read_file(&file_name, &data)?)?;
            Ok((import::start(conn, shop, actor, &file_name, &plan)?, plan))
        })
        .await?;
    let st = state.clone();
    actix_web::rt::spawn(async move {
        let done = st.db.run(move |conn| import::run(conn, id, shop, actor, plan)).await;
        if let Err(e) = done {
            tracing::error!(import = id, error = %e, "product import failed");
        }
    });
    Ok(see_other(&req, &format!("/merchant/imports/{id}")))
}

/// `GET /merchant/imports/{id}`: the import's progress, then its report. htmx polls it and gets
/// only the progress section.
pub async fn show_import(
    req: HttpRequest,
    state: web::Data<AppState>,
    m: RequireMerchant,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let shop = shop_of(&state, m.0.id).await?;
    let id = path.into_inner();
    let job = state.db.run(move |conn| import::find(conn, shop, id)).await?;
    let errors = job.error_rows();
    if is_htmx(&req) {
        return render(&super::views::ImportProgress { job: &job, errors: &errors });
    }
    render(&super::views::ImportView { page, job: &job, errors: &errors })
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
        .run(move |conn| Ok((service::product_for_edit(conn, shop, id)?, crate::mall::service::leaf_categories(conn)?)))
        .await?;
    render(&super::views::EditProductView { page, product, categories, error: None })
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
        .run(move |conn| Ok((service::product_for_edit(conn, shop, id)?, crate::mall::service::leaf_categories(conn)?)))
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
        Err(e) => return unprocessable(&super::views::EditProductView { page, product, categories, error: Some(e) }),
    };
    let review = match screen_product(&state, &change.name, &change.description).await? {
        Ok(review) => review,
        Err(e) => return unprocessable(&super::views::EditProductView { page, product, categories, error: Some(e) }),
    };
    let dir = state.config.media_dir();
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
            return unprocessable(&super::views::EditProductView { page, product, categories, error: Some(e) });
        }
        Err(e) => return Err(e),
    }
    let actor = m.0.id;
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                service::update_product(conn, shop, actor, id, &change)?;
                if let Some(reason) = &review {
                    moderation::flag(conn, moderation::KIND_PRODUCT, id, Some(actor), &change.name, reason)?;
                }
                Ok(())
            })
        })
        .await?;
    session::flash(&session, "success", "商品已更新");
    Ok(see_other(&req, "/merchant/products"))
}
