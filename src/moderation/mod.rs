//! Text moderation: the local sensitive-word filter (always on, Aho-Corasick over the
//! admin-edited `sensitive_words` list, each word either blocking the text or sending it to
//! review), then optionally WeChat's `msgSecCheck` (`CAMPUS_WX_MSG_SEC_CHECK=1`).

pub mod privacy;

use aho_corasick::{AhoCorasick, MatchKind};
use diesel::prelude::*;

use crate::db::refdata;
use crate::db::schema::{moderation_flags, sensitive_words};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Publish, but put it in front of an admin.
    Review(String),
    /// Refuse, naming the word.
    Block(String),
}

struct Compiled {
    automaton: Option<AhoCorasick>,
    words: Vec<(String, bool)>,
}

/// The compiled word list, kept in process and rebuilt when the table changes (`db::refdata`).
#[derive(Default)]
pub struct WordFilter;

impl WordFilter {
    fn current(&self, conn: &mut DbConn) -> AppResult<std::sync::Arc<Compiled>> {
        refdata::cached(conn, refdata::Kind::SensitiveWords, "compiled", Self::compile)
    }

    fn compile(conn: &mut DbConn) -> AppResult<Compiled> {
        let rows: Vec<(String, String)> =
            sensitive_words::table.select((sensitive_words::word, sensitive_words::action)).load(conn)?;
        let words: Vec<(String, bool)> = rows.into_iter().map(|(w, a)| (w.to_lowercase(), a == "block")).collect();
        let automaton = if words.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(words.iter().map(|(w, _)| w.as_str()))
                    .map_err(AppError::internal)?,
            )
        };
        Ok(Compiled { automaton, words })
    }

    /// Blocking words win over review words.
    pub fn check(&self, conn: &mut DbConn, text: &str) -> AppResult<Verdict> {
        let c = self.current(conn)?;
        let Some(automaton) = &c.automaton else {
            return Ok(Verdict::Pass);
        };
        let lower = text.to_lowercase();
        let mut review = None;
        for m in automaton.find_iter(&lower) {
            let (word, block) = &c.words[m.pattern().as_usize()];
            if *block {
                return Ok(Verdict::Block(word.clone()));
            }
            review.get_or_insert_with(|| word.clone());
        }
        Ok(review.map_or(Verdict::Pass, Verdict::Review))
    }
}

/// Adds a word (`block` or `review`); an existing word gets the new action.
pub fn add_word(conn: &mut DbConn, word: &str, block: bool) -> AppResult<()> {
    let word = word.trim();
    if word.is_empty() || word.chars().count() > 30 {
        return Err(AppError::invalid("敏感词需为 1–30 个字"));
    }
    let action = if block { "block" } else { "review" };
    let existing: Option<i64> = sensitive_words::table
        .filter(sensitive_words::word.eq(word))
        .select(sensitive_words::id)
        .first(conn)
        .optional()?;
    if let Some(id) = existing {
        diesel::delete(sensitive_words::table.find(id)).execute(conn)?;
    }
    diesel::insert_into(sensitive_words::table)
        .values((
            sensitive_words::word.eq(word),
            sensitive_words::action.eq(action),
            sensitive_words::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    refdata::changed(conn, refdata::Kind::SensitiveWords)?;
    Ok(())
}

/// What the checks of text a user typed decided: keep it (maybe with a reason to show it to an
/// admin), or refuse it with a message naming the word.
pub fn screen(words: &WordFilter, conn: &mut DbConn, text: &str, what: &str) -> AppResult<Option<String>> {
    match words.check(conn, text)? {
        Verdict::Pass => Ok(None),
        Verdict::Review(word) => Ok(Some(format!("敏感词待审核：{word}"))),
        Verdict::Block(word) => Err(AppError::invalid(format!("{what}包含违规词「{word}」，请修改后再提交"))),
    }
}

/// Kinds of things in the queue (what "hide" does to each is in `admin::moderation`).
pub const KIND_PRODUCT: &str = "product";
pub const KIND_SECOND_HAND: &str = "second_hand";
/// A second-hand seller (by user id) with many bad ratings or reports.
pub const KIND_SECOND_HAND_SELLER: &str = "second_hand_seller";
pub const KIND_FORUM_POST: &str = "forum_post";
pub const KIND_FORUM_COMMENT: &str = "forum_comment";

pub const OPEN: &str = "open";

/// One entry of the moderation queue.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = moderation_flags)]
pub struct Flag {
    pub id: i64,
    pub kind: String,
    pub target_id: i64,
    pub author_id: Option<i64>,
    pub title: String,
    pub reason: String,
    pub status: String,
    pub created_at: chrono::NaiveDateTime,
    /// The start of the flagged text, so the queue says what it is about.
    pub excerpt: String,
    /// How many times the thing was flagged (reports, word-filter hits) while it waited.
    pub times: i64,
}

impl Flag {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            KIND_PRODUCT => "商品",
            KIND_SECOND_HAND => "二手",
            KIND_SECOND_HAND_SELLER => "二手卖家",
            KIND_FORUM_POST => "帖子",
            KIND_FORUM_COMMENT => "评论",
            _ => "内容",
        }
    }

    /// Where an admin sees the thing itself.
    pub fn link(&self) -> String {
        match self.kind.as_str() {
            KIND_PRODUCT => format!("/mall/products/{}", self.target_id),
            KIND_SECOND_HAND => format!("/mall/second-hand/{}", self.target_id),
            KIND_SECOND_HAND_SELLER => format!("/mall/second-hand/sellers/{}", self.target_id),
            KIND_FORUM_POST => format!("/forum/posts/{}", self.target_id),
            KIND_FORUM_COMMENT => format!("/forum/comments/{}", self.target_id),
            _ => String::new(),
        }
    }
}

/// How much of the flagged text the queue shows.
const EXCERPT_CHARS: usize = 120;

/// Puts a thing in front of the admins with its `title` and the start of its text (`body`); a
/// thing already waiting keeps its first flag and counts one more (the queue shows the count).
pub fn flag(
    conn: &mut DbConn,
    kind: &str,
    target_id: i64,
    author_id: Option<i64>,
    title: &str,
    body: &str,
    reason: &str,
) -> AppResult<()> {
    let waiting = moderation_flags::table
        .filter(moderation_flags::kind.eq(kind))
        .filter(moderation_flags::target_id.eq(target_id))
        .filter(moderation_flags::status.eq(OPEN));
    // One conditional UPDATE: two reports at once both count.
    if diesel::update(waiting).set(moderation_flags::times.eq(moderation_flags::times + 1)).execute(conn)? > 0 {
        return Ok(());
    }
    let words: Vec<&str> = body.split_whitespace().collect();
    let flat = words.join(" ");
    let excerpt = match flat.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    };
    diesel::insert_into(moderation_flags::table)
        .values((
            moderation_flags::kind.eq(kind),
            moderation_flags::target_id.eq(target_id),
            moderation_flags::author_id.eq(author_id),
            moderation_flags::title.eq(title.chars().take(100).collect::<String>()),
            moderation_flags::reason.eq(reason),
            moderation_flags::status.eq(OPEN),
            moderation_flags::created_at.eq(db::now()),
            moderation_flags::excerpt.eq(excerpt),
            moderation_flags::times.eq(1),
        ))
        .execute(conn)?;
    Ok(())
}

/// The open flags, oldest first (they have waited longest).
pub fn open_flags(conn: &mut DbConn, limit: i64) -> AppResult<Vec<Flag>> {
    Ok(moderation_flags::table
        .filter(moderation_flags::status.eq(OPEN))
        .order(moderation_flags::id.asc())
        .limit(limit)
        .select(Flag::as_select())
        .load(conn)?)
}

/// One flag, open or decided.
pub fn flag_by_id(conn: &mut DbConn, id: i64) -> AppResult<Option<Flag>> {
    Ok(moderation_flags::table.find(id).select(Flag::as_select()).first(conn).optional()?)
}

pub fn open_count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(moderation_flags::table.filter(moderation_flags::status.eq(OPEN)).count().get_result(conn)?)
}

/// Closes an open flag with the admin's decision (`approved`, `hidden`, `banned`); a flag
/// someone already decided is a conflict. Returns the flag as it was.
pub fn resolve(conn: &mut DbConn, id: i64, decision: &str, admin: i64) -> AppResult<Flag> {
    let flag: Flag =
        moderation_flags::table.find(id).select(Flag::as_select()).first(conn).optional()?.ok_or(AppError::NotFound)?;
    let changed = diesel::update(moderation_flags::table.find(id).filter(moderation_flags::status.eq(OPEN)))
        .set((
            moderation_flags::status.eq(decision),
            moderation_flags::resolved_by.eq(admin),
            moderation_flags::resolved_at.eq(db::now()),
        ))
        .execute(conn)?;
    if changed != 1 {
        return Err(AppError::conflict("这条已经有人处理过了"));
    }
    Ok(flag)
}

/// Closes the open flag of a thing decided elsewhere (its module's own admin page), if any.
pub fn close_open(conn: &mut DbConn, kind: &str, target_id: i64, decision: &str, admin: i64) -> AppResult<()> {
    diesel::update(
        moderation_flags::table
            .filter(moderation_flags::kind.eq(kind))
            .filter(moderation_flags::target_id.eq(target_id))
            .filter(moderation_flags::status.eq(OPEN)),
    )
    .set((
        moderation_flags::status.eq(decision),
        moderation_flags::resolved_by.eq(admin),
        moderation_flags::resolved_at.eq(db::now()),
    ))
    .execute(conn)?;
    Ok(())
}
