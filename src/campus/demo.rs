//! Demo news with covers and the demo campus map with its points.

use chrono::TimeDelta;

use super::map::models::PoiForm;
use super::news::models::ArticleForm;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

const NEWS: [(&str, &str, &str, &str, i64); 5] = [
    (
        "notice",
        "关于期末考试周图书馆延长开放的通知",
        "img/banner-study.svg",
        "<p>期末考试周（第17–19周）图书馆开放时间延长至 <strong>23:00</strong>，自习室座位请通过预约系统预约。</p><ul><li>一楼大厅：24 小时开放</li><li>二至五楼：7:00–23:00</li></ul>",
        1,
    ),
    (
        "campus",
        "校园歌手大赛报名开启",
        "img/activity.svg",
        "<h2>唱出你的声音</h2><p>第十二届校园歌手大赛开始报名，初赛将在大学生活动中心举行，欢迎各学院同学参加。</p>",
        3,
    ),
    (
        "academic",
        "计算机学院举办人工智能前沿讲座",
        "img/news.svg",
        "<p>本周五下午，计算机学院邀请业内专家做客“前沿讲坛”，分享大模型与智能体的最新进展。</p>",
        6,
    ),
    (
        "life",
        "东区食堂二楼新窗口上线",
        "img/banner-dorm.svg",
        "<p>东区食堂二楼新增麻辣烫、煲仔饭两个窗口，营业时间 10:30–20:30。</p>",
        10,
    ),
    (
        "notice",
        "寒假离校安全提醒",
        "img/news.svg",
        "<p>离校前请关闭宿舍电源、门窗，贵重物品随身携带。</p><blockquote>祝同学们假期愉快！</blockquote>",
        20,
    ),
];

/// (name, category, x %, y %, lat, lng, address, hours, description)
type DemoPoi = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const POIS: [DemoPoi; 10] = [
    (
        "图书馆",
        "library",
        "30.8",
        "16.9",
        "31.2304",
        "121.4737",
        "中心大道 1 号",
        "7:00–23:00",
        "藏书 300 万册，二至五楼为自习区，一楼 24 小时自习室。",
    ),
    (
        "第一教学楼",
        "teaching",
        "68.8",
        "16.9",
        "31.2310",
        "121.4760",
        "中心大道 3 号",
        "6:30–22:30",
        "公共课教室，101–520。",
    ),
    (
        "东区食堂",
        "canteen",
        "23.3",
        "38.1",
        "31.2290",
        "121.4730",
        "东区生活区",
        "6:30–21:00",
        "一楼大众餐，二楼风味窗口。",
    ),
    (
        "体育馆",
        "sports",
        "73.3",
        "37.5",
        "31.2295",
        "121.4765",
        "西区运动中心",
        "8:00–22:00",
        "篮球、羽毛球、乒乓球场地，可在线预约。",
    ),
    ("学生宿舍 1–6 号楼", "dorm", "30.8", "63.8", "31.2270", "121.4735", "东区生活区", "", "本科生宿舍。"),
    (
        "东区菜鸟驿站",
        "pickup",
        "60.0",
        "55.0",
        "31.2275",
        "121.4750",
        "东区食堂一楼",
        "9:00–20:00",
        "凭取件码取件，商城订单也可选这里自提。",
    ),
    ("校园便利店", "shop", "39.6", "27.3", "31.2300", "121.4742", "学生街 12 号", "8:00–23:00", "零食饮料、文具日用。"),
    (
        "大学生活动中心",
        "teaching",
        "33.3",
        "81.0",
        "31.2260",
        "121.4738",
        "南区",
        "8:00–22:00",
        "社团活动、演出与讲座。",
    ),
    ("南门", "gate", "50.0", "97.0", "31.2250", "121.4748", "南门", "全天", "正门，出租车与网约车上下客点。"),
    ("东门", "gate", "98.0", "50.0", "31.2280", "121.4790", "东门", "6:00–23:00", "靠近地铁站。"),
];

pub fn seed(conn: &mut DbConn, admin: i64) -> AppResult<()> {
    if super::news::service::all(conn)?.is_empty() {
        for (category, title, cover, body, days_ago) in NEWS {
            let form = ArticleForm {
                category: category.into(),
                title: title.into(),
                body: body.into(),
                ..ArticleForm::default()
            };
            let mut spec = form.parse().map_err(AppError::Invalid)?;
            spec.published_at = db::now() - TimeDelta::days(days_ago);
            super::news::queries::insert(conn, admin, &spec, Some(&crate::web::assets::url(cover)), db::now())?;
        }
    }
    if super::map::service::campus_map(conn, None, "", None)?.image.is_none() {
        let image = crate::web::assets::url("img/campus-map.svg");
        super::map::queries::insert_map(conn, &image, 1200, 800, Some(admin), db::now())?;
        for (name, category, x, y, lat, lng, address, hours, description) in POIS {
            let form = PoiForm {
                name: name.into(),
                category: category.into(),
                x: x.into(),
                y: y.into(),
                lat: lat.into(),
                lng: lng.into(),
                address: address.into(),
                hours: hours.into(),
                description: description.into(),
                ..PoiForm::default()
            };
            let spec = form.parse().map_err(AppError::Invalid)?;
            super::map::queries::insert_poi(conn, &spec, db::now())?;
        }
        db::refdata::changed(conn, db::refdata::Kind::MapPoints)?;
    }
    Ok(())
}
