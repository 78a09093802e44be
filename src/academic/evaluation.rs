//! 综合测评 (`/academic/evaluation`): the student's assessment of each school year by category,
//! as the school imports it (kind `evaluations`), with the weighted total and the rank in the
//! class computed here.
//!
//! Rule (documented in docs/academic-import.md): total = 学业 × 70% + 德育 × 15% + 体育 × 10%
//! + 其他（创新与实践）× 5%, each category scored 0–100; the class is the students of the same
//! 班级 assessed the same year; equal totals share a rank (1, 2, 2, 4).

use actix_web::{HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{evaluations, students};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::render;

/// The categories with their weight in percent, in the order shown.
pub const WEIGHTS: [(&str, i64); 4] = [("学业", 70), ("德育", 15), ("体育", 10), ("其他（创新与实践）", 5)];

pub struct Part {
    pub name: &'static str,
    pub weight: i64,
    /// Tenths of a point.
    pub score: i32,
}

impl Part {
    /// What the part adds to the total, in hundredths of a point.
    fn weighted(&self) -> i64 {
        i64::from(self.score) * self.weight / 10
    }
}

pub struct YearCard {
    pub year: String,
    pub parts: Vec<Part>,
    /// Hundredths of a point.
    pub total: i64,
    pub rank: usize,
    pub of: usize,
}

/// Hundredths of a point of the weighted total of `scores` (tenths).
pub fn total(scores: [i32; 4]) -> i64 {
    scores.iter().zip(WEIGHTS).map(|(s, (_, w))| i64::from(*s) * w).sum::<i64>() / 10
}

/// Rank of `mine` among `totals` (equal totals share a rank).
pub fn rank(mine: i64, totals: &[i64]) -> usize {
    totals.iter().filter(|t| **t > mine).count() + 1
}

/// The student's cards, latest year first.
pub fn cards(conn: &mut DbConn, student_no: &str, class_name: &str) -> AppResult<Vec<YearCard>> {
    type Row = (String, String, i32, i32, i32, i32);
    let class: Vec<Row> = evaluations::table
        .inner_join(students::table.on(students::student_no.eq(evaluations::student_no)))
        .filter(students::class_name.eq(class_name))
        .select((
            evaluations::student_no,
            evaluations::year,
            evaluations::academic,
            evaluations::moral,
            evaluations::sports,
            evaluations::extra,
        ))
        .load(conn)?;
    let mut mine: Vec<&Row> = class.iter().filter(|r| r.0 == student_no).collect();
    mine.sort_by(|a, b| b.1.cmp(&a.1));
    Ok(mine
        .into_iter()
        .map(|(_, year, a, m, s, e)| {
            let scores = [*a, *m, *s, *e];
            let totals: Vec<i64> =
                class.iter().filter(|r| r.1 == *year).map(|r| total([r.2, r.3, r.4, r.5])).collect();
            let me = total(scores);
            YearCard {
                year: year.clone(),
                parts: WEIGHTS
                    .iter()
                    .zip(scores)
                    .map(|((name, weight), score)| Part { name, weight: *weight, score })
                    .collect(),
                total: me,
                rank: rank(me, &totals),
                of: totals.len(),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "academic/evaluation.html")]
pub struct EvaluationView {
    pub page: Page,
    pub cards: Vec<YearCard>,
}

impl EvaluationView {
    pub fn tenths(&self, n: &i32) -> String {
        super::service::tenths(*n)
    }

    pub fn hundredths(&self, n: &i64) -> String {
        super::service::hundredths(*n)
    }

    pub fn weighted(&self, p: &Part) -> String {
        super::service::hundredths(p.weighted())
    }
}

/// `GET /academic/evaluation`.
pub async fn show(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let found = state
        .db
        .run(move |conn| {
            let Some(student) = super::service::student_of(conn, uid)? else { return Ok(None) };
            Ok(Some(cards(conn, &student.student_no, &student.class_name)?))
        })
        .await?;
    let Some(cards) = found else {
        return render(&super::views::NotLinkedView { page, error: None, student_no: String::new() });
    };
    render(&EvaluationView { page, cards })
}
