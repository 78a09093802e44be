use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::models::Phone;
use crate::db::schema::merchant_applications;
use crate::db::sealed::Sealed;

pub const SHOP_CATEGORIES: [&str; 6] = ["餐饮", "超市便利", "文具图书", "数码电子", "服饰", "其他"];

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = merchant_applications)]
pub struct Application {
    pub id: i64,
    pub user_id: i64,
    pub shop_name: String,
    pub contact_name: String,
    /// Sealed (`db::sealed`); the admin reviewing the application sees it opened.
    pub contact_phone: Sealed,
    pub location: String,
    pub category: String,
    pub licence_image: Option<String>,
    pub status: String,
    pub reject_reason: Option<String>,
    pub created_at: NaiveDateTime,
}

impl Application {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "pending" => "审核中",
            "approved" => "已通过",
            _ => "未通过",
        }
    }
}

/// A checked application form.
pub struct NewApplication {
    pub shop_name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub location: String,
    pub category: String,
}

impl NewApplication {
    pub fn parse(
        shop: &str,
        contact: &str,
        phone: &str,
        location: &str,
        category: &str,
    ) -> Result<NewApplication, String> {
        let shop = shop.trim();
        if !(2..=30).contains(&shop.chars().count()) {
            return Err("店铺名称需为 2–30 个字".into());
        }
        let contact = contact.trim();
        if contact.is_empty() || contact.chars().count() > 20 {
            return Err("请填写联系人（20 字以内）".into());
        }
        let phone = Phone::parse(phone)?;
        let location = location.trim();
        if location.is_empty() || location.chars().count() > 50 {
            return Err("请填写店铺位置（50 字以内）".into());
        }
        if !SHOP_CATEGORIES.contains(&category) {
            return Err("请选择经营类目".into());
        }
        Ok(NewApplication {
            shop_name: shop.into(),
            contact_name: contact.into(),
            contact_phone: phone.as_str().into(),
            location: location.into(),
            category: category.into(),
        })
    }
}

pub use crate::mall::coupon::Coupon;

/// A checked new coupon.
pub struct NewCoupon {
    pub title: String,
    pub kind: String,
    pub threshold_cents: i64,
    pub amount_cents: i64,
    pub percent_off: i32,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub total: i32,
    pub per_user_limit: i32,
}
