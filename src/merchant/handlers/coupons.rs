//! The shop's coupons: the list and the form that creates one.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{shop_of, unprocessable};
use crate::error::AppResult;
use crate::mall::models::parse_yuan;
use crate::merchant::models::NewCoupon;
use crate::merchant::service;
use crate::merchant::views::CouponsView;
use crate::state::AppState;
use crate::web::page::{Page, RequireMerchant};
use crate::web::{render, see_other, session};

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
    Ok(crate::web::time::utc(d.and_time(chrono::NaiveTime::MIN)))
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
