//! Text moderation: the local sensitive-word filter (always on, Aho-Corasick over the
//! admin-edited `sensitive_words` list, each word either blocking the text or sending it to
//! review), then optionally WeChat's `msgSecCheck` (`CAMPUS_WX_MSG_SEC_CHECK=1`).

use std::sync::Mutex;

use aho_corasick::{AhoCorasick, MatchKind};
use diesel::prelude::*;

use crate::db::schema::sensitive_words;
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
    /// (row count, largest id): the list this automaton was built from.
    version: (i64, i64),
    automaton: Option<AhoCorasick>,
    words: Vec<(String, bool)>,
}

/// The compiled word list, rebuilt when the table changes.
#[derive(Default)]
pub struct WordFilter {
    compiled: Mutex<Option<std::sync::Arc<Compiled>>>,
}

impl WordFilter {
    fn current(&self, conn: &mut DbConn) -> AppResult<std::sync::Arc<Compiled>> {
        let count: i64 = sensitive_words::table.count().get_result(conn)?;
        let max: Option<i64> = sensitive_words::table.select(diesel::dsl::max(sensitive_words::id)).first(conn)?;
        let version = (count, max.unwrap_or(0));
        if let Some(c) = self.compiled.lock().ok().and_then(|g| g.clone()).filter(|c| c.version == version) {
            return Ok(c);
        }
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
        let compiled = std::sync::Arc::new(Compiled { version, automaton, words });
        if let Ok(mut slot) = self.compiled.lock() {
            *slot = Some(compiled.clone());
        }
        Ok(compiled)
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
    Ok(())
}
