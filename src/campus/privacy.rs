//! The campus module's part of the personal-data registry (`crate::privacy`): news articles an
//! admin wrote and the map image an admin uploaded. Both are the school's publications: they
//! stay when the writer's account closes, under 已注销用户.

use diesel::prelude::*;

use crate::db::schema::campus_news;
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("campus")
        .table(
            "campus_news",
            Export::To("news_written"),
            Forget::Anonymise("你撰写的校园新闻属于学校的发布内容，保留，作者显示为已注销用户"),
        )
        .table("campus_maps", Export::Not("校园地图属于学校"), Forget::Keep("校园地图属于学校，只记上传者的账号编号"))
        .uploads("news", &[("campus_news", "cover"), ("campus_news", "body_html")])
        .uploads("map", &[("campus_maps", "image")])
        .export(|conn, who, out| {
            let rows: Vec<(String, String, chrono::NaiveDateTime)> = campus_news::table
                .filter(campus_news::author_id.eq(who.user_id))
                .order(campus_news::id)
                .select((campus_news::title, campus_news::status, campus_news::created_at))
                .load(conn)?;
            out.put(
                "news_written",
                rows.into_iter()
                    .map(|(t, s, at)| serde_json::json!({ "title": t, "status": s, "created_at": at }))
                    .collect(),
            );
            Ok(())
        })
}
