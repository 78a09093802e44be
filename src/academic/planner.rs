//! The GPA planner (`/academic/gpa`): the student types hypothetical scores for this
//! semester's courses that have no grade yet and sees the semester and cumulative GPA they
//! would give; or a target cumulative GPA and sees the average grade point (and the score band)
//! the courses she left blank need (typed scores count as earned). On the school's scale
//! (`CAMPUS_GPA_SCALE`); nothing is saved.
//! Works as a plain GET form and, with htmx, swaps only the result.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::gpa::{self, Scale};
use super::models::Student;
use super::{queries, service};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{is_htmx, render};

/// A course of this semester without a grade, with what the student typed for it.
pub struct PlanCourse {
    pub code: String,
    pub name: String,
    pub credit_tenths: i32,
    pub typed: String,
    /// The point of the typed score (tenths).
    pub point: Option<i32>,
}

/// What the courses left blank need for the target.
pub enum Needed {
    /// The graded courses alone keep the target.
    Reached,
    /// Not even full marks everywhere reach it.
    Impossible,
    /// An average grade point (hundredths) and the lowest score band that gives it (tenths).
    Average { point: i64, score: i32 },
}

pub struct Plan {
    pub semester: String,
    pub courses: Vec<PlanCourse>,
    /// Today's cumulative GPA, graded courses only (hundredths).
    pub current: Option<i64>,
    /// With the typed scores (hundredths); `None` until a score is typed.
    pub semester_gpa: Option<i64>,
    pub cumulative: Option<i64>,
    pub target: String,
    pub needed: Option<Needed>,
    pub remaining_credits: i32,
    pub max_point: i32,
}

impl Plan {
    pub fn text(&self, n: &Option<i64>) -> String {
        n.map_or_else(|| "—".into(), service::hundredths)
    }

    pub fn max_text(&self) -> String {
        service::tenths(self.max_point)
    }

    /// What the target needs, in words.
    pub fn needed_text(&self) -> Option<String> {
        Some(match self.needed.as_ref()? {
            Needed::Reached => "已修课程的绩点已经达到目标，剩下的课程都及格即可。".to_string(),
            Needed::Impossible => {
                format!("剩下的 {} 学分即使全部满分也达不到这个目标。", service::tenths(self.remaining_credits))
            }
            Needed::Average { point, score } => format!(
                "剩下的 {} 学分平均绩点需要 {}，即每门约 {} 分以上。",
                service::tenths(self.remaining_credits),
                service::hundredths(*point),
                service::tenths(*score)
            ),
        })
    }

    pub fn typed_any(&self) -> bool {
        self.courses.iter().any(|c| c.point.is_some())
    }
}

/// A decimal as typed with at most `places` digits after the point, scaled to an integer
/// (`87.5` with 1 place → 875); `None` when it is not such a number.
fn decimal(t: &str, places: usize) -> Option<i64> {
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if frac.len() > places || whole.is_empty() || whole.len() > 6 || !digits(whole) || !digits(frac) {
        return None;
    }
    let frac = format!("{frac:0<places$}");
    Some(
        whole.parse::<i64>().ok()? * 10i64.pow(places as u32)
            + if places == 0 { 0 } else { frac.parse::<i64>().ok()? },
    )
}

/// A score as typed (`87`, `87.5`) in tenths; the message names the course.
fn score(name: &str, typed: &str) -> Result<Option<i32>, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match decimal(t, 1).and_then(|n| i32::try_from(n).ok()) {
        Some(n) if (0..=1000).contains(&n) => Ok(Some(n)),
        _ => Err(format!("「{name}」的分数应是 0 到 100 之间的数（最多一位小数）")),
    }
}

/// A target GPA (`3.5`, `3.75`) in hundredths, at most the scale's top point.
fn target(typed: &str, scale: &Scale) -> Result<Option<i64>, String> {
    let t = typed.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let max = service::tenths(scale.max_point());
    let bad = || format!("目标绩点应是 0 到 {max} 之间的数，如 3.5");
    let n = decimal(t, 2).ok_or_else(bad)?;
    if n > i64::from(scale.max_point()) * 10 {
        return Err(format!("目标绩点 {t} 超过了本校绩点满分 {max}"));
    }
    if n <= 0 {
        return Err(bad());
    }
    Ok(Some(n))
}

/// The plan for `student` from the typed `fields` (`s_<course code>` scores, `target`).
/// The error is the message the student reads; the plan still shows what was typed.
pub fn plan(
    conn: &mut DbConn,
    student: &Student,
    scale: &Scale,
    fields: &HashMap<String, String>,
    now: NaiveDateTime,
) -> AppResult<(Plan, Option<String>)> {
    let transcript = service::transcript(conn, student, scale)?;
    let semester = queries::semester_on(conn, service::today(now))?;
    let mut courses = Vec::new();
    if let Some(semester) = &semester {
        let graded: Vec<&str> = transcript
            .semesters
            .iter()
            .filter(|s| s.semester.id == semester.id)
            .flat_map(|s| s.lines.iter().map(|l| l.row.course_code.as_str()))
            .collect();
        let mut codes: Vec<String> = queries::meetings_of_class(conn, semester.id, &student.class_name)?
            .into_iter()
            .map(|m| m.course_code)
            .filter(|c| !graded.contains(&c.as_str()))
            .collect();
        codes.sort();
        codes.dedup();
        for (code, name, credit_tenths) in queries::courses_by_code(conn, &codes)? {
            let typed = fields.get(&format!("s_{code}")).cloned().unwrap_or_default();
            courses.push(PlanCourse { code, name, credit_tenths, typed, point: None });
        }
    }
    let mut error = None;
    for c in &mut courses {
        match score(&c.name, &c.typed) {
            Ok(s) => c.point = s.map(|s| scale.point(s)),
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    let typed_target = fields.get("target").cloned().unwrap_or_default();
    let wanted = match target(&typed_target, scale) {
        Ok(t) => t,
        Err(e) => {
            error.get_or_insert(e);
            None
        }
    };
    let all: Vec<(i32, i32)> =
        transcript.semesters.iter().flat_map(|s| s.lines.iter().map(|l| (l.row.credit_tenths, l.point))).collect();
    let this: Vec<(i32, i32)> = transcript
        .semesters
        .iter()
        .filter(|s| semester.as_ref().is_some_and(|x| x.id == s.semester.id))
        .flat_map(|s| s.lines.iter().map(|l| (l.row.credit_tenths, l.point)))
        .collect();
    let typed: Vec<(i32, i32)> = courses.iter().filter_map(|c| c.point.map(|p| (c.credit_tenths, p))).collect();
    let any_typed = !typed.is_empty();
    let semester_gpa = any_typed.then(|| gpa::weighted(this.iter().chain(typed.iter()).copied())).flatten();
    let cumulative = any_typed.then(|| gpa::weighted(all.iter().chain(typed.iter()).copied())).flatten();
    // The target counts typed scores as earned; the need falls on the courses left blank.
    let remaining: i32 = courses.iter().filter(|c| c.point.is_none()).map(|c| c.credit_tenths).sum();
    let needed = wanted.map(|t| {
        let known = all.iter().chain(typed.iter());
        let c: i64 = known.clone().map(|(c, _)| i64::from(*c)).sum();
        let s: i64 = known.map(|(c, p)| i64::from(*c) * i64::from(*p)).sum();
        let n = i64::from(remaining);
        if n == 0 {
            return if c > 0 && s * 10 >= t * c { Needed::Reached } else { Needed::Impossible };
        }
        // Needed average point p (hundredths): t × (c + n) = 10 × s + p × n, rounded up.
        let numerator = t * (c + n) - 10 * s;
        if numerator <= 0 {
            return Needed::Reached;
        }
        let point = (numerator + n - 1) / n;
        if point > i64::from(scale.max_point()) * 10 {
            return Needed::Impossible;
        }
        let band = i32::try_from((point + 9) / 10).unwrap_or(i32::MAX);
        match scale.score_for(band) {
            Some(score) => Needed::Average { point, score },
            None => Needed::Impossible,
        }
    });
    let plan = Plan {
        semester: semester.map(|s| s.name).unwrap_or_default(),
        courses,
        current: transcript.gpa,
        semester_gpa,
        cumulative,
        target: typed_target,
        needed,
        remaining_credits: remaining,
        max_point: scale.max_point(),
    };
    Ok((plan, error))
}

#[derive(Template)]
#[template(path = "academic/gpa.html")]
pub struct GpaView {
    pub page: Page,
    pub plan: Plan,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "academic/gpa.html", block = "result")]
pub struct GpaResult {
    pub plan: Plan,
    pub error: Option<String>,
}

async fn answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    fields: HashMap<String, String>,
) -> AppResult<HttpResponse> {
    let scale = Scale::parse(state.config.gpa_scale.as_deref()).map_err(AppError::invalid)?;
    let uid = user.id;
    let found = state
        .db
        .run(move |conn| {
            let Some(student) = service::student_of(conn, uid)? else { return Ok(None) };
            Ok(Some(plan(conn, &student, &scale, &fields, db::now())?))
        })
        .await?;
    let Some((plan, error)) = found else {
        return render(&super::views::NotLinkedView { page, error: None, student_no: String::new() });
    };
    let status = if error.is_some() {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    let html =
        if is_htmx(&req) { GpaResult { plan, error }.render()? } else { GpaView { page, plan, error }.render()? };
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}

/// `GET /academic/gpa?s_<code>=&target=`.
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    query: web::Query<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    answer(req, state, user, page, query.into_inner()).await
}

/// `POST /academic/gpa`: the same, for a form that posts.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    form: web::Form<HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let mut fields = form.into_inner();
    fields.remove("csrf_token");
    answer(req, state, user, page, fields).await
}
