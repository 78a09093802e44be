//! Demo data: the four demo accounts (password `campus2026`; `admin` is 超级管理员), one admin
//! per other admin role ([`STAFF`]), and a few messages, loaded on a fresh database so a newcomer
//! can sign in right away.

use diesel::prelude::*;

use crate::auth::models::{NewUser, Role, STATUS_ACTIVE};
use crate::auth::{password, service as auth};
use crate::db::reseal::col;
use crate::db::schema::users;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::notify::{self, MessageKind};
use crate::web::AdminRole;
use crate::web::storage::{Area, Storage};

pub const DEMO_PASSWORD: &str = "campus2026";

struct Demo {
    username: &'static str,
    nickname: &'static str,
    roles: &'static [Role],
    phone: Option<&'static str>,
    email: Option<&'static str>,
    student_no: Option<&'static str>,
    real_name: Option<&'static str>,
    college: Option<&'static str>,
    major: Option<&'static str>,
    class_name: Option<&'static str>,
}

const DEMOS: [Demo; 4] = [
    Demo {
        username: "student",
        nickname: "小林同学",
        roles: &[Role::Student],
        phone: Some("13800138000"),
        email: Some("student@campus.local"),
        student_no: Some("2023010101"),
        real_name: Some("林晓"),
        college: Some("计算机学院"),
        major: Some("软件工程"),
        class_name: Some("软工2301"),
    },
    Demo {
        username: "teacher",
        nickname: "王老师",
        roles: &[Role::Teacher],
        phone: Some("13900139000"),
        email: Some("teacher@campus.local"),
        student_no: None,
        real_name: Some("王明"),
        college: Some("计算机学院"),
        major: None,
        class_name: None,
    },
    Demo {
        username: "merchant",
        nickname: "校园便利店",
        roles: &[Role::Student, Role::Merchant],
        phone: Some("13700137000"),
        email: Some("shop@campus.local"),
        student_no: None,
        real_name: Some("陈店长"),
        college: None,
        major: None,
        class_name: None,
    },
    Demo {
        username: "admin",
        nickname: "管理员",
        roles: &[Role::Admin],
        phone: None,
        email: Some("admin@campus.local"),
        student_no: None,
        real_name: None,
        college: None,
        major: None,
        class_name: None,
    },
];

/// Loads the demo data when the database has no users yet; `true` when it did.
pub fn demo_if_empty(conn: &mut DbConn, keys: &Keyring, media: &Storage) -> AppResult<bool> {
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    demo(conn, keys, media)?;
    Ok(true)
}

/// Creates (or resets the password of) every demo account, and the demo catalog once.
/// Demo product pictures are drawn into the upload store (see [`demo_picture`]).
/// Phone numbers are sealed with `keys` like every other write of them.
pub fn demo(conn: &mut DbConn, keys: &Keyring, media: &Storage) -> AppResult<()> {
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut merchant_id = None;
    let mut ids = Vec::new();
    for d in &DEMOS {
        let now = db::now();
        let phone = d.phone.map(|p| keys.seal(col::USER_PHONE, p));
        let phone_index = d.phone.map(|p| keys.blind(col::USER_PHONE, p));
        let created = auth::create_account(
            conn,
            &auth::AccountSpec {
                username: d.username,
                password_hash: &hash,
                roles: d.roles,
                user: NewUser {
                    nickname: d.nickname,
                    email: d.email,
                    phone: phone.as_ref(),
                    phone_index: phone_index.as_deref(),
                    student_no: d.student_no,
                    real_name: d.real_name,
                    college: d.college,
                    major: d.major,
                    class_name: d.class_name,
                    verified: d.student_no.is_some(),
                    status: STATUS_ACTIVE,
                    created_at: now,
                    updated_at: now,
                },
            },
        )?;
        if d.username == "merchant" {
            merchant_id = Some(created);
        }
        ids.push((d, created));
        let unread: i64 = notify::service::unread_count(conn, created)?;
        if unread == 0 {
            notify::send(
                conn,
                created,
                MessageKind::System,
                "欢迎使用校园助手",
                "这是演示账号。消息中心会收到订单、活动、回复等通知。",
                Some("/me/messages"),
            )?;
            notify::send(
                conn,
                created,
                MessageKind::System,
                "完善个人资料",
                "在“我的 › 设置”里可以修改昵称、头像、手机号和邮箱。",
                Some("/me/settings"),
            )?;
        }
    }
    if let Some((_, admin)) = ids.iter().find(|(d, _)| d.username == "admin") {
        crate::auth::staff::grant_super(conn, *admin)?;
    }
    demo_staff(conn, &hash)?;
    if let Some(owner) = merchant_id {
        demo_catalog(conn, owner, media)?;
        // The media dir sits in the data dir, beside the private folder of identity photos.
        crate::identity::demo::seed(conn, media, owner)?;
    }
    demo_campus_life(conn, keys, &ids)?;
    for (word, block) in [("代考", true), ("代写论文", true), ("刷单", false), ("兼职日结", false)] {
        crate::moderation::add_word(conn, word, block)?;
    }
    crate::forum::demo::demo(conn, &hash)?;
    crate::academic::demo::seed(conn)?;
    let id_of = |name: &str| ids.iter().find(|(d, _)| d.username == name).map(|(_, id)| *id);
    if let (Some(student), Some(admin)) = (id_of("student"), id_of("admin")) {
        crate::academic::demo::bookings(conn, student, admin)?;
        crate::academic::demo::own_entries(conn, student)?;
    }
    if let Some(teacher) = id_of("teacher") {
        crate::academic::demo::teacher(conn, teacher)?;
    }
    crate::market::demo::seed(conn, media, id_of("student"))?;
    Ok(())
}

/// One demo admin per admin role other than 超级管理员 (`admin` holds that one).
pub const STAFF: [(&str, &str, AdminRole); 5] = [
    ("audit_admin", "内容审核员", AdminRole::Content),
    ("mall_admin", "商城运营", AdminRole::Mall),
    ("academic_admin", "教务老师", AdminRole::Academic),
    ("events_admin", "活动与资讯编辑", AdminRole::Events),
    ("support_admin", "客服小助手", AdminRole::Support),
];

fn demo_staff(conn: &mut DbConn, hash: &str) -> AppResult<()> {
    for (username, nickname, role) in STAFF {
        // Staff accounts predate the term: they do not count as this month's registrations.
        let now = db::now() - chrono::TimeDelta::days(200);
        let id = auth::create_account(
            conn,
            &auth::AccountSpec {
                username,
                password_hash: hash,
                roles: &[Role::Admin],
                user: NewUser::named(nickname, now),
            },
        )?;
        crate::auth::staff::grant(conn, id, role)?;
    }
    Ok(())
}

/// Activities (one full with a waitlist, one past), news, the campus map and a feedback thread.
fn demo_campus_life(conn: &mut DbConn, keys: &Keyring, ids: &[(&Demo, i64)]) -> AppResult<()> {
    let id_of = |name: &str| ids.iter().find(|(d, _)| d.username == name).map(|(_, id)| *id);
    let (Some(admin), Some(student)) = (id_of("admin"), id_of("student")) else {
        return Ok(());
    };
    let people: Vec<(i64, &str, &str, &str)> = ["student", "teacher", "merchant"]
        .iter()
        .filter_map(|u| ids.iter().find(|(d, _)| d.username == *u))
        .map(|(d, id)| {
            (
                *id,
                d.real_name.unwrap_or(d.nickname),
                d.student_no.unwrap_or("2023000000"),
                d.phone.unwrap_or("13600000000"),
            )
        })
        .collect();
    crate::activity::demo::seed(conn, keys, admin, &people)?;
    crate::campus::demo::seed(conn, admin)?;
    crate::feedback::service::seed_demo(conn, student, admin)
}

/// Category tree: (name, children).
const CATEGORIES: [(&str, &[&str]); 5] = [
    ("食品饮料", &["零食", "饮料", "方便速食"]),
    ("学习文具", &["笔记本", "书写工具", "考试用品"]),
    ("生活日用", &["洗护", "收纳", "宿舍电器"]),
    ("数码配件", &["充电", "耳机", "存储"]),
    ("运动户外", &["球类", "健身", "服饰"]),
];

/// (child category, name, description, options as (name, price in cents, stock), original price, sales)
type DemoProduct = (&'static str, &'static str, &'static str, &'static [(&'static str, i64, i64)], Option<i64>, i64);

const PRODUCTS: [DemoProduct; 24] = [
    ("零食", "乐事薯片 原味 70g", "经典原味马铃薯片，追剧自习好搭档。", &[("", 650, 120)], Some(790), 356),
    ("零食", "良品铺子 每日坚果 25g×7袋", "混合坚果，每天一小袋，补充能量。", &[("", 3990, 40)], Some(4990), 88),
    ("零食", "奥利奥 原味夹心饼干 194g", "扭一扭，舔一舔，泡一泡。", &[("", 990, 80)], None, 210),
    (
        "饮料",
        "农夫山泉 饮用天然水 550ml",
        "我们不生产水，我们只是大自然的搬运工。",
        &[("单瓶", 200, 500), ("24瓶整箱", 3600, 30)],
        None,
        1520,
    ),
    ("饮料", "可口可乐 330ml 罐装", "冰镇更好喝。", &[("单罐", 300, 300), ("6罐装", 1700, 50)], None, 980),
    ("饮料", "元气森林 白桃味苏打气泡水 480ml", "0糖0脂0卡，白桃风味气泡水。", &[("", 550, 150)], None, 640),
    ("方便速食", "康师傅 红烧牛肉面 5连包", "深夜食堂必备，经典红烧牛肉口味。", &[("", 1350, 60)], Some(1590), 430),
    ("方便速食", "自热小火锅 麻辣牛肉 400g", "不用火不用电，宿舍也能吃火锅。", &[("", 2490, 25)], Some(2990), 120),
    ("笔记本", "得力 A5 软抄本 60页 5本装", "道林纸书写顺滑，不洇墨，课堂笔记好帮手。", &[("", 1290, 100)], None, 260),
    ("笔记本", "国誉 活页本 B5 方格", "可拆卸活页设计，整理错题更方便。", &[("", 2680, 45)], Some(3200), 75),
    (
        "书写工具",
        "晨光 中性笔 0.5mm 黑色 12支",
        "考试专用速干中性笔，书写流畅不断墨。",
        &[("黑色", 1580, 200), ("蓝色", 1580, 120), ("红色", 1580, 80)],
        Some(1800),
        890,
    ),
    ("书写工具", "斑马 荧光笔 温和色 5色套装", "柔和色系，划重点不刺眼。", &[("", 2200, 60)], None, 150),
    (
        "考试用品",
        "卡西欧 fx-991CN X 科学计算器",
        "中文函数计算器，高数、大物、会计考试适用。",
        &[("", 16900, 15)],
        Some(18900),
        64,
    ),
    ("考试用品", "四六级英语听力耳机 FM调频", "四六级、专四专八考试专用调频耳机。", &[("", 4900, 35)], Some(6900), 210),
    ("洗护", "蓝月亮 深层洁净洗衣液 1kg", "深层洁净，护色护形，宿舍洗衣必备。", &[("", 2590, 50)], Some(2990), 180),
    ("洗护", "舒肤佳 纯白清香香皂 3块装", "有效去除细菌，温和清洁。", &[("", 1190, 70)], None, 140),
    (
        "收纳",
        "宿舍折叠收纳箱 66L",
        "可折叠，床底衣柜都能放，开学换季收纳好物。",
        &[("米白", 3990, 30), ("浅灰", 3990, 30)],
        Some(5900),
        95,
    ),
    ("宿舍电器", "小熊 迷你电煮锅 1.2L", "宿舍用小功率电煮锅，煮面涮菜一锅搞定。", &[("", 8900, 12)], Some(12900), 58),
    ("充电", "小米 20W 快充充电器 Type-C", "支持 PD 快充，小巧便携。", &[("", 3900, 40)], Some(4900), 175),
    (
        "充电",
        "罗马仕 充电宝 10000mAh",
        "轻薄小巧，双向快充，出门上课不断电。",
        &[("白色", 7900, 25), ("黑色", 7900, 25)],
        Some(9900),
        220,
    ),
    ("存储", "闪迪 U盘 64GB USB3.0", "高速读写，资料作业随身带。", &[("", 3490, 45)], None, 160),
    ("球类", "斯伯丁 7号篮球 室内外通用", "PU 材质，手感好，耐磨耐打。", &[("", 15900, 10)], Some(19900), 42),
    (
        "健身",
        "瑜伽垫 加厚10mm 防滑",
        "NBR 材质加厚防滑，宿舍健身不伤膝。",
        &[("紫色", 4590, 20), ("蓝色", 4590, 20)],
        Some(5990),
        77,
    ),
    (
        "服饰",
        "校园文化衫 纯棉 T恤",
        "校徽款纯棉短袖，社团活动、运动会统一着装。",
        &[
            ("白色 / M", 4900, 30),
            ("白色 / L", 4900, 30),
            ("白色 / XL", 4900, 20),
            ("黑色 / M", 4900, 30),
            ("黑色 / L", 4900, 25),
            ("黑色 / XL", 4900, 15),
        ],
        None,
        310,
    ),
];

/// The demo shop, categories, pickup points, banners and products; skipped when a catalog exists.
pub fn demo_catalog(conn: &mut DbConn, owner_id: i64, media: &Storage) -> AppResult<()> {
    use crate::mall::service as mall;
    if !mall::category_tree(conn)?.is_empty() {
        return Ok(());
    }
    let shop = mall::open_shop(conn, owner_id, "校园便利店", "学生街 12 号，营业时间 8:00–23:00", "学生街 12 号")?;
    let mut children = Vec::new();
    let mut roots = Vec::new();
    for (i, (root, kids)) in CATEGORIES.iter().enumerate() {
        let root_id = mall::create_category(conn, None, root, i as i32)?;
        roots.push(root_id);
        for (j, kid) in kids.iter().enumerate() {
            children.push((*kid, mall::create_category(conn, Some(root_id), kid, j as i32)?));
        }
    }
    for (name, address) in
        [("东区菜鸟驿站", "东区食堂一楼"), ("西区快递中心", "西区 3 号楼旁"), ("图书馆服务台", "图书馆一楼大厅")]
    {
        mall::add_pickup_point(conn, name, address)?;
    }
    mall::add_banner(
        conn,
        "开学季文具特惠",
        &crate::web::assets::url("img/banner-study.svg"),
        &format!("/mall/categories/{}", roots[1]),
        0,
    )?;
    mall::add_banner(
        conn,
        "宿舍好物",
        &crate::web::assets::url("img/banner-dorm.svg"),
        &format!("/mall/categories/{}", roots[2]),
        1,
    )?;
    for (i, (cat, name, desc, options, original, sales)) in PRODUCTS.iter().enumerate() {
        let kind = children.iter().position(|(n, _)| n == cat).unwrap_or(0);
        let category_id = children[kind].1;
        let picture = demo_picture(media, i, kind)?;
        let skus = options
            .iter()
            .map(|(n, price, stock)| crate::mall::service::SkuSpec {
                name: n.to_string(),
                price_cents: *price,
                stock: *stock,
            })
            .collect();
        mall::create_product(
            conn,
            &mall::ProductSpec {
                shop_id: shop,
                category_id,
                name: name.to_string(),
                description: desc.to_string(),
                images: vec![picture],
                original_price_cents: *original,
                skus,
            },
            *sales,
        )?;
    }
    Ok(())
}

const BRANDS: [&str; 12] =
    ["晨光", "得力", "小米", "罗马仕", "农夫山泉", "良品铺子", "李宁", "安踏", "蓝月亮", "小熊", "国誉", "斑马"];
const THINGS: [&str; 24] = [
    "中性笔",
    "笔记本",
    "充电宝",
    "数据线",
    "耳机",
    "台灯",
    "水杯",
    "饮用水",
    "坚果",
    "薯片",
    "方便面",
    "洗衣液",
    "收纳箱",
    "跳绳",
    "瑜伽垫",
    "篮球",
    "羽毛球",
    "T恤",
    "帆布包",
    "雨伞",
    "计算器",
    "U盘",
    "鼠标",
    "键盘",
];
const TRAITS: [&str; 10] =
    ["经典款", "加厚", "便携", "大容量", "静音", "速干", "轻薄", "学生专用", "宿舍必备", "考试用"];

/// Bulk demo data for benchmarks: `products` more products and `orders` completed orders,
/// written in batches of 1000 per transaction. Deterministic for a given size.
pub fn bulk(conn: &mut DbConn, keys: &Keyring, media: &Storage, products: usize, orders: usize) -> AppResult<()> {
    use crate::mall::service as mall;
    if mall::category_tree(conn)?.is_empty() {
        demo(conn, keys, media)?;
    }
    let shop_owner = crate::auth::service::demo_user(conn, Role::Merchant)?;
    let shop = mall::open_shop(conn, shop_owner, "校园便利店", "", "")?;
    let leaves: Vec<i64> = mall::category_tree(conn)?.iter().flat_map(|n| n.children.iter().map(|c| c.id)).collect();
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut made = 0;
    while made < products {
        let batch = (products - made).min(1000);
        crate::db::write_tx(conn, |conn| {
            for i in 0..batch {
                let n = made + i;
                let (b, t, r) = (next() as usize, next() as usize, next() as usize);
                let name = format!(
                    "{} {}{} {}号",
                    BRANDS[b % BRANDS.len()],
                    TRAITS[r % TRAITS.len()],
                    THINGS[t % THINGS.len()],
                    n
                );
                let price = 100 + (next() % 20_000) as i64;
                let options = 1 + (next() % 3) as usize;
                let skus = (0..options)
                    .map(|o| mall::SkuSpec {
                        name: if options == 1 { String::new() } else { format!("款式{}", o + 1) },
                        price_cents: price + o as i64 * 100,
                        stock: (next() % 500) as i64,
                    })
                    .collect();
                mall::create_product(
                    conn,
                    &mall::ProductSpec {
                        shop_id: shop,
                        category_id: leaves[n % leaves.len()],
                        name,
                        description: format!(
                            "{}，{}，适合{}。",
                            TRAITS[(r + 3) % TRAITS.len()],
                            THINGS[(t + 5) % THINGS.len()],
                            "校园生活"
                        ),
                        images: Vec::new(),
                        original_price_cents: Some(price + price / 5),
                        skus,
                    },
                    (next() % 5000) as i64,
                )?;
            }
            Ok::<_, crate::error::AppError>(())
        })?;
        made += batch;
    }
    let buyer = crate::auth::service::demo_user(conn, Role::Student)?;
    let mut placed = 0;
    while placed < orders {
        let batch = (orders - placed).min(1000);
        crate::db::write_tx(conn, |conn| {
            for _ in 0..batch {
                let product_id = 1 + (next() % (made as u64 + 24)) as i64;
                mall::record_completed_order(conn, buyer, shop, product_id, 1 + (next() % 3) as i64)?;
            }
            Ok::<_, crate::error::AppError>(())
        })?;
        placed += batch;
    }
    // PostgreSQL plans by table statistics, and autovacuum may not have looked at tables filled a
    // moment ago: a category page planned on empty-table estimates ran 60x slower (measured).
    if let DbConn::Pg(c) = conn {
        diesel::connection::SimpleConnection::batch_execute(c, "ANALYZE")?;
    }
    Ok(())
}

/// Draws the `index`-th demo product's picture (a shape per category on its own colour) into
/// `demo/` of the upload store, so the mall looks like a shop on first start and layout bugs show.
/// Returns its public path.
pub(crate) fn demo_picture(media: &Storage, index: usize, kind: usize) -> AppResult<String> {
    const SIDE: u32 = 360;
    let hue = (index as f32 * 137.5) % 360.0;
    let (bg, fg, light) = (hsl(hue, 0.55, 0.88), hsl(hue, 0.55, 0.45), image::Rgb([255, 255, 255]));
    let band = hsl(hue, 0.5, 0.84);
    let c = SIDE as f32 / 2.0;
    let img = image::RgbImage::from_fn(SIDE, SIDE, |x, y| {
        let (dx, dy) = (x as f32 - c, y as f32 - c);
        let r = (dx * dx + dy * dy).sqrt();
        let inside = match kind % 6 {
            0 => r < 105.0, // a round packet
            1 => dx.abs() < 52.5 && (dy.abs() < 90.0 || (dy < -90.0 && dx.abs() < 22.5 && dy > -127.5)), // a bottle
            2 => dx.abs() < 90.0 && dy.abs() < 112.5 && !(dx > 75.0 && dy.abs() < 105.0), // a book
            3 => dy > -97.5 && dy < 97.5 && dx.abs() < (dy + 97.5) * 0.6, // a cone
            4 => r < 112.5 && r > 63.8, // a ring
            _ => dx.abs() + dy.abs() < 120.0, // a diamond
        };
        // A highlight, and stripes that differ from product to product within a category.
        let stripe = ((x as usize + y as usize + index * 13) / 24).is_multiple_of(2 + index % 3);
        if inside && (dx + 30.0).powi(2) + (dy + 37.5).powi(2) < 506.0 {
            light
        } else if inside {
            fg
        } else if stripe {
            band
        } else {
            bg
        }
    });
    let name = format!("product-{index:02}.png");
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).map_err(crate::error::AppError::internal)?;
    media.put_blocking(Area::Public, &format!("demo/{name}"), png.into_inner())?;
    Ok(format!("/media/demo/{name}"))
}

fn hsl(h: f32, s: f32, l: f32) -> image::Rgb<u8> {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let to = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    image::Rgb([to(r), to(g), to(b)])
}
