//! `/academic/teacher-schedule`, `/academic/teaching`, `/academic/teaching/{course}` and its
//! grade form. Teachers only (others get 403); the teacher is always the signed-in account's.

use actix_session::SessionExt;
use actix_web::{HttpRequest, HttpResponse, web};

use super::queries::{self, Teacher};
use super::service;
use super::views::{CoursesView, NotLinkedView, RosterView, TeacherScheduleView};
use crate::academic::handlers::WeekQuery;
use crate::audit;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{Page, RequireRole, TeacherRole};
use crate::web::{client_ip, render, see_other, session};

pub type RequireTeacher = RequireRole<TeacherRole>;

fn teacher(conn: &mut DbConn, user: i64) -> AppResult<Option<Teacher>> {
    queries::teacher_of(conn, user)
}

/// `GET /academic/teacher-schedule?week=N`: the teacher's own teaching week.
pub async fn show_schedule(
    state: web::Data<AppState>,
    who: RequireTeacher,
    page: Page,
    query: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    let (uid, week) = (who.0.id, query.week);
    let found = state
        .db
        .run(move |conn| {
            let Some(t) = teacher(conn, uid)? else { return Ok(None) };
            let id = t.id;
            let table = crate::academic::service::week_table(conn, week, db::now(), |conn, semester| {
                Ok((queries::meetings_of_teacher(conn, semester, id)?, Vec::new()))
            })?;
            Ok(Some((t, table)))
        })
        .await?;
    let Some((teacher, table)) = found else { return render(&NotLinkedView { page }) };
    render(&TeacherScheduleView { page, teacher, table })
}

/// `GET /academic/teaching`: the courses the teacher teaches this semester.
pub async fn show_courses(state: web::Data<AppState>, who: RequireTeacher, page: Page) -> AppResult<HttpResponse> {
    let uid = who.0.id;
    let found = state
        .db
        .run(move |conn| {
            let Some(t) = teacher(conn, uid)? else { return Ok(None) };
            let semester = service::semester(conn, db::now())?;
            let courses = match &semester {
                Some(s) => queries::courses_of(conn, s.id, t.id)?,
                None => Vec::new(),
            };
            Ok(Some((t, semester, courses)))
        })
        .await?;
    let Some((teacher, semester, courses)) = found else { return render(&NotLinkedView { page }) };
    render(&CoursesView { page, teacher, semester, courses })
}

/// `GET /academic/teaching/{course}`: the roster with the grade form.
pub async fn show_roster(
    state: web::Data<AppState>,
    who: RequireTeacher,
    page: Page,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (uid, course) = (who.0.id, path.into_inner());
    let roster = state
        .db
        .run(move |conn| {
            let t = teacher(conn, uid)?.ok_or(AppError::NotFound)?;
            service::roster(conn, &t, course, db::now())
        })
        .await?;
    render(&RosterView { page, roster, entered: Vec::new(), error: None })
}

/// `POST /academic/teaching/{course}/grades`: saves the typed grades, all or nothing; a bad
/// cell brings the form back (422) with everything typed and the reason.
pub async fn save_grades(
    req: HttpRequest,
    state: web::Data<AppState>,
    who: RequireTeacher,
    page: Page,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> AppResult<HttpResponse> {
    let (uid, course, ip) = (who.0.id, path.into_inner(), client_ip(&req));
    let entered: Vec<(String, String)> = form.into_inner().into_iter().filter(|(k, _)| k.contains(':')).collect();
    let typed = entered.clone();
    let saved = state
        .db
        .run(move |conn| {
            let t = teacher(conn, uid)?.ok_or(AppError::NotFound)?;
            match service::enter(conn, &t, course, &typed, db::now()) {
                Ok((roster, changed)) => {
                    let detail = serde_json::json!({ "course": roster.course.code, "semester": roster.semester.code, "changed": changed });
                    audit::record(conn, Some(uid), "grades.enter", "course", Some(&course.to_string()), &detail.to_string(), Some(&ip))?;
                    Ok(Ok(changed))
                }
                Err(AppError::Invalid(why)) => Ok(Err((service::roster(conn, &t, course, db::now())?, why))),
                Err(e) => Err(e),
            }
        })
        .await?;
    match saved {
        Ok(changed) => {
            let text = if changed == 0 {
                "成绩没有变化".to_string()
            } else {
                format!("已保存 {changed} 名学生的成绩，学生会收到通知")
            };
            session::flash(&req.get_session(), "success", text);
            Ok(see_other(&req, &format!("/academic/teaching/{course}")))
        }
        Err((roster, why)) => {
            let html = askama::Template::render(&RosterView { page, roster, entered, error: Some(why) })?;
            Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(html))
        }
    }
}
