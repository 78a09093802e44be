//! Forum search: posts in the shared Chinese index (`crate::search`, kind `post`, title and
//! body), kept current from the database by watermark on every job-runner tick, so each
//! instance's own index catches up with posts written anywhere. The index only proposes ids:
//! hits are re-read and re-checked in the database, so a hidden or deleted post never shows,
//! however stale the index.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::forum_posts;
use crate::error::{AppError, AppResult};
use crate::forum::models::{PAGE_SIZE, PostCard, VISIBLE};
use crate::forum::text::Pseudonyms;
use crate::search::{Doc, SearchIndex};

pub const KIND: &str = "post";
/// Rows indexed per runner tick at most, so a first catch-up never holds the runner long.
const PER_TICK: usize = 5000;

type IndexRow = (i64, String, String, String, NaiveDateTime);

fn changed(conn: &mut DbConn, since: Option<NaiveDateTime>, limit: i64) -> QueryResult<Vec<IndexRow>> {
    let mut q = forum_posts::table
        .select((forum_posts::id, forum_posts::title, forum_posts::body, forum_posts::status, forum_posts::updated_at))
        .order((forum_posts::updated_at.asc(), forum_posts::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(forum_posts::updated_at.ge(since));
    }
    q.load(conn)
}

fn apply(index: &SearchIndex, rows: &[IndexRow]) -> AppResult<()> {
    let upserts: Vec<Doc> =
        rows.iter().filter(|r| r.3 == VISIBLE).map(|r| Doc { kind: KIND, id: r.0, title: &r.1, body: &r.2 }).collect();
    let removals: Vec<(&str, i64)> = rows.iter().filter(|r| r.3 != VISIBLE).map(|r| (KIND, r.0)).collect();
    index.apply(&upserts, &removals).map_err(AppError::internal)
}

/// Indexes the posts changed since the index's watermark; cheap when nothing changed.
pub fn sync(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    let mut since = index.watermark(KIND);
    let mut total = 0;
    while total < PER_TICK {
        let rows = changed(conn, since, 1000)?;
        // Rows at exactly the watermark were indexed last time; again is harmless.
        let fresh = rows.iter().filter(|r| Some(r.4) != since).count();
        if fresh == 0 {
            break;
        }
        apply(index, &rows)?;
        total += fresh;
        let last = rows.last().map(|r| r.4);
        if let Some(last) = last {
            index.set_watermark(KIND, last).map_err(AppError::internal)?;
        }
        if rows.len() < 1000 || last == since {
            break;
        }
        since = last;
    }
    Ok(total)
}

/// One search hit: the card, its title and a piece of its body highlighted (escaped HTML).
pub struct Hit {
    pub card: PostCard,
    pub title_html: String,
    pub snippet_html: String,
}

pub struct Results {
    pub hits: Vec<Hit>,
    pub has_more: bool,
}

/// Up to 200 best hits, shown a page at a time (a short, bounded list: offset is fine).
pub fn search(conn: &mut DbConn, index: &SearchIndex, q: &str, page: i64, names: &Pseudonyms) -> AppResult<Results> {
    let hits = index.search(KIND, q, 200).map_err(AppError::internal)?;
    let skip = ((page - 1) * PAGE_SIZE) as usize;
    let ids: Vec<i64> = hits.iter().skip(skip).take(PAGE_SIZE as usize).map(|h| h.0).collect();
    let has_more = hits.len() > skip + ids.len();
    if ids.is_empty() {
        return Ok(Results { hits: Vec::new(), has_more: false });
    }
    let found = crate::forum::feed::service::visible_with_bodies(conn, &ids, names)?;
    let terms = crate::search::words(q);
    let hits = found
        .into_iter()
        .map(|(card, body)| Hit {
            title_html: crate::search::highlight(&card.title, &terms),
            snippet_html: crate::search::snippet(&body, &terms, 60),
            card,
        })
        .collect();
    Ok(Results { hits, has_more })
}

/// Rebuilds the post index from scratch (`campus reindex`).
pub fn rebuild(conn: &mut DbConn, index: &SearchIndex) -> AppResult<usize> {
    index.clear(KIND).map_err(AppError::internal)?;
    let mut total = 0;
    loop {
        let n = sync(conn, index)?;
        if n == 0 {
            return Ok(total);
        }
        total += n;
    }
}
