//! Demo second-hand market: the admin's safe meetup points on the campus map, a few listings by
//! the forum regulars (with photos; one reserved by the demo student, one sold to her and rated
//! both ways), and a wanted post, so `/mall/second-hand` is alive on the first start.

use chrono::TimeDelta;
use diesel::prelude::*;

use super::models::{Category, Condition, NewItem, SOLD};
use crate::db::schema::{second_hand_items as items, second_hand_ratings as ratings};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::web::storage::Storage;

/// (meetup point, the campus map point it is at)
const POINTS: [(&str, &str); 4] =
    [("图书馆正门", "图书馆"), ("东区食堂门口", "东区食堂"), ("宿舍区大门", "学生宿舍 1–6 号楼"), ("南门", "南门")];

/// (seller's username, title, description, price in cents, condition, category, picture kind)
type DemoItem = (&'static str, &'static str, &'static str, i64, Condition, Category, usize);

const ITEMS: [DemoItem; 5] = [
    (
        "demo_chen",
        "大学物理学 第七版 上下册",
        "期末复习用过，重点有荧光笔标注，无缺页。",
        2500,
        Condition::LikeNew,
        Category::Books,
        2,
    ),
    (
        "demo_jie",
        "护眼台灯 三档调光",
        "宿舍用了一学期，毕业带不走，功能完好。",
        3500,
        Condition::Good,
        Category::Daily,
        1,
    ),
    ("demo_zhou", "山地自行车 26 寸", "骑了两年，刹车新换，送车锁。", 18000, Condition::Fair, Category::Sports, 4),
    (
        "demo_juzi",
        "卡西欧 991CN 科学计算器",
        "考试专用，几乎没怎么用。",
        6000,
        Condition::LikeNew,
        Category::Electronics,
        0,
    ),
    ("demo_leo", "羽毛球拍 两支装", "社团换新拍，旧拍便宜出。", 5000, Condition::Good, Category::Sports, 5),
];

pub fn seed(conn: &mut DbConn, media: &Storage, student: Option<i64>) -> AppResult<()> {
    let existing: i64 = items::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let names: Vec<String> = POINTS.iter().map(|(_, poi)| poi.to_string()).collect();
    let pois = crate::campus::map::service::points_named(conn, &names)?;
    let mut points = Vec::new();
    for (name, poi) in POINTS {
        let poi_id = pois.iter().find(|(n, _)| n == poi).map(|(_, id)| *id);
        points.push(super::meetups::add_point(conn, name, poi_id)?);
    }
    let now = db::now();
    let mut ids = Vec::new();
    for (i, (seller, title, description, price_cents, condition, category, kind)) in ITEMS.into_iter().enumerate() {
        let Some(seller_id) = crate::auth::service::user_of_login(conn, seller)? else { continue };
        let picture = crate::seed::demo_picture(media, 60 + i, kind)?;
        let item = NewItem {
            title: title.into(),
            description: description.into(),
            price_cents,
            condition,
            pickup_place: "校内面交".into(),
            images: vec![picture.clone()],
            category,
            reserve_hours: 24,
        };
        let images = serde_json::to_string(&[picture]).map_err(crate::error::AppError::internal)?;
        let id = super::queries::insert(conn, seller_id, &item, &images, now - TimeDelta::hours(30 - 5 * i as i64))?;
        super::meetups::offer(conn, id, seller_id, points[i % points.len()], now + TimeDelta::days(1 + i as i64))?;
        ids.push((id, seller_id));
    }
    let Some(student) = student else { return Ok(()) };
    // The lamp is reserved by the demo student: she sees its handover code.
    if let Some((lamp, _)) = ids.get(1) {
        diesel::update(items::table.find(*lamp))
            .set((
                items::reserved_by.eq(Some(student)),
                items::reserved_until.eq(Some(now + TimeDelta::hours(24))),
                items::handover_code.eq(Some("246810")),
            ))
            .execute(conn)?;
    }
    // The bicycle was handed over to her, and both rated the trade.
    if let Some((bike, seller)) = ids.get(2) {
        diesel::update(items::table.find(*bike))
            .set((items::status.eq(SOLD), items::buyer_id.eq(Some(student)), items::sold_at.eq(Some(now))))
            .execute(conn)?;
        for (rater, ratee, note) in
            [(student, *seller, "车况和描述一致，准时在南门见面。"), (*seller, student, "爽快守时。")]
        {
            diesel::insert_into(ratings::table)
                .values((
                    ratings::item_id.eq(*bike),
                    ratings::rater_id.eq(rater),
                    ratings::ratee_id.eq(ratee),
                    ratings::score.eq("good"),
                    ratings::note.eq(note),
                    ratings::created_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    let wanted = super::wanted::NewWanted::parse("线性代数", "books", "20", "最好是同济版，有笔记也行")
        .map_err(crate::error::AppError::invalid)?;
    super::wanted::post(conn, student, &wanted)?;
    Ok(())
}
