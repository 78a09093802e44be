//! The forum's part of the personal-data registry (`crate::privacy`): posts (with their
//! photos), comments, likes, reports, mutes and bans. When an account closes, the person
//! chooses what happens to what they wrote: removed (the default: a post reads "该帖已删除",
//! its photos go, a comment reads "该评论已删除"; others' replies stay) or kept under the name
//! 已注销用户. Likes go and their counters move with them, so a counter always equals its rows.

use diesel::prelude::*;

use super::likes;
use super::models::{DELETED, Image};
use crate::db::schema::{
    forum_bans, forum_boards, forum_comments, forum_likes, forum_mutes, forum_posts, forum_reports,
};
use crate::db::{self, DbConn};
use crate::error::AppResult;
use crate::privacy::{Export, Forget, Leave, Part};

/// Id, board, title, body, images, anonymous, status, created at.
type PostRow = (i64, String, String, String, String, bool, String, chrono::NaiveDateTime);

pub fn part() -> Part {
    Part::new("forum")
        .table("forum_posts", Export::To("forum_posts"), Forget::Choice)
        .table("forum_comments", Export::To("forum_comments"), Forget::Choice)
        .table("forum_likes", Export::To("forum_likes"), Forget::Delete)
        .table("forum_reports", Export::To("forum_reports"), Forget::Delete)
        .table("forum_mutes", Export::To("forum_muted_threads"), Forget::Delete)
        .table("forum_bans", Export::To("forum_bans"), Forget::Delete)
        .uploads("forum", &[("forum_posts", "images")])
        .export(|conn, who, out| {
            let uid = who.user_id;
            let posts: Vec<PostRow> = forum_posts::table
                .inner_join(forum_boards::table)
                .filter(forum_posts::author_id.eq(uid))
                .order(forum_posts::id)
                .select((
                    forum_posts::id,
                    forum_boards::name,
                    forum_posts::title,
                    forum_posts::body,
                    forum_posts::images,
                    forum_posts::anonymous,
                    forum_posts::status,
                    forum_posts::created_at,
                ))
                .load(conn)?;
            let mut list = Vec::new();
            for (id, board, title, body, images, anonymous, status, at) in posts {
                let images = Image::list(&images);
                for i in &images {
                    out.photo(&i.full);
                }
                list.push(serde_json::json!({
                    "id": id, "board": board, "title": title, "body": body, "anonymous": anonymous,
                    "status": status, "created_at": at, "images": images.iter().map(|i| &i.full).collect::<Vec<_>>(),
                }));
            }
            out.put("forum_posts", serde_json::Value::Array(list));
            let comments: Vec<(i64, i64, String, bool, String, chrono::NaiveDateTime)> = forum_comments::table
                .filter(forum_comments::author_id.eq(uid))
                .order(forum_comments::id)
                .select((
                    forum_comments::id,
                    forum_comments::post_id,
                    forum_comments::body,
                    forum_comments::anonymous,
                    forum_comments::status,
                    forum_comments::created_at,
                ))
                .load(conn)?;
            out.put(
                "forum_comments",
                comments
                    .into_iter()
                    .map(|(id, post, body, anonymous, status, at)| serde_json::json!({ "id": id, "post": post, "body": body, "anonymous": anonymous, "status": status, "created_at": at }))
                    .collect(),
            );
            let liked: Vec<(String, i64, chrono::NaiveDateTime)> = forum_likes::table
                .filter(forum_likes::user_id.eq(uid))
                .order(forum_likes::id)
                .select((forum_likes::target_kind, forum_likes::target_id, forum_likes::created_at))
                .load(conn)?;
            out.put(
                "forum_likes",
                liked.into_iter().map(|(k, t, at)| serde_json::json!({ "kind": k, "id": t, "at": at })).collect(),
            );
            let reports: Vec<(i64, String, chrono::NaiveDateTime)> = forum_reports::table
                .filter(forum_reports::reporter_id.eq(uid))
                .select((forum_reports::post_id, forum_reports::reason, forum_reports::created_at))
                .load(conn)?;
            out.put(
                "forum_reports",
                reports.into_iter().map(|(p, r, at)| serde_json::json!({ "post": p, "reason": r, "at": at })).collect(),
            );
            let muted: Vec<i64> =
                forum_mutes::table.filter(forum_mutes::user_id.eq(uid)).select(forum_mutes::post_id).load(conn)?;
            out.put("forum_muted_threads", serde_json::json!(muted));
            let bans: Vec<(chrono::NaiveDateTime, String)> = forum_bans::table
                .filter(forum_bans::user_id.eq(uid))
                .select((forum_bans::until, forum_bans::reason))
                .load(conn)?;
            out.put(
                "forum_bans",
                bans.into_iter().map(|(until, reason)| serde_json::json!({ "until": until, "reason": reason })).collect(),
            );
            Ok(())
        })
        .forget(|conn, who, leave, out| {
            let uid = who.user_id;
            forget_likes(conn, uid)?;
            diesel::delete(forum_reports::table.filter(forum_reports::reporter_id.eq(uid))).execute(conn)?;
            diesel::delete(forum_mutes::table.filter(forum_mutes::user_id.eq(uid))).execute(conn)?;
            diesel::delete(forum_bans::table.filter(forum_bans::user_id.eq(uid))).execute(conn)?;
            // Replies to the person's comments named them.
            let theirs: Vec<i64> =
                forum_comments::table.filter(forum_comments::author_id.eq(uid)).select(forum_comments::id).load(conn)?;
            diesel::update(forum_comments::table.filter(forum_comments::reply_to_id.eq_any(theirs)))
                .set(forum_comments::reply_to_name.eq(Some("已注销用户")))
                .execute(conn)?;
            if leave == Leave::Anonymise {
                return Ok(());
            }
            let images: Vec<String> =
                forum_posts::table.filter(forum_posts::author_id.eq(uid)).select(forum_posts::images).load(conn)?;
            for i in images.iter().flat_map(|j| Image::list(j)) {
                out.photo(&i.full);
                out.photo(&i.thumb);
            }
            let posts = diesel::update(forum_posts::table.filter(forum_posts::author_id.eq(uid)))
                .set((
                    forum_posts::status.eq(DELETED),
                    forum_posts::title.eq("该帖已删除"),
                    forum_posts::body.eq(""),
                    forum_posts::images.eq("[]"),
                    forum_posts::pinned.eq(false),
                    forum_posts::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            out.count("forum_posts_removed", posts);
            let comments = diesel::update(forum_comments::table.filter(forum_comments::author_id.eq(uid)))
                .set((forum_comments::status.eq(DELETED), forum_comments::body.eq("")))
                .execute(conn)?;
            out.count("forum_comments_removed", comments);
            Ok(())
        })
}

/// Takes back every like of the user, each thing's counter moving with its row.
fn forget_likes(conn: &mut DbConn, uid: i64) -> AppResult<()> {
    let mut liked = |kind: &'static str| -> diesel::QueryResult<Vec<i64>> {
        forum_likes::table
            .filter(forum_likes::user_id.eq(uid))
            .filter(forum_likes::target_kind.eq(kind))
            .select(forum_likes::target_id)
            .load(conn)
    };
    let (posts, comments) = (liked(likes::POST)?, liked(likes::COMMENT)?);
    diesel::update(forum_posts::table.filter(forum_posts::id.eq_any(posts)))
        .set(forum_posts::like_count.eq(forum_posts::like_count - 1))
        .execute(conn)?;
    diesel::update(forum_comments::table.filter(forum_comments::id.eq_any(comments)))
        .set(forum_comments::like_count.eq(forum_comments::like_count - 1))
        .execute(conn)?;
    diesel::delete(forum_likes::table.filter(forum_likes::user_id.eq(uid))).execute(conn)?;
    Ok(())
}

/// The forum's trust tables: saved posts, comment reports, warnings and the moderators' work.
/// A moderator's log lines and the warnings they gave stay with their boards, under the
/// anonymised account: the board's record of what was done must not lose its lines.
pub fn trust_part() -> Part {
    Part::new("forum_trust")
        .table("forum_saves", Export::To("forum_saves"), Forget::Delete)
        .table("forum_comment_reports", Export::To("forum_comment_reports"), Forget::Delete)
        .table("forum_moderators", Export::To("forum_moderator_of"), Forget::Delete)
        .table("forum_warnings", Export::To("forum_warnings"), Forget::Delete)
        .table(
            "forum_mod_log",
            Export::To("forum_mod_log"),
            Forget::Anonymise("版主的管理记录留在版块日志中，署名随账号一起匿名"),
        )
        .export(|conn, who, out| {
            if let serde_json::Value::Object(sections) = super::service::export_user(conn, who.user_id)? {
                for (key, value) in sections {
                    out.put(&key, value);
                }
            }
            Ok(())
        })
        .forget(|conn, who, _, _| super::service::forget_user(conn, who.user_id))
}
