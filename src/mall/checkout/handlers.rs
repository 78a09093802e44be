//! The checkout form, and the coupon centre where students claim coupons.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::service::{self, Checkout};
use crate::auth::models::Phone;
use crate::db::reseal::col;
use crate::error::{AppError, AppResult};
use crate::mall::cart;
use crate::mall::handlers::html_with;
use crate::mall::models::Delivery;
use crate::mall::views::{CheckoutValues, CheckoutView, CouponsView};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{random_token, render, see_other, session};

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
            Ok((cart::service::cart(conn, user_id)?, service::pickup_points(conn)?, service::wallet(conn, user_id)?))
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
    // Name and phone start from the profile: most orders go to the student who places them.
    let user_id = user.id;
    let me = state.db.run(move |conn| crate::auth::service::user(conn, user_id)).await?;
    let values = CheckoutValues {
        receiver_name: me.real_name.clone().filter(|n| !n.is_empty()).unwrap_or(me.nickname),
        receiver_phone: state.keys.show_opt(col::USER_PHONE, me.phone.as_ref()).unwrap_or_default(),
        ..CheckoutValues::default()
    };
    let view = checkout_view(&state, page, user.id, random_token(18), values, None).await?;
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
    // Only a form that would place an order takes a slot.
    if let Err(AppError::RateLimited(message)) =
        crate::auth::codes::limit(&state.order_limiter, &[&format!("checkout:{uid}")], "下单").await
    {
        let view = checkout_view(&state, page, uid, checkout.key.clone(), values, Some(message)).await?;
        return html_with(StatusCode::TOO_MANY_REQUESTS, &view);
    }
    let key = checkout.key.clone();
    let (settings, keys) = (state.settings.clone(), state.keys.clone());
    let placed = state
        .db
        .run(move |conn| {
            let timeout = settings.get(conn)?.order_timeout;
            service::place_order(conn, &keys, uid, &checkout, timeout)
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
