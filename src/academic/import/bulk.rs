//! Saving a chunk of grade rows in a few statements instead of two or three per row: one read
//! of what the chunk's students already have, one multi-row upsert of the new and changed rows,
//! and, when grade changes are told, one read of which of those students have an account. On
//! PostgreSQL every statement is a network round trip, so 200,000 rows went from ~600,000
//! statements to ~400. The outcome of each row (created, updated, unchanged) and what ends up in
//! the table are the same as [`super::save::save`] row by row, which stays the path for the
//! other kinds and for a chunk that fails.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::check::Item;
use super::save::{Mode, Outcome};
use crate::db::schema::{grades, users};
use crate::db::{self, DbConn};
use crate::error::AppResult;

/// Regular, midterm, final and total scores.
type Scores = (Option<i32>, Option<i32>, Option<i32>, i32);
/// A stored grade: student, semester, course and its scores.
type Stored = (String, i64, i64, Option<i32>, Option<i32>, Option<i32>, i32);

/// One grade row of the file, borrowed from its [`Item`].
struct Row<'a> {
    no: &'a str,
    semester_id: i64,
    course_id: i64,
    scores: Scores,
}

/// The grade rows of `items`, or `None` when one of them is not a grade.
fn rows<'a>(items: &'a [(usize, Item)]) -> Option<Vec<Row<'a>>> {
    items
        .iter()
        .map(|(_, item)| match item {
            Item::Grade { no, semester_id, course_id, regular, midterm, final_score, total } => Some(Row {
                no,
                semester_id: *semester_id,
                course_id: *course_id,
                scores: (*regular, *midterm, *final_score, *total),
            }),
            _ => None,
        })
        .collect()
}

/// Saves (or, in a dry run, weighs) a chunk of grade rows with distinct keys, in the caller's
/// transaction; the outcomes are in the chunk's order. `None` when the chunk holds anything
/// other than grades.
pub fn grades(conn: &mut DbConn, items: &[(usize, Item)], mode: Mode) -> AppResult<Option<Vec<Outcome>>> {
    let Some(rows) = rows(items) else { return Ok(None) };
    if rows.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let nos: Vec<&str> = rows.iter().map(|r| r.no).collect::<HashSet<_>>().into_iter().collect();
    // Every grade of the chunk's students (a few dozen each), matched to the rows here.
    let existing: Vec<Stored> = grades::table
        .filter(grades::student_no.eq_any(&nos))
        .select((
            grades::student_no,
            grades::semester_id,
            grades::course_id,
            grades::regular,
            grades::midterm,
            grades::final_score,
            grades::total,
        ))
        .load(conn)?;
    let old: HashMap<(&str, i64, i64), Scores> =
        existing.iter().map(|(no, s, c, r, m, f, t)| ((no.as_str(), *s, *c), (*r, *m, *f, *t))).collect();
    let outcomes: Vec<Outcome> =
        rows.iter().map(|r| Outcome::of(old.get(&(r.no, r.semester_id, r.course_id)).copied(), &r.scores)).collect();
    if mode.dry {
        return Ok(Some(outcomes));
    }
    let now = db::now();
    let changed: Vec<(&Row, Outcome)> =
        rows.iter().zip(outcomes.iter().copied()).filter(|(_, o)| *o != Outcome::Unchanged).collect();
    if changed.is_empty() {
        return Ok(Some(outcomes));
    }
    let values: Vec<_> = changed
        .iter()
        .map(|(r, _)| {
            (
                grades::student_no.eq(r.no),
                grades::semester_id.eq(r.semester_id),
                grades::course_id.eq(r.course_id),
                grades::regular.eq(r.scores.0),
                grades::midterm.eq(r.scores.1),
                grades::final_score.eq(r.scores.2),
                grades::total.eq(r.scores.3),
                grades::created_at.eq(now),
                grades::updated_at.eq(now),
            )
        })
        .collect();
    crate::on_backend!(conn, |c| diesel::insert_into(grades::table)
        .values(&values)
        .on_conflict((grades::student_no, grades::semester_id, grades::course_id))
        .do_update()
        .set((
            grades::regular.eq(excluded(grades::regular)),
            grades::midterm.eq(excluded(grades::midterm)),
            grades::final_score.eq(excluded(grades::final_score)),
            grades::total.eq(excluded(grades::total)),
            grades::updated_at.eq(excluded(grades::updated_at)),
        ))
        .execute(c))?;
    if mode.alerts {
        let told: Vec<&str> = changed.iter().map(|(r, _)| r.no).collect::<HashSet<_>>().into_iter().collect();
        let accounts: HashMap<String, i64> = users::table
            .filter(users::student_no.eq_any(&told))
            .select((users::student_no.assume_not_null(), users::id))
            .load::<(String, i64)>(conn)?
            .into_iter()
            .collect();
        for (r, outcome) in &changed {
            if let Some(user) = accounts.get(r.no) {
                crate::academic::alerts::tell(conn, *user, r.course_id, r.scores.3, *outcome == Outcome::Created)?;
            }
        }
    }
    Ok(Some(outcomes))
}
