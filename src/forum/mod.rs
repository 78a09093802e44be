//! The campus forum (`/forum`): admin-managed boards, posts with up to nine photos, anonymous
//! posting under a per-thread pseudonym, two-level comments, likes, `@` mentions, search, a
//! hot ranking, reports and moderation.
//!
//! Split by concern: `feed/` (every list of posts: front page, boards, ranking, search, "mine"),
//! `posts/` (publishing, reading, editing, likes, reports, mutes), `comments/`, `moderate/`
//! (admin actions), `boards/` (the admin's board list); `likes`, `notices` (who hears of what),
//! `ranking` (the gravity score job), `search` (the index), `text` (plain text to safe HTML and
//! pseudonyms), `api` (JSON). Other modules go through `service`.
//!
//! Rules: bodies are plain text, never HTML; an anonymous author is never named to readers,
//! in HTML, JSON, links, avatars or notices, only admins can look (audit-logged); a like count
//! equals its like rows under any concurrency; views are counted in memory and written in
//! batches; every hot list is a keyset query on a named index.
//! The forum is a verified space: posting and commenting need 学籍认证 unless an admin opened
//! the board to everyone. Board moderators (版主, `stewards/`) act in their board only; every
//! action is in the board's mod log. A new account's first posts (the admin's setting) and every
//! post of a board that reviews them wait in the moderation queue ("审核中"); `saves` keeps
//! saved posts.
//! Tables: forum_boards, forum_posts, forum_comments, forum_likes, forum_reports, forum_mutes,
//! forum_bans, forum_saves, forum_comment_reports, forum_moderators, forum_mod_log,
//! forum_warnings.

mod api;
mod boards;
mod comments;
pub mod demo;
mod feed;
mod likes;
pub mod models;
mod moderate;
mod notices;
mod posts;
pub mod privacy;
pub mod ranking;
pub mod saves;
pub mod search;
pub mod service;
pub mod stewards;
pub mod text;
mod views;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::web;

use crate::config::Config;
use crate::search::SearchIndex;

/// The forum's own state: the pseudonym key, this instance's uncounted views and the shared
/// lists ([`Lists`]).
pub struct State {
    pub names: text::Pseudonyms,
    pub views: ViewCounter,
    pub lists: Lists,
}

impl State {
    pub fn new(config: &Config) -> State {
        use secrecy::ExposeSecret;
        State {
            names: text::Pseudonyms::new(config.secret_key.expose_secret()),
            views: ViewCounter::default(),
            lists: Lists::default(),
        }
    }
}

/// The lists every student sees alike, shared for two seconds: the first page of `/forum`
/// (boards, pinned and newest posts, the busiest forum page) and the two hot lists of
/// `/forum/ranking` (which the ranking job rescores once a minute anyway). None of them depends
/// on who reads. This instance forgets them whenever a post is published, deleted, hidden or
/// changed by an admin here; another instance shows such a change within the two seconds. Every
/// other forum page reads the database.
#[derive(Default)]
pub struct Lists {
    pub front: Shared<feed::service::Front>,
    pub day: Shared<Vec<models::PostCard>>,
    pub week: Shared<Vec<models::PostCard>>,
}

impl Lists {
    pub fn clear(&self) {
        self.front.clear();
        self.day.clear();
        self.week.clear();
    }
}

/// One value shared by every request for [`Shared::TTL`].
pub struct Shared<T>(Mutex<Option<(std::time::Instant, Arc<T>)>>);

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared(Mutex::new(None))
    }
}

impl<T> Shared<T> {
    const TTL: std::time::Duration = std::time::Duration::from_secs(2);

    pub fn get(&self) -> Option<Arc<T>> {
        let slot = self.0.lock().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, v)| v.clone())
    }

    pub fn put(&self, value: Arc<T>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((std::time::Instant::now(), value));
        }
    }

    pub fn clear(&self) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = None;
        }
    }
}

/// Views counted since the last flush, per post. A view costs a map update, not a database
/// write; the job runner's tick writes the batch. An instance that dies loses at most one
/// tick of views, which a view count can afford.
#[derive(Default)]
pub struct ViewCounter(Mutex<HashMap<i64, i64>>);

impl ViewCounter {
    pub fn add(&self, post: i64) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(post).or_insert(0) += 1;
        }
    }

    /// Views of `post` not yet written (shown on top of the stored count).
    pub fn pending(&self, post: i64) -> i64 {
        self.0.lock().map(|m| m.get(&post).copied().unwrap_or(0)).unwrap_or(0)
    }

    fn take(&self) -> Vec<(i64, i64)> {
        self.0.lock().map(|mut m| m.drain().collect()).unwrap_or_default()
    }

    fn put_back(&self, batch: Vec<(i64, i64)>) {
        if let Ok(mut m) = self.0.lock() {
            for (id, n) in batch {
                *m.entry(id).or_insert(0) += n;
            }
        }
    }

    /// Writes the counted views.
    pub fn flush(&self, conn: &mut crate::db::DbConn) -> crate::error::AppResult<()> {
        let batch = self.take();
        if batch.is_empty() {
            return Ok(());
        }
        if let Err(e) = posts::service::add_views(conn, &batch) {
            self.put_back(batch);
            return Err(e);
        }
        Ok(())
    }
}

/// Registers the forum's job kinds (`forum.rank`) and its per-tick work: writing counted views
/// and catching the search index up. A tick's failure is logged and does not stop the jobs.
pub fn register_jobs(jobs: &mut crate::jobs::Registry, state: Arc<State>, index: Arc<SearchIndex>) {
    jobs.register(ranking::JOB, |conn, _, _| ranking::run(conn));
    jobs.every_tick(move |conn| {
        if let Err(e) = state.views.flush(conn) {
            tracing::warn!(error = %e, "forum views not written yet");
        }
        if let Err(e) = search::sync(conn, &index) {
            tracing::warn!(error = %e, "forum search index sync");
        }
        Ok(())
    });
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    use self::posts::handlers as p;
    use self::stewards::handlers as s;
    use self::{boards::handlers as b, comments::handlers as c, feed::handlers as f, moderate::handlers as m};
    cfg.route("/forum", web::get().to(f::show_forum))
        .route("/forum/boards/{id}", web::get().to(f::show_board))
        .route("/forum/boards/{id}/log", web::get().to(s::show_log))
        .route("/forum/boards/{id}/queue", web::get().to(s::show_queue))
        .route("/forum/boards/{id}/queue/{flag}", web::post().to(m::decide_flag))
        .route("/forum/ranking", web::get().to(f::show_ranking))
        .route("/forum/search", web::get().to(f::search_posts))
        .route("/forum/new", web::get().to(p::show_new_post))
        .route("/forum/new", web::post().to(p::submit_post))
        .route("/forum/posts/{id}", web::get().to(p::show_post))
        .route("/forum/posts/{id}/edit", web::get().to(p::show_edit_post))
        .route("/forum/posts/{id}/edit", web::post().to(p::save_post))
        .route("/forum/posts/{id}/delete", web::post().to(p::delete_post))
        .route("/forum/posts/{id}/like", web::post().to(p::like_post))
        .route("/forum/posts/{id}/report", web::post().to(p::report_post))
        .route("/forum/posts/{id}/mute", web::post().to(p::mute_post))
        .route("/forum/posts/{id}/save", web::post().to(p::save_for_later))
        .route("/forum/posts/{id}/comments", web::get().to(c::more_comments))
        .route("/forum/posts/{id}/comments", web::post().to(c::submit_comment))
        .route("/forum/posts/{id}/manage", web::post().to(m::manage_post))
        .route("/forum/posts/{id}/author", web::post().to(m::reveal_author))
        .route("/forum/comments/{id}", web::get().to(c::show_discussion))
        .route("/forum/comments/{id}/like", web::post().to(c::like_comment))
        .route("/forum/comments/{id}/delete", web::post().to(c::delete_comment))
        .route("/forum/comments/{id}/report", web::post().to(c::report_comment))
        .route("/forum/comments/{id}/manage", web::post().to(m::manage_comment))
        .route("/me/posts", web::get().to(f::my_posts))
        .route("/me/comments", web::get().to(c::my_comments))
        .route("/me/likes", web::get().to(f::my_likes))
        .route("/me/saved", web::get().to(f::my_saved))
        .route("/admin/forum", web::get().to(b::list_boards))
        .route("/admin/forum/rules", web::post().to(b::save_rules))
        .route("/admin/forum/boards", web::post().to(b::create_board))
        .route("/admin/forum/boards/{id}", web::post().to(b::update_board))
        .route("/admin/forum/boards/{id}/moderators", web::post().to(s::appoint))
        .route("/admin/forum/boards/{id}/moderators/{user}/remove", web::post().to(s::dismiss))
        .route("/api/v1/forum/posts", web::get().to(api::list_posts))
        .route("/api/v1/forum/posts/{id}", web::get().to(api::show_post));
}
