use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::models::{Delivery, OrderStatus, Quantity, parse_yuan};
use super::queries::Sort;
use super::service::{self, Checkout};
use super::views::{
    CardsFragment, CartFragment, CartView, CategoryView, CheckoutValues, CheckoutView, CouponsView, MallPage,
    MockCashier, OrderView, OrdersView, ProductView, SearchView,
};
use crate::auth::models::Phone;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, random_token, render, see_other, session, url_encode};

fn html_with(status: StatusCode, template: &impl Template) -> AppResult<HttpResponse> {
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(template.render()?))
}

/// A toast for htmx callers, rendered into the layout's `#toast`.
fn toast(message: &str) -> HttpResponse {
    let html = format!(
        "<div class=\"toast\" role=\"status\">{}</div>",
        askama::filters::escape(message, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
    );
    HttpResponse::Ok()
        .insert_header(("HX-Retarget", "#toast"))
        .insert_header(("HX-Reswap", "innerHTML"))
        .content_type("text/html; charset=utf-8")
        .body(html)
}

pub async fn show_mall(
    state: web::Data<AppState>,
    mall: web::Data<super::State>,
    page: Page,
) -> AppResult<HttpResponse> {
    let home = match mall.home.get() {
        Some(home) => home,
        None => {
            let home = std::sync::Arc::new(state.db.run(service::home).await?);
            mall.home.put(home.clone());
            home
        }
    };
    render(&MallPage {
        page,
        banners: &home.banners,
        categories: &home.categories,
        hot: &home.hot,
        newest: &home.newest,
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    sort: Option<String>,
    after: Option<String>,
}

pub async fn show_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    page: Page,
    path: web::Path<i64>,
    q: web::Query<ListQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sort = Sort::parse(q.sort.as_deref());
    let cursor = service::parse_cursor(q.after.as_deref());
    let data = state.db.run(move |conn| service::category_page(conn, id, sort, cursor)).await?;
    let more_url =
        data.next_cursor.map(|c| format!("/mall/categories/{id}?sort={}&after={}", sort.as_str(), url_encode(&c)));
    if is_htmx(&req) && q.after.is_some() {
        return render(&CardsFragment { cards: data.cards, more_url });
    }
    render(&CategoryView {
        page,
        category: data.category,
        parent: data.parent,
        children: data.children,
        sort,
        cards: data.cards,
        more_url,
    })
}

pub async fn show_product(state: web::Data<AppState>, page: Page, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let detail = state.db.run(move |conn| service::product_detail(conn, id)).await?;
    render(&ProductView { page, detail })
}

#[derive(Deserialize)]
pub struct AddToCartForm {
    #[serde(default)]
    sku_id: String,
    #[serde(default)]
    quantity: String,
}

pub async fn add_to_cart(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    form: web::Form<AddToCartForm>,
) -> AppResult<HttpResponse> {
    let sku_id: i64 = form.sku_id.trim().parse().map_err(|_| AppError::invalid("请选择商品规格"))?;
    let quantity = Quantity::parse(&form.quantity).map_err(AppError::Invalid)?;
    let uid = user.id;
    state.db.run(move |conn| service::add_to_cart(conn, uid, sku_id, quantity.get())).await?;
    if is_htmx(&req) {
        return Ok(toast("已加入购物车"));
    }
    session::flash(&session, "success", "已加入购物车");
    Ok(see_other(&req, "/mall/cart"))
}

async fn cart_response(req: &HttpRequest, state: &AppState, page: Page, user_id: i64) -> AppResult<HttpResponse> {
    let cart = state.db.run(move |conn| service::cart(conn, user_id)).await?;
    let csrf = page.csrf.clone();
    if is_htmx(req) {
        return render(&CartFragment { csrf, cart });
    }
    render(&CartView { page, csrf, cart })
}

pub async fn show_cart(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    cart_response(&req, &state, page, user.id).await
}

#[derive(Deserialize)]
pub struct QuantityForm {
    #[serde(default)]
    quantity: String,
}

pub async fn update_cart_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<QuantityForm>,
) -> AppResult<HttpResponse> {
    let quantity = Quantity::parse(&form.quantity).map_err(AppError::Invalid)?;
    let (uid, item) = (user.id, path.into_inner());
    state.db.run(move |conn| service::set_cart_quantity(conn, uid, item, quantity.get())).await?;
    if !is_htmx(&req) {
        return Ok(see_other(&req, "/mall/cart"));
    }
    cart_response(&req, &state, page, uid).await
}

pub async fn remove_cart_line(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, item) = (user.id, path.into_inner());
    state.db.run(move |conn| service::remove_cart_item(conn, uid, item)).await?;
    if !is_htmx(&req) {
        return Ok(see_other(&req, "/mall/cart"));
    }
    cart_response(&req, &state, page, uid).await
}

async fn checkout_view(
    state: &AppState,
    page: Page,
    user_id: i64,
    key: String,
    values: CheckoutValues,
    error: Option<String>,
) -> AppResult<CheckoutView> {
    let (cart, points, wallet) = state
        .db
        .run(move |conn| {
            Ok((service::cart(conn, user_id)?, service::pickup_points(conn)?, service::wallet(conn, user_id)?))
        })
        .await?;
    let shops: Vec<i64> = cart.groups.iter().map(|g| g.shop_id).collect();
    let coupons = wallet
        .into_iter()
        .filter(|(_, c, _)| shops.contains(&c.shop_id))
        .map(|(id, c, shop)| (id, format!("{shop}：{}（{}）", c.title, c.describe())))
        .collect();
    Ok(CheckoutView { page, cart, points, coupons, key, values, error })
}

pub async fn show_checkout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    let view = checkout_view(&state, page, user.id, random_token(18), CheckoutValues::default(), None).await?;
    if view.cart.is_empty() {
        return Ok(see_other(&req, "/mall/cart"));
    }
    render(&view)
}

#[derive(Deserialize)]
pub struct CheckoutForm {
    #[serde(default)]
    checkout_key: String,
    #[serde(default)]
    delivery: String,
    #[serde(default)]
    pickup_point: String,
    #[serde(default)]
    receiver_name: String,
    #[serde(default)]
    receiver_phone: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    coupon: String,
}

fn parse_checkout(form: &CheckoutForm) -> Result<Checkout, String> {
    let key = form.checkout_key.trim();
    if !(16..=64).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err("页面已过期，请刷新后重新提交".into());
    }
    let delivery = match form.delivery.as_str() {
        "pickup" => {
            let point_id = form.pickup_point.trim().parse().map_err(|_| "请选择自提点".to_string())?;
            Delivery::Pickup { point_id }
        }
        "dorm" => {
            let name = form.receiver_name.trim();
            if name.is_empty() || name.chars().count() > 20 {
                return Err("请填写收货人姓名（20 字以内）".into());
            }
            let phone = Phone::parse(&form.receiver_phone)?;
            let address = form.address.trim();
            if address.is_empty() || address.chars().count() > 100 {
                return Err("请填写宿舍地址（100 字以内）".into());
            }
            Delivery::Dorm { name: name.into(), phone: phone.as_str().into(), address: address.into() }
        }
        _ => return Err("请选择配送方式".into()),
    };
    let remark = form.remark.trim();
    if remark.chars().count() > 200 {
        return Err("备注不能超过 200 字".into());
    }
    let coupon = match form.coupon.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| "请选择有效的优惠券".to_string())?),
    };
    Ok(Checkout { key: key.to_string(), delivery, remark: remark.to_string(), coupon })
}

pub async fn submit_checkout(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    form: web::Form<CheckoutForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let clip = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let values = CheckoutValues {
        delivery: clip(&form.delivery, 10),
        pickup_point: clip(&form.pickup_point, 20),
        receiver_name: clip(&form.receiver_name, 40),
        receiver_phone: clip(&form.receiver_phone, 20),
        address: clip(&form.address, 120),
        remark: clip(&form.remark, 220),
    };
    let checkout = match parse_checkout(&form) {
        Ok(c) => c,
        Err(message) => {
            let key = if form.checkout_key.len() <= 64 { form.checkout_key.clone() } else { random_token(18) };
            let view = checkout_view(&state, page, user.id, key, values, Some(message)).await?;
            return html_with(StatusCode::UNPROCESSABLE_ENTITY, &view);
        }
    };
    if !checkout.remark.is_empty() {
        // A remark only the shop reads: a blocking word refuses it, review words pass.
        let (words, remark) = (state.words.clone(), checkout.remark.clone());
        match state.db.run(move |conn| crate::moderation::screen(&words, conn, &remark, "备注")).await {
            Ok(_) => {}
            Err(AppError::Invalid(message)) => {
                let view = checkout_view(&state, page, user.id, checkout.key.clone(), values, Some(message)).await?;
                return html_with(StatusCode::UNPROCESSABLE_ENTITY, &view);
            }
            Err(e) => return Err(e),
        }
    }
    let uid = user.id;
    let key = checkout.key.clone();
    let settings = state.settings.clone();
    let placed = state
        .db
        .run(move |conn| {
            let timeout = settings.get(conn)?.order_timeout;
            service::place_order(conn, uid, &checkout, timeout)
        })
        .await;
    let orders = match placed {
        Ok(orders) => orders,
        Err(AppError::Invalid(message) | AppError::Conflict(message)) => {
            let view = checkout_view(&state, page, uid, key, values, Some(message)).await?;
            return html_with(StatusCode::CONFLICT, &view);
        }
        Err(e) => return Err(e),
    };
    match orders.as_slice() {
        [one] => Ok(see_other(&req, &format!("/mall/orders/{}", one.order_no))),
        _ => Ok(see_other(&req, "/mall/orders?tab=pending")),
    }
}

#[derive(Deserialize)]
pub struct OrdersQuery {
    tab: Option<String>,
    page: Option<String>,
}

pub async fn list_orders(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    q: web::Query<OrdersQuery>,
) -> AppResult<HttpResponse> {
    let tab = q.tab.clone().filter(|t| service::tab_statuses(t).is_some()).unwrap_or_else(|| "all".into());
    let page_no = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=1000).contains(p)).unwrap_or(1);
    let (uid, t) = (user.id, tab.clone());
    let orders = state.db.run(move |conn| service::orders_of(conn, uid, &t, page_no)).await?;
    let has_more = orders.len() as i64 == service::PAGE_SIZE;
    render(&OrdersView { page, tab, orders, page_no, has_more })
}

pub async fn show_order(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let data = state.db.run(move |conn| service::order_page(conn, uid, &no)).await?;
    let pay_url = format!("/pay/mock/{}", data.summary.order.order_no);
    render(&OrderView { page, summary: data.summary, events: data.events, refunds: data.refunds, pay_url })
}

pub async fn cancel_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::cancel_own_order(conn, uid, &n)).await?;
    session::flash(&session, "success", "订单已取消");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}

pub async fn confirm_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::confirm_receipt(conn, uid, &n)).await?;
    session::flash(&session, "success", "已确认收货，交易完成");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}

#[derive(Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
}

pub async fn request_refund(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<RefundForm>,
) -> AppResult<HttpResponse> {
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::invalid("请填写退款原因（200 字以内）"));
    }
    let amount = match form.amount.trim() {
        "" => None,
        raw => Some(parse_yuan(raw).map_err(AppError::Invalid)?),
    };
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    state.db.run(move |conn| service::request_refund(conn, uid, &n, amount, &reason)).await?;
    session::flash(&session, "success", "退款申请已提交，等待商家处理");
    Ok(see_other(&req, &format!("/mall/orders/{no}")))
}

fn mock_enabled(state: &AppState) -> AppResult<()> {
    if state.config.pay_provider == "mock" { Ok(()) } else { Err(AppError::NotFound) }
}

pub async fn show_mock_cashier(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    mock_enabled(&state)?;
    let (uid, no) = (user.id, path.into_inner());
    let data = state.db.run(move |conn| service::order_page(conn, uid, &no)).await?;
    let order = &data.summary.order;
    if !order.is(OrderStatus::Pending) {
        return Err(AppError::conflict(format!("订单当前为「{}」，无需支付", order.status_label())));
    }
    render(&MockCashier {
        page,
        order_no: order.order_no.clone(),
        amount_cents: order.pay_cents,
        shop_name: data.summary.shop_name.clone(),
    })
}

#[derive(Deserialize)]
pub struct MockPayForm {
    #[serde(default)]
    action: String,
}

pub async fn submit_mock_payment(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<String>,
    form: web::Form<MockPayForm>,
) -> AppResult<HttpResponse> {
    mock_enabled(&state)?;
    let (uid, no) = (user.id, path.into_inner());
    let order_url = format!("/mall/orders/{no}");
    if form.action != "pay" {
        session::flash(&session, "info", "已取消支付，可在 30 分钟内继续支付");
        return Ok(see_other(&req, &order_url));
    }
    state
        .db
        .run(move |conn| {
            let order = service::own_order(conn, uid, &no)?;
            service::mark_paid(conn, &no, "mock", &format!("MOCK{no}"), order.pay_cents)
        })
        .await?;
    session::flash(&session, "success", "支付成功");
    Ok(see_other(&req, &order_url))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    min: Option<String>,
    max: Option<String>,
    category: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

fn parse_search(q: &SearchQuery) -> Result<(service::ProductSearch, String, String), String> {
    let text: String = q.q.as_deref().unwrap_or("").trim().chars().take(50).collect();
    let price = |raw: &Option<String>, label: &str| -> Result<Option<i64>, String> {
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(v) => parse_yuan(v).map(Some).map_err(|_| format!("{label}请输入数字，如 10 或 9.9")),
        }
    };
    let min = price(&q.min, "最低价")?;
    let max = price(&q.max, "最高价")?;
    if let (Some(a), Some(b)) = (min, max)
        && a > b
    {
        return Err("最低价不能高于最高价".into());
    }
    let category = match q.category.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| "分类参数无效".to_string())?),
    };
    let page = q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=25).contains(p)).unwrap_or(1);
    let show = |v: &Option<String>| v.as_deref().unwrap_or("").trim().chars().take(12).collect::<String>();
    Ok((
        service::ProductSearch {
            q: text,
            min,
            max,
            category,
            sort: service::SearchSort::parse(q.sort.as_deref()),
            page,
        },
        show(&q.min),
        show(&q.max),
    ))
}

/// `GET /mall/search?q=&min=&max=&category=&sort=&page=`.
pub async fn search(
    state: web::Data<AppState>,
    mall: web::Data<super::State>,
    page: Page,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let (search, min, max, error) = match parse_search(&q) {
        Ok((s, min, max)) => (s, min, max, None),
        Err(message) => {
            let s = service::ProductSearch {
                q: q.q.clone().unwrap_or_default().chars().take(50).collect(),
                min: None,
                max: None,
                category: None,
                sort: service::SearchSort::Relevance,
                page: 1,
            };
            (s, String::new(), String::new(), Some(message))
        }
    };
    let (st, mall) = (state.clone(), mall.clone());
    let query = service::ProductSearch { q: search.q.clone(), ..search };
    let has_error = error.is_some();
    let (results, categories, suggestions, query) = state
        .db
        .run(move |conn| {
            let results = if has_error || query.q.is_empty() {
                service::SearchResults { hits: Vec::new(), total: 0, has_more: false }
            } else {
                service::search_products(conn, &st.search, &mall.search, &query)?
            };
            let suggestions = if results.total == 0 {
                super::queries::product_cards(conn, None, Sort::Sales, None, 6)?
            } else {
                Vec::new()
            };
            // The filter's category list comes from the mall home's shared data.
            let home = match mall.home.get() {
                Some(home) => home,
                None => {
                    let home = std::sync::Arc::new(service::home(conn)?);
                    mall.home.put(home.clone());
                    home
                }
            };
            let categories = home.categories.clone();
            Ok((results, categories, suggestions, query))
        })
        .await?;
    let view = SearchView {
        page,
        q: query.q,
        min,
        max,
        category: query.category,
        sort: query.sort,
        categories,
        results,
        suggestions,
        page_no: query.page,
        error,
    };
    let status = if view.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    html_with(status, &view)
}

/// `GET /mall/orders/{order_no}/status`, polled by the order page while it waits for payment:
/// 204 while nothing changed, `HX-Refresh` once it did. With WeChat Pay configured the server
/// also asks WeChat Pay itself, in case the notification is late.
pub async fn order_status(
    state: web::Data<AppState>,
    pay: web::Data<crate::pay::State>,
    user: CurrentUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (uid, no) = (user.id, path.into_inner());
    let n = no.clone();
    let order = state.db.run(move |conn| service::own_order(conn, uid, &n)).await?;
    if !order.is(OrderStatus::Pending) {
        return Ok(HttpResponse::Ok().insert_header(("HX-Refresh", "true")).finish());
    }
    if pay.wxpay.is_some() && pay.queries.allow(&no) {
        match crate::pay::service::query_and_apply(&pay, no).await {
            Ok(true) => return Ok(HttpResponse::Ok().insert_header(("HX-Refresh", "true")).finish()),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "active payment query failed"),
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

pub async fn list_coupons(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let (offers, wallet) =
        state.db.run(move |conn| Ok((service::open_coupons(conn)?, service::wallet(conn, uid)?))).await?;
    render(&CouponsView { page, offers, wallet })
}

pub async fn claim_coupon(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, id) = (user.id, path.into_inner());
    state.db.run(move |conn| service::claim_coupon(conn, uid, id)).await?;
    session::flash(&session, "success", "领取成功，结算时可使用");
    Ok(see_other(&req, "/mall/coupons"))
}
