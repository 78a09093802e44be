//! Activities' part of the personal-data registry (`crate::privacy`): registrations (name,
//! 学号, phone, answers) and the activities a person organised. A closed account's upcoming
//! registrations are withdrawn (the seats pass on to the waitlist) and every registration loses
//! the person; the activities they published stay, under 已注销用户.

use diesel::prelude::*;

use crate::db::schema::activities;
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("activity")
        .table(
            "activity_registrations",
            Export::To("activity_registrations"),
            Forget::Anonymise("已结束活动的报名人数保留，姓名、学号、电话和回答已清除；未开始的报名自动取消"),
        )
        .table(
            "activities",
            Export::To("activities_organised"),
            Forget::Anonymise("你发布的活动保留，发布者显示为已注销用户"),
        )
        .uploads("activities", &[("activities", "poster")])
        .export(|conn, who, out| {
            out.put("activity_registrations", super::service::export(conn, who.keys, who.user_id)?);
            let organised: Vec<(String, String, chrono::NaiveDateTime, String)> = activities::table
                .filter(activities::organizer_id.eq(who.user_id))
                .order(activities::id)
                .select((activities::title, activities::place, activities::starts_at, activities::status))
                .load(conn)?;
            out.put(
                "activities_organised",
                organised
                    .into_iter()
                    .map(|(t, p, at, s)| serde_json::json!({ "title": t, "place": p, "starts_at": at, "status": s }))
                    .collect(),
            );
            Ok(())
        })
        .forget(|conn, who, _, _| super::service::forget_user(conn, who.user_id))
}
