//! A shop's coupon as the mall applies it at checkout: the rule and the discount it gives.
//! Shops create and hand out coupons in `crate::merchant`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::coupons;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = coupons)]
pub struct Coupon {
    pub id: i64,
    pub shop_id: i64,
    pub title: String,
    pub kind: String,
    pub threshold_cents: i64,
    pub amount_cents: i64,
    pub percent_off: i32,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub total: i32,
    pub claimed: i32,
    pub per_user_limit: i32,
}

impl Coupon {
    /// The discount this coupon gives on `total_cents` (0 below the threshold), never more
    /// than the total.
    pub fn discount(&self, total_cents: i64) -> i64 {
        if total_cents < self.threshold_cents {
            return 0;
        }
        let d = match self.kind.as_str() {
            "discount" => total_cents * i64::from(self.percent_off) / 100,
            _ => self.amount_cents,
        };
        d.clamp(0, total_cents)
    }

    pub fn describe(&self) -> String {
        let money = crate::web::filters::format_money;
        let rule = match self.kind.as_str() {
            "discount" => format!("{}折", f64::from(100 - self.percent_off) / 10.0),
            _ => format!("减{}", money(self.amount_cents)),
        };
        if self.threshold_cents > 0 { format!("满{}{rule}", money(self.threshold_cents)) } else { rule }
    }
}
