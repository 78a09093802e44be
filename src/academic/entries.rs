//! A student's own timetable entries (自定义课程): a study group, a part-time job, a club. She
//! adds, edits and deletes them at `/academic/schedule/entries/new` (linked from the timetable);
//! they show on her grid marked as hers (a clash with a class is marked like any conflict), on
//! the today card and in her calendar feed. An entry takes periods (第n-m节) or clock times
//! (Asia/Shanghai), a weekday and a week rule of the current semester. Nobody reaches another
//! student's entry: every query is filtered by the owner, so another's id is not found.
//!
//! Table: schedule_entries (user_id).

use actix_session::SessionExt;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use serde::Deserialize;

use super::grid::{DAY_LABELS, MeetingView, periods_text};
use super::models::{Period, Semester};
use super::weeks::WeekSet;
use crate::db::schema::schedule_entries as se;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::{render, see_other, session};

/// How many entries one student may keep in a semester.
pub const MAX_ENTRIES: i64 = 50;

/// One own entry as stored.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = se)]
pub struct OwnEntry {
    pub id: i64,
    pub title: String,
    pub place: String,
    #[diesel(column_name = day_of_week)]
    pub day: i32,
    pub period_start: Option<i32>,
    pub period_end: Option<i32>,
    pub starts_at: Option<NaiveTime>,
    pub ends_at: Option<NaiveTime>,
    pub weeks: String,
    pub week_mask: i64,
}

impl OwnEntry {
    /// Its wall-clock start and end (periods through the bell schedule).
    pub fn clock(&self, periods: &[Period]) -> Option<(NaiveTime, NaiveTime)> {
        match (self.starts_at, self.ends_at, self.period_start, self.period_end) {
            (Some(a), Some(b), _, _) => Some((a, b)),
            (_, _, Some(s), Some(e)) => Some((
                periods.iter().find(|p| p.number == s)?.starts_at,
                periods.iter().find(|p| p.number == e)?.ends_at,
            )),
            _ => None,
        }
    }

    /// The periods it covers on the grid (clock times take the periods they overlap).
    pub fn periods_on(&self, periods: &[Period]) -> (i32, i32) {
        if let (Some(s), Some(e)) = (self.period_start, self.period_end) {
            return (s, e);
        }
        let (Some(a), Some(b)) = (self.starts_at, self.ends_at) else { return (1, 1) };
        let last = periods.iter().map(|p| p.number).max().unwrap_or(12);
        let start = periods.iter().find(|p| p.ends_at > a).map_or(last, |p| p.number);
        let end = periods.iter().filter(|p| p.starts_at < b).map(|p| p.number).max().unwrap_or(start);
        (start, end.max(start))
    }

    /// `第3-4节 10:00–11:40` or `19:30–21:00`.
    pub fn time_text(&self, periods: &[Period]) -> String {
        match (self.period_start, self.period_end, self.starts_at, self.ends_at) {
            (Some(s), Some(e), _, _) => periods_text(periods, s, e),
            (_, _, Some(a), Some(b)) => format!("{}–{}", a.format("%H:%M"), b.format("%H:%M")),
            _ => String::new(),
        }
    }

    pub fn day_label(&self) -> &'static str {
        DAY_LABELS[(self.day.clamp(1, 7) - 1) as usize]
    }

    pub fn view(&self, periods: &[Period]) -> MeetingView {
        MeetingView {
            course_name: self.title.clone(),
            course_code: String::new(),
            teacher: String::new(),
            room: if self.place.is_empty() { "—".into() } else { self.place.clone() },
            weeks: format!("{}（{}）", self.weeks, WeekSet::from_mask(self.week_mask).describe()),
            periods: self.time_text(periods),
            classes: String::new(),
            own: Some(self.id),
        }
    }
}

/// The form as typed. `mode` is `periods` or `time`.
#[derive(Deserialize, Default, Clone)]
pub struct EntryForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub period_start: String,
    #[serde(default)]
    pub period_end: String,
    #[serde(default)]
    pub starts_at: String,
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub weeks: String,
}

impl EntryForm {
    fn of(e: &OwnEntry) -> EntryForm {
        let hm = |t: Option<NaiveTime>| t.map(|t| t.format("%H:%M").to_string()).unwrap_or_default();
        let n = |v: Option<i32>| v.map(|v| v.to_string()).unwrap_or_default();
        EntryForm {
            title: e.title.clone(),
            place: e.place.clone(),
            day: e.day.to_string(),
            mode: if e.starts_at.is_some() { "time".into() } else { "periods".into() },
            period_start: n(e.period_start),
            period_end: n(e.period_end),
            starts_at: hm(e.starts_at),
            ends_at: hm(e.ends_at),
            weeks: e.weeks.clone(),
        }
    }

    pub fn by_time(&self) -> bool {
        self.mode == "time"
    }
}

/// When an entry meets: periods or clock times, never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Periods(i32, i32),
    Clock(NaiveTime, NaiveTime),
}

/// A checked entry; only [`EntrySpec::parse`] makes one.
#[derive(Debug, Clone)]
pub struct EntrySpec {
    pub title: String,
    pub place: String,
    pub day: i32,
    pub when: When,
    pub weeks: String,
    pub week_mask: i64,
}

impl EntrySpec {
    /// Checks `form` against `semester`; the error is the message the student reads.
    pub fn parse(form: &EntryForm, semester: &Semester) -> Result<EntrySpec, String> {
        let title = form.title.trim().to_string();
        if title.is_empty() {
            return Err("请填写名称".into());
        }
        if title.chars().count() > 30 {
            return Err("名称最多 30 个字".into());
        }
        let place = form.place.trim().to_string();
        if place.chars().count() > 30 {
            return Err("地点最多 30 个字".into());
        }
        let day: i32 = form.day.trim().parse().map_err(|_| "请选择星期几".to_string())?;
        if !(1..=7).contains(&day) {
            return Err("请选择星期几".into());
        }
        let when = if form.by_time() {
            let time = |v: &str, what: &str| {
                NaiveTime::parse_from_str(v.trim(), "%H:%M").map_err(|_| format!("请填写{what}，如 19:30"))
            };
            let a = time(&form.starts_at, "开始时间")?;
            let b = time(&form.ends_at, "结束时间")?;
            if b <= a {
                return Err("结束时间必须晚于开始时间".into());
            }
            When::Clock(a, b)
        } else {
            let period = |v: &str, what: &str| {
                v.trim()
                    .parse::<i32>()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .ok_or_else(|| format!("请选择{what}（第1-12节）"))
            };
            let s = period(&form.period_start, "开始节次")?;
            let e = period(&form.period_end, "结束节次")?;
            if e < s {
                return Err("结束节次不能早于开始节次".into());
            }
            When::Periods(s, e)
        };
        let weeks_text =
            if form.weeks.trim().is_empty() { format!("1-{}", semester.weeks) } else { form.weeks.trim().to_string() };
        let set = WeekSet::parse(&weeks_text, semester.weeks)?;
        Ok(EntrySpec { title, place, day, when, weeks: weeks_text, week_mask: set.mask() })
    }
}

impl EntrySpec {
    /// The columns an insert and an edit both write.
    #[expect(clippy::type_complexity, reason = "diesel's column assignments are spelled out")]
    fn columns(
        &self,
    ) -> (
        diesel::dsl::Eq<se::title, &String>,
        diesel::dsl::Eq<se::place, &String>,
        diesel::dsl::Eq<se::day_of_week, i32>,
        diesel::dsl::Eq<se::period_start, Option<i32>>,
        diesel::dsl::Eq<se::period_end, Option<i32>>,
        diesel::dsl::Eq<se::starts_at, Option<NaiveTime>>,
        diesel::dsl::Eq<se::ends_at, Option<NaiveTime>>,
        diesel::dsl::Eq<se::weeks, &String>,
        diesel::dsl::Eq<se::week_mask, i64>,
    ) {
        let (ps, pe, sa, ea) = match self.when {
            When::Periods(s, e) => (Some(s), Some(e), None, None),
            When::Clock(a, b) => (None, None, Some(a), Some(b)),
        };
        (
            se::title.eq(&self.title),
            se::place.eq(&self.place),
            se::day_of_week.eq(self.day),
            se::period_start.eq(ps),
            se::period_end.eq(pe),
            se::starts_at.eq(sa),
            se::ends_at.eq(ea),
            se::weeks.eq(&self.weeks),
            se::week_mask.eq(self.week_mask),
        )
    }
}

/// The student's entries of `semester`, in weekday order.
pub fn of_user(conn: &mut DbConn, user_id: i64, semester: i64) -> AppResult<Vec<OwnEntry>> {
    Ok(se::table
        .filter(se::user_id.eq(user_id))
        .filter(se::semester_id.eq(semester))
        .order((se::day_of_week, se::period_start, se::starts_at, se::id))
        .select(OwnEntry::as_select())
        .load(conn)?)
}

/// Entry `id` of user `user_id`; another's is not found.
pub fn entry(conn: &mut DbConn, user_id: i64, id: i64) -> AppResult<OwnEntry> {
    se::table
        .filter(se::id.eq(id))
        .filter(se::user_id.eq(user_id))
        .select(OwnEntry::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn current_semester(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<Semester> {
    super::queries::semester_on(conn, crate::web::time::date(now))?
        .ok_or_else(|| AppError::invalid("教务处还没有导入本学期的校历，暂时不能添加日程"))
}

/// Adds an entry of the current semester for `user_id`; returns its id and first week.
pub fn add_entry(conn: &mut DbConn, user_id: i64, form: &EntryForm, now: NaiveDateTime) -> AppResult<(i64, i32)> {
    let semester = current_semester(conn, now)?;
    let spec = EntrySpec::parse(form, &semester).map_err(AppError::Invalid)?;
    let id = write_tx(conn, |conn| {
        let count: i64 = se::table
            .filter(se::user_id.eq(user_id))
            .filter(se::semester_id.eq(semester.id))
            .count()
            .get_result(conn)?;
        if count >= MAX_ENTRIES {
            return Err(AppError::invalid(format!("每学期最多添加 {MAX_ENTRIES} 条自定义日程")));
        }
        diesel::insert_into(se::table)
            .values((
                se::user_id.eq(user_id),
                se::semester_id.eq(semester.id),
                spec.columns(),
                se::created_at.eq(now),
                se::updated_at.eq(now),
            ))
            .execute(conn)?;
        let id: i64 = se::table.filter(se::user_id.eq(user_id)).order(se::id.desc()).select(se::id).first(conn)?;
        Ok(id)
    })?;
    Ok((id, shown_week(spec.week_mask, &semester, now)))
}

/// Changes entry `id` of `user_id` (not found when it is not hers).
pub fn edit_entry(conn: &mut DbConn, user_id: i64, id: i64, form: &EntryForm, now: NaiveDateTime) -> AppResult<i32> {
    let semester = current_semester(conn, now)?;
    entry(conn, user_id, id)?;
    let spec = EntrySpec::parse(form, &semester).map_err(AppError::Invalid)?;
    let changed = write_tx(conn, |conn| {
        Ok::<_, AppError>(
            diesel::update(se::table.filter(se::id.eq(id)).filter(se::user_id.eq(user_id)))
                .set((spec.columns(), se::updated_at.eq(now)))
                .execute(conn)?,
        )
    })?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(shown_week(spec.week_mask, &semester, now))
}

/// Deletes entry `id` of `user_id` (not found when it is not hers).
pub fn delete_entry(conn: &mut DbConn, user_id: i64, id: i64) -> AppResult<()> {
    let gone = write_tx(conn, |conn| {
        Ok::<_, AppError>(
            diesel::delete(se::table.filter(se::id.eq(id)).filter(se::user_id.eq(user_id))).execute(conn)?,
        )
    })?;
    if gone == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// The week to show after saving: the next week (from this one) it meets in, else its first.
fn shown_week(mask: i64, semester: &Semester, now: NaiveDateTime) -> i32 {
    let this = semester.week_of(crate::web::time::date(now));
    let set = WeekSet::from_mask(mask);
    set.weeks().find(|w| *w >= this).or_else(|| set.weeks().next()).unwrap_or(1)
}

/// Every entry of `user_id`, as plain data (the privacy export).
pub fn export_user(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let rows: Vec<OwnEntry> =
        se::table.filter(se::user_id.eq(user_id)).order(se::id).select(OwnEntry::as_select()).load(conn)?;
    let seen: Option<(String, NaiveDateTime)> = crate::db::schema::grades_seen::table
        .find(user_id)
        .select((crate::db::schema::grades_seen::seen, crate::db::schema::grades_seen::seen_at))
        .first(conn)
        .optional()?;
    Ok(serde_json::json!({
        "schedule_entries": rows.iter().map(|e| serde_json::json!({
            "title": e.title,
            "place": e.place,
            "weekday": e.day,
            "period_start": e.period_start,
            "period_end": e.period_end,
            "starts_at": e.starts_at.map(|t| t.format("%H:%M").to_string()),
            "ends_at": e.ends_at.map(|t| t.format("%H:%M").to_string()),
            "weeks": e.weeks,
        })).collect::<Vec<_>>(),
        "grades_seen": seen.map(|(s, at)| serde_json::json!({
            "seen": serde_json::from_str::<serde_json::Value>(&s).unwrap_or(serde_json::Value::Null),
            "seen_at": at,
        })),
    }))
}

/// Removes every own entry of `user_id` and the record of which grades she saw.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    diesel::delete(se::table.filter(se::user_id.eq(user_id))).execute(conn)?;
    diesel::delete(crate::db::schema::grades_seen::table.find(user_id)).execute(conn)?;
    Ok(())
}

#[derive(Template)]
#[template(path = "academic/entry_form.html")]
pub struct EntryFormView {
    pub page: Page,
    /// `None` for a new entry.
    pub id: Option<i64>,
    pub form: EntryForm,
    pub error: Option<String>,
    pub semester_weeks: i32,
    pub mine: Vec<(OwnEntry, String)>,
}

impl EntryFormView {
    pub fn days(&self) -> Vec<(String, &'static str)> {
        DAY_LABELS.iter().enumerate().map(|(i, l)| ((i + 1).to_string(), *l)).collect()
    }

    pub fn period_numbers(&self) -> Vec<String> {
        (1..=12).map(|n| n.to_string()).collect()
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/academic/schedule/entries/{id}"),
            None => "/academic/schedule/entries".into(),
        }
    }
}

/// The form page's data: the semester's length and her entries, with their times.
fn form_data(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> AppResult<(i32, Vec<(OwnEntry, String)>)> {
    let Some(semester) = super::queries::semester_on(conn, crate::web::time::date(now))? else {
        return Ok((0, Vec::new()));
    };
    let periods = super::queries::periods(conn)?;
    let mine = of_user(conn, user_id, semester.id)?
        .into_iter()
        .map(|e| {
            let t =
                format!("{} {} · {}", e.day_label(), e.time_text(&periods), WeekSet::from_mask(e.week_mask).describe());
            (e, t)
        })
        .collect();
    Ok((semester.weeks, mine))
}

async fn show_form(
    state: &AppState,
    page: Page,
    user_id: i64,
    id: Option<i64>,
    form: Option<EntryForm>,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let (weeks, mine, stored) = state
        .db
        .run(move |conn| {
            let stored = match id {
                Some(id) => Some(entry(conn, user_id, id)?),
                None => None,
            };
            let (weeks, mine) = form_data(conn, user_id, db::now())?;
            Ok((weeks, mine, stored))
        })
        .await?;
    let form = form.or_else(|| stored.as_ref().map(EntryForm::of)).unwrap_or_else(|| EntryForm {
        mode: "periods".into(),
        day: "1".into(),
        period_start: "9".into(),
        period_end: "10".into(),
        ..EntryForm::default()
    });
    let invalid = error.is_some();
    let view = EntryFormView { page, id, form, error, semester_weeks: weeks, mine };
    if invalid {
        let html = view.render()?;
        return Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(html));
    }
    render(&view)
}

/// `GET /academic/schedule/entries/new`.
pub async fn new_entry(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    show_form(&state, page, user.id, None, None, None).await
}

/// `GET /academic/schedule/entries/{id}/edit`.
pub async fn edit_form(
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    show_form(&state, page, user.id, Some(path.into_inner()), None, None).await
}

/// `POST /academic/schedule/entries`: adds, then shows the week it first meets in.
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    form: web::Form<EntryForm>,
) -> AppResult<HttpResponse> {
    let (uid, f) = (user.id, form.into_inner());
    let typed = f.clone();
    match state.db.run(move |conn| add_entry(conn, uid, &f, db::now())).await {
        Ok((_, week)) => {
            session::flash(&req.get_session(), "success", "已添加到课表");
            Ok(see_other(&req, &format!("/academic/schedule?week={week}")))
        }
        Err(AppError::Invalid(message)) => show_form(&state, page, uid, None, Some(typed), Some(message)).await,
        Err(e) => Err(e),
    }
}

/// `POST /academic/schedule/entries/{id}`: saves the edit.
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<EntryForm>,
) -> AppResult<HttpResponse> {
    let (uid, id, f) = (user.id, path.into_inner(), form.into_inner());
    let typed = f.clone();
    match state.db.run(move |conn| edit_entry(conn, uid, id, &f, db::now())).await {
        Ok(week) => {
            session::flash(&req.get_session(), "success", "已保存");
            Ok(see_other(&req, &format!("/academic/schedule?week={week}")))
        }
        Err(AppError::Invalid(message)) => show_form(&state, page, uid, Some(id), Some(typed), Some(message)).await,
        Err(e) => Err(e),
    }
}

/// `POST /academic/schedule/entries/{id}/delete`.
pub async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, id) = (user.id, path.into_inner());
    state.db.run(move |conn| delete_entry(conn, uid, id)).await?;
    session::flash(&req.get_session(), "success", "已删除这条日程");
    Ok(see_other(&req, "/academic/schedule/entries/new"))
}
