//! 求购: a student posts what she is looking for (keywords, category, highest price); a new
//! listing that matches tells her once (in-app, and by email when her preferences say so);
//! sellers browse the wanted posts and answer with a listing.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::models::{Category, Item};
use crate::db::schema::{second_hand_wanted as wanted, second_hand_wanted_hits as hits, users};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::state::AppState;
use crate::web::filters;
use crate::web::page::{MaybeUser, Page};
use crate::web::{render, see_other, session};

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";
/// Open wanted posts one person may have.
pub const MAX_OPEN: i64 = 10;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = wanted)]
pub struct Wanted {
    pub id: i64,
    pub user_id: i64,
    pub keywords: String,
    pub category: String,
    pub max_price_cents: i64,
    pub note: String,
    pub status: String,
    pub created_at: NaiveDateTime,
}

impl Wanted {
    pub fn category_label(&self) -> &'static str {
        Category::parse(&self.category).map_or("不限分类", Category::label)
    }

    /// Every keyword in the title or description, the category (when set) the same, the price
    /// at most hers.
    pub fn matches(&self, item: &Item) -> bool {
        let text = format!("{}\n{}", item.title, item.description).to_lowercase();
        item.price_cents <= self.max_price_cents
            && (self.category.is_empty() || self.category == item.category)
            && self.keywords.split_whitespace().all(|k| text.contains(&k.to_lowercase()))
    }

    pub fn answer_link(&self) -> String {
        format!("/mall/second-hand/new?title={}", crate::web::url_encode(&self.keywords))
    }
}

/// A checked wanted post.
pub struct NewWanted {
    pub keywords: String,
    pub category: String,
    pub max_price_cents: i64,
    pub note: String,
}

impl NewWanted {
    pub fn parse(keywords: &str, category: &str, max_price: &str, note: &str) -> Result<NewWanted, String> {
        let keywords = keywords.split_whitespace().collect::<Vec<_>>().join(" ");
        if keywords.is_empty() || keywords.chars().count() > 30 {
            return Err("关键词需为 1–30 个字，多个关键词用空格分开".into());
        }
        let category = match category.trim() {
            "" => String::new(),
            c => Category::parse(c).ok_or("请选择分类")?.as_str().to_string(),
        };
        let max_price_cents = crate::mall::models::parse_yuan(max_price)?;
        if max_price_cents <= 0 || max_price_cents > 10_000_000 {
            return Err("最高价需在 ¥0.01 到 ¥100000 之间".into());
        }
        let note = note.trim();
        if note.chars().count() > 200 {
            return Err("补充说明不能超过 200 字".into());
        }
        Ok(NewWanted { keywords, category, max_price_cents, note: note.into() })
    }
}

pub fn post(conn: &mut DbConn, user_id: i64, w: &NewWanted) -> AppResult<i64> {
    let open: i64 =
        wanted::table.filter(wanted::user_id.eq(user_id)).filter(wanted::status.eq(OPEN)).count().get_result(conn)?;
    if open >= MAX_OPEN {
        return Err(AppError::conflict(format!("最多同时有 {MAX_OPEN} 条求购，请先关闭已不需要的")));
    }
    Ok(crate::on_backend!(conn, |c| diesel::insert_into(wanted::table)
        .values((
            wanted::user_id.eq(user_id),
            wanted::keywords.eq(&w.keywords),
            wanted::category.eq(&w.category),
            wanted::max_price_cents.eq(w.max_price_cents),
            wanted::note.eq(&w.note),
            wanted::status.eq(OPEN),
            wanted::created_at.eq(db::now()),
        ))
        .returning(wanted::id)
        .get_result(c))?)
}

pub fn close(conn: &mut DbConn, id: i64, user_id: i64) -> AppResult<()> {
    let n = diesel::update(wanted::table.filter(wanted::id.eq(id)).filter(wanted::user_id.eq(user_id)))
        .set(wanted::status.eq(CLOSED))
        .execute(conn)?;
    if n != 1 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The open wanted posts, newest first, with their posters' names.
pub fn open_posts(conn: &mut DbConn) -> AppResult<Vec<(Wanted, String)>> {
    Ok(wanted::table
        .inner_join(users::table)
        .filter(wanted::status.eq(OPEN))
        .order(wanted::id.desc())
        .limit(100)
        .select((Wanted::as_select(), users::nickname))
        .load(conn)?)
}

pub fn of_user(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Wanted>> {
    Ok(wanted::table
        .filter(wanted::user_id.eq(user_id))
        .order(wanted::id.desc())
        .limit(50)
        .select(Wanted::as_select())
        .load(conn)?)
}

/// A new listing tells each poster it matches, once (the unique hit decides). Runs inside the
/// listing's transaction. Returns how many were told.
pub fn tell_matches(conn: &mut DbConn, item: &Item) -> AppResult<usize> {
    let candidates: Vec<Wanted> = wanted::table
        .filter(wanted::status.eq(OPEN))
        .filter(wanted::user_id.ne(item.seller_id))
        .filter(wanted::max_price_cents.ge(item.price_cents))
        .order(wanted::id)
        .limit(1000)
        .select(Wanted::as_select())
        .load(conn)?;
    let mut told = 0;
    for w in candidates.iter().filter(|w| w.matches(item)) {
        let added = crate::on_backend!(conn, |c| diesel::insert_into(hits::table)
            .values((hits::wanted_id.eq(w.id), hits::item_id.eq(item.id), hits::created_at.eq(db::now())))
            .on_conflict((hits::wanted_id, hits::item_id))
            .do_nothing()
            .execute(c))?;
        if added == 1 {
            notify::send(
                conn,
                w.user_id,
                MessageKind::System,
                &format!("有新闲置符合你的求购「{}」", w.keywords),
                &format!("「{}」{}", item.title, filters::format_money(item.price_cents)),
                Some(&format!("/mall/second-hand/{}", item.id)),
            )?;
            told += 1;
        }
    }
    Ok(told)
}

#[derive(Default)]
pub struct WantedValues {
    pub keywords: String,
    pub category: String,
    pub max_price: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "market/wanted.html")]
pub struct WantedView {
    pub page: Page,
    pub posts: Vec<(Wanted, String)>,
    pub mine: Vec<Wanted>,
    pub signed_in: bool,
    pub values: WantedValues,
    pub error: Option<String>,
}

impl WantedView {
    pub fn categories(&self) -> [Category; 5] {
        Category::ALL
    }
}

pub async fn show(state: web::Data<AppState>, user: MaybeUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.0.as_ref().map(|u| u.id);
    let (posts, mine) = state
        .db
        .run(move |conn| {
            let mine = match uid {
                Some(id) => of_user(conn, id)?,
                None => Vec::new(),
            };
            Ok((open_posts(conn)?, mine))
        })
        .await?;
    render(&WantedView { page, posts, mine, signed_in: uid.is_some(), values: WantedValues::default(), error: None })
}

#[derive(Deserialize)]
pub struct WantedForm {
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    max_price: String,
    #[serde(default)]
    note: String,
}

pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    user: crate::web::page::CurrentUser,
    page: Page,
    form: web::Form<WantedForm>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let parsed = match NewWanted::parse(&form.keywords, &form.category, &form.max_price, &form.note) {
        Ok(w) => w,
        Err(message) => {
            let (posts, mine) = state.db.run(move |conn| Ok((open_posts(conn)?, of_user(conn, uid)?))).await?;
            let values = WantedValues {
                keywords: form.keywords.chars().take(40).collect(),
                category: form.category.chars().take(20).collect(),
                max_price: form.max_price.chars().take(20).collect(),
                note: form.note.chars().take(220).collect(),
            };
            let body = WantedView { page, posts, mine, signed_in: true, values, error: Some(message) }.render()?;
            return Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(body));
        }
    };
    let words = state.words.clone();
    state
        .db
        .run(move |conn| {
            crate::moderation::screen(&words, conn, &format!("{}\n{}", parsed.keywords, parsed.note), "求购")?;
            post(conn, uid, &parsed)
        })
        .await?;
    session::flash(&session, "success", "求购已发布，有符合的闲置上架时会通知你");
    Ok(see_other(&req, "/mall/second-hand/wanted"))
}

pub async fn close_post(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: crate::web::page::CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (id, uid) = (path.into_inner(), user.id);
    state.db.run(move |conn| close(conn, id, uid)).await?;
    Ok(see_other(&req, "/mall/second-hand/wanted"))
}
