//! The audit log's part of the personal-data registry (`crate::privacy`): the person's own
//! entries are exported; the log itself stays (the law asks for network logs to be kept at
//! least six months), pointing at the nameless account husk.

use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("audit")
        .table("audit_log", Export::To("account_log"), Forget::Keep("操作日志依《网络安全法》留存不少于六个月，只记账号编号与操作"))
        .export(|conn, who, out| {
            let rows: Vec<(String, String, Option<String>, chrono::NaiveDateTime)> = audit_log::table
                .filter(audit_log::actor_id.eq(who.user_id))
                .order(audit_log::id)
                .limit(10_000)
                .select((audit_log::action, audit_log::target_type, audit_log::ip, audit_log::created_at))
                .load(conn)?;
            out.put(
                "account_log",
                rows.into_iter()
                    .map(|(action, target, ip, at)| {
                        serde_json::json!({ "action": super::action_label(&action), "code": action, "target": target, "ip": ip, "at": at })
                    })
                    .collect(),
            );
            Ok(())
        })
}
