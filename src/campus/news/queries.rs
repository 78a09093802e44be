use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Article, ArticleSpec, NewsCard, PUBLISHED};
use crate::db::DbConn;
use crate::db::schema::campus_news;
use crate::on_backend;

/// Published articles whose time has come, newest first, after the keyset `(before_at, before_id)`.
pub fn feed(
    conn: &mut DbConn,
    category: Option<&str>,
    now: NaiveDateTime,
    after: Option<(NaiveDateTime, i64)>,
    limit: i64,
) -> QueryResult<Vec<NewsCard>> {
    let mut query = campus_news::table
        .filter(campus_news::status.eq(PUBLISHED))
        .filter(campus_news::published_at.le(now))
        .order((campus_news::published_at.desc(), campus_news::id.desc()))
        .select(NewsCard::as_select())
        .limit(limit)
        .into_boxed();
    if let Some(c) = category {
        query = query.filter(campus_news::category.eq(c.to_string()));
    }
    if let Some((at, id)) = after {
        query = query
            .filter(campus_news::published_at.le(at))
            .filter(campus_news::published_at.lt(at).or(campus_news::id.lt(id)));
    }
    query.load(conn)
}

pub fn article(conn: &mut DbConn, id: i64) -> QueryResult<Option<Article>> {
    campus_news::table.find(id).select(Article::as_select()).first(conn).optional()
}

pub fn all(conn: &mut DbConn) -> QueryResult<Vec<NewsCard>> {
    campus_news::table
        .order((campus_news::published_at.desc(), campus_news::id.desc()))
        .limit(300)
        .select(NewsCard::as_select())
        .load(conn)
}

pub fn insert(
    conn: &mut DbConn,
    author: i64,
    spec: &ArticleSpec,
    cover: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(campus_news::table)
        .values((
            campus_news::category.eq(spec.category.as_str()),
            campus_news::title.eq(&spec.title),
            campus_news::summary.eq(&spec.summary),
            campus_news::body_html.eq(&spec.body_html),
            campus_news::cover.eq(cover),
            campus_news::author_id.eq(author),
            campus_news::status.eq(spec.status),
            campus_news::published_at.eq(spec.published_at),
            campus_news::created_at.eq(now),
            campus_news::updated_at.eq(now),
        ))
        .returning(campus_news::id)
        .get_result(c))
}

pub fn update(
    conn: &mut DbConn,
    id: i64,
    spec: &ArticleSpec,
    cover: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(campus_news::table.find(id))
        .set((
            campus_news::category.eq(spec.category.as_str()),
            campus_news::title.eq(&spec.title),
            campus_news::summary.eq(&spec.summary),
            campus_news::body_html.eq(&spec.body_html),
            campus_news::cover.eq(cover),
            campus_news::status.eq(spec.status),
            campus_news::published_at.eq(spec.published_at),
            campus_news::updated_at.eq(now),
        ))
        .execute(conn)
}
