//! Merchants' part of the personal-data registry (`crate::privacy`): shops, applications (with
//! the business licence, private area), stock changes and product imports. When a merchant
//! closes their account the shop is suspended and kept with its orders and settlements, and the
//! approved application (the licence) is kept: the e-commerce law asks the platform to keep a
//! merchant's identity for three years after the shop stops. Other applications are deleted
//! with their licence photos.

use diesel::prelude::*;

use crate::db::schema::{merchant_applications, product_imports, shops};
use crate::db::{self, DbConn};
use crate::privacy::{Export, Forget, Part};

const APPROVED: &str = "approved";

/// Shop, contact, sealed phone, location, licence, status, created at.
type ApplicationRow =
    (String, String, crate::db::sealed::Sealed, String, Option<String>, String, chrono::NaiveDateTime);

pub fn part() -> Part {
    Part::new("merchant")
        .table("shops", Export::To("shops"), Forget::Keep("你的店铺停业后，店铺与订单、结算记录依《电子商务法》保存三年"))
        .table(
            "merchant_applications",
            Export::To("merchant_applications"),
            Forget::Keep("已通过的开店申请（含营业执照）依《电子商务法》在店铺停业后保存三年；其余申请删除"),
        )
        .table("stock_logs", Export::Not("店铺的库存账目，不属于个人资料"), Forget::Keep("库存变动记录属于店铺账目，只记账号编号"))
        .table("product_imports", Export::To("product_imports"), Forget::Delete)
        .uploads("licences", &[("merchant_applications", "licence_image")])
        .export(|conn, who, out| {
            let uid = who.user_id;
            let owned: Vec<(String, String, String, chrono::NaiveDateTime)> = shops::table
                .filter(shops::owner_id.eq(uid))
                .select((shops::name, shops::location, shops::status, shops::created_at))
                .load(conn)?;
            out.put(
                "shops",
                owned
                    .into_iter()
                    .map(|(n, l, s, at)| serde_json::json!({ "name": n, "location": l, "status": s, "created_at": at }))
                    .collect(),
            );
            let apps: Vec<ApplicationRow> =
                merchant_applications::table
                    .filter(merchant_applications::user_id.eq(uid))
                    .order(merchant_applications::id)
                    .select((
                        merchant_applications::shop_name,
                        merchant_applications::contact_name,
                        merchant_applications::contact_phone,
                        merchant_applications::location,
                        merchant_applications::licence_image,
                        merchant_applications::status,
                        merchant_applications::created_at,
                    ))
                    .load(conn)?;
            let mut list = Vec::new();
            for (shop, contact, phone, location, licence, status, at) in apps {
                if let Some(l) = &licence {
                    out.photo(l);
                }
                let phone = who.keys.show(crate::db::reseal::col::APPLICATION_PHONE, &phone);
                list.push(serde_json::json!({ "shop_name": shop, "contact_name": contact, "contact_phone": phone, "location": location, "licence": licence, "status": status, "created_at": at }));
            }
            out.put("merchant_applications", serde_json::Value::Array(list));
            let imports: Vec<(String, String, chrono::NaiveDateTime)> = product_imports::table
                .filter(product_imports::user_id.eq(uid))
                .select((product_imports::file_name, product_imports::status, product_imports::created_at))
                .load(conn)?;
            out.put(
                "product_imports",
                imports.into_iter().map(|(f, s, at)| serde_json::json!({ "file": f, "status": s, "at": at })).collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, out| {
            let uid = who.user_id;
            let n = suspend_shops(conn, uid)?;
            out.count("shops_suspended", n);
            let gone = || {
                merchant_applications::table
                    .filter(merchant_applications::user_id.eq(uid))
                    .filter(merchant_applications::status.ne(APPROVED))
            };
            let licences: Vec<Option<String>> = gone().select(merchant_applications::licence_image).load(conn)?;
            for l in licences.iter().flatten() {
                out.photo(l);
            }
            diesel::delete(gone()).execute(conn)?;
            diesel::delete(product_imports::table.filter(product_imports::user_id.eq(uid))).execute(conn)?;
            Ok(())
        })
}

fn suspend_shops(conn: &mut DbConn, uid: i64) -> diesel::QueryResult<usize> {
    diesel::update(shops::table.filter(shops::owner_id.eq(uid)))
        .set((shops::status.eq("suspended"), shops::updated_at.eq(db::now())))
        .execute(conn)
}
