//! Generated posts and comments for benchmarks (`campus seed-demo --posts N --comments M`):
//! deterministic for a given size, spread over the last year, in multi-row inserts of a few
//! hundred rows and transactions of a few thousand posts. The first generated post gets 600 of
//! the comments (the "post with 500 comments" of the benchmark); the rest are spread at random,
//! a fifth of them replies. Counters are written as the rows are, so they agree.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::content::REGULARS;
use crate::db::schema::{forum_comments, forum_posts};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::models::VISIBLE;
use crate::on_backend;

const WORDS: [&str; 16] = [
    "考研",
    "高数",
    "食堂",
    "宿舍",
    "社团",
    "图书馆",
    "实习",
    "四六级",
    "篮球",
    "失物",
    "二手书",
    "自习室",
    "期末",
    "选课",
    "快递",
    "校园卡",
];
const ASKS: [&str; 8] =
    ["有人知道", "求推荐", "分享一下", "请教一下", "吐槽一下", "问问大家", "记录一下", "有没有同学"];
const ROWS_PER_INSERT: usize = 400;
const POSTS_PER_TX: usize = 2000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

type PostRow = (i64, i64, i64, String, String, bool, NaiveDateTime, i64, i64);
type CommentRow = (i64, i64, i64, Option<i64>, String, NaiveDateTime, i64);

fn insert_posts(conn: &mut DbConn, rows: &[PostRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, board, author, title, body, anonymous, at, comments, views)| {
                (
                    forum_posts::id.eq(*id),
                    forum_posts::board_id.eq(*board),
                    forum_posts::author_id.eq(*author),
                    forum_posts::title.eq(title.as_str()),
                    forum_posts::body.eq(body.as_str()),
                    forum_posts::images.eq("[]"),
                    forum_posts::anonymous.eq(*anonymous),
                    forum_posts::status.eq(VISIBLE),
                    forum_posts::comment_count.eq(*comments),
                    forum_posts::view_count.eq(*views),
                    forum_posts::last_reply_at.eq(*at + TimeDelta::minutes(*comments)),
                    forum_posts::created_at.eq(*at),
                    forum_posts::updated_at.eq(*at),
                )
            })
            .collect();
        on_backend!(conn, |c| diesel::insert_into(forum_posts::table).values(&values).execute(c))?;
    }
    Ok(())
}

fn insert_comments(conn: &mut DbConn, rows: &[CommentRow]) -> QueryResult<()> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, post, author, parent, body, at, replies)| {
                (
                    forum_comments::id.eq(*id),
                    forum_comments::post_id.eq(*post),
                    forum_comments::author_id.eq(*author),
                    forum_comments::parent_id.eq(*parent),
                    forum_comments::reply_to_id.eq(*parent),
                    forum_comments::body.eq(body.as_str()),
                    forum_comments::anonymous.eq(false),
                    forum_comments::status.eq(VISIBLE),
                    forum_comments::reply_count.eq(*replies),
                    forum_comments::created_at.eq(*at),
                )
            })
            .collect();
        on_backend!(conn, |c| diesel::insert_into(forum_comments::table).values(&values).execute(c))?;
    }
    Ok(())
}

/// Adds `posts` generated posts and `comments` comments to the demo boards.
pub fn bulk(conn: &mut DbConn, posts: usize, comments: usize) -> AppResult<()> {
    let boards: Vec<i64> =
        crate::forum::feed::queries::boards(conn, true)?.into_iter().filter(|b| !b.admin_only).map(|b| b.id).collect();
    let mut authors = vec![crate::auth::service::demo_user(conn, crate::auth::models::Role::Student)?];
    for (username, _) in REGULARS {
        authors.extend(crate::auth::service::user_of_login(conn, username)?);
    }
    if boards.is_empty() || posts == 0 {
        return if posts == 0 {
            Ok(())
        } else {
            Err(AppError::invalid("先运行 campus seed-demo 载入论坛版块"))
        };
    }
    let mut rng = Rng(0x5eed_f00d_u64.wrapping_add(posts as u64));
    let mut counts = vec![0i64; posts];
    counts[0] = comments.min(600) as i64;
    for _ in counts[0] as usize..comments {
        counts[rng.below(posts)] += 1;
    }
    let post_base: i64 =
        forum_posts::table.select(diesel::dsl::max(forum_posts::id)).first::<Option<i64>>(conn)?.unwrap_or(0);
    let mut comment_id: i64 =
        forum_comments::table.select(diesel::dsl::max(forum_comments::id)).first::<Option<i64>>(conn)?.unwrap_or(0);
    let now = db::now();
    let span = 365 * 24 * 60;
    for start in (0..posts).step_by(POSTS_PER_TX) {
        let end = (start + POSTS_PER_TX).min(posts);
        let mut post_rows = Vec::with_capacity(end - start);
        let mut comment_rows = Vec::new();
        for (i, count) in counts.iter().enumerate().take(end).skip(start) {
            let id = post_base + 1 + i as i64;
            // Older first: the last generated post is the newest.
            let minutes_ago = (span * (posts - i) / posts) as i64 + rng.below(60) as i64;
            let at = now - TimeDelta::minutes(minutes_ago);
            let (w, a) = (WORDS[rng.below(WORDS.len())], ASKS[rng.below(ASKS.len())]);
            let title = format!("{a}{w}的事 #{}", i + 1);
            let body = format!(
                "{a}：关于{w}，{}和{}怎么选？大家有什么经验，欢迎评论区交流。",
                WORDS[rng.below(16)],
                WORDS[rng.below(16)]
            );
            let author = authors[rng.below(authors.len())];
            let views = (*count * 7 + rng.below(200) as i64).max(1);
            post_rows.push((
                id,
                boards[rng.below(boards.len())],
                author,
                title,
                body,
                rng.below(20) == 0,
                at,
                *count,
                views,
            ));
            // The first comment collects a fifth of the thread as replies.
            let replies = *count / 5;
            let mut first = None;
            for n in 0..*count {
                comment_id += 1;
                let parent = if n > 0 && n <= replies { first } else { None };
                let own_replies = if n == 0 { replies } else { 0 };
                let said = format!("{}，说得对 {}", WORDS[rng.below(16)], n + 1);
                comment_rows.push((
                    comment_id,
                    id,
                    authors[rng.below(authors.len())],
                    parent,
                    said,
                    at + TimeDelta::minutes(n + 1),
                    own_replies,
                ));
                if n == 0 {
                    first = Some(comment_id);
                }
            }
        }
        write_tx(conn, |conn| {
            insert_posts(conn, &post_rows)?;
            insert_comments(conn, &comment_rows)?;
            Ok::<_, AppError>(())
        })?;
    }
    // Explicit ids leave PostgreSQL's sequences behind; SQLite's AUTOINCREMENT keeps up itself.
    if let DbConn::Pg(c) = conn {
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('forum_posts', 'id'), (SELECT MAX(id) FROM forum_posts))",
        )
        .execute(c)?;
        diesel::sql_query(
            "SELECT setval(pg_get_serial_sequence('forum_comments', 'id'), (SELECT MAX(id) FROM forum_comments))",
        )
        .execute(c)?;
    }
    crate::forum::ranking::refresh(conn)?;
    Ok(())
}
