//! The student's pages. Each shows only the signed-in user's own records (found through
//! `users.student_no`); a user with no linked record gets the page that explains linking.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::gpa::Scale;
use super::service;
use super::views::{CalendarView, ExamsView, GradesView, NotLinkedView, ScheduleView, StudentInfoView};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::page::{CurrentUser, Page};
use crate::web::render;

#[derive(Deserialize)]
pub struct WeekQuery {
    pub week: Option<i32>,
}

#[derive(Deserialize)]
pub struct SemesterQuery {
    pub semester: Option<String>,
}

fn not_linked(page: Page) -> AppResult<HttpResponse> {
    render(&NotLinkedView { page, error: None, student_no: String::new() })
}

/// `GET /academic/schedule?week=N`.
pub async fn show_schedule(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    query: web::Query<WeekQuery>,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let week = query.week;
    let found = state
        .db
        .run(move |conn| {
            let Some(student) = service::student_of(conn, uid)? else { return Ok(None) };
            let table = service::timetable(conn, uid, &student, week, db::now())?;
            Ok(Some((student, table)))
        })
        .await?;
    let Some((student, table)) = found else {
        // A teacher's 教务 is the teaching week, not the student's form asking for a 学号.
        if user.is_teacher() && !user.has(crate::web::Role::Student) {
            return Ok(crate::web::see_other(&req, "/academic/teacher-schedule"));
        }
        return not_linked(page);
    };
    render(&ScheduleView { page, student, table })
}

/// `GET /academic/grades`.
pub async fn show_grades(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let scale = Scale::parse(state.config.gpa_scale.as_deref()).map_err(AppError::invalid)?;
    let shown = scale.clone();
    let uid = user.id;
    let found = state
        .db
        .run(move |conn| {
            let Some((student, seen)) = service::student_and_seen_of(conn, uid)? else { return Ok(None) };
            let transcript = service::transcript(conn, &student, &scale)?;
            let marks = super::seen::marks_since_last_visit(conn, uid, seen, &transcript, db::now())?;
            Ok(Some((student, transcript, marks)))
        })
        .await?;
    let Some((student, transcript, marks)) = found else { return not_linked(page) };
    render(&GradesView { page, student, t: transcript, scale: shown, marks })
}

/// `GET /academic/exams`.
pub async fn show_exams(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let found = state
        .db
        .run(move |conn| {
            let Some(student) = service::student_of(conn, uid)? else { return Ok(None) };
            let exams = super::today::exams_with_flags(conn, &student, db::now())?;
            Ok(Some(exams))
        })
        .await?;
    let Some(exams) = found else { return not_linked(page) };
    render(&ExamsView { page, exams })
}

/// `GET /academic/student-info`.
pub async fn show_student_info(state: web::Data<AppState>, user: CurrentUser, page: Page) -> AppResult<HttpResponse> {
    let uid = user.id;
    let found = state.db.run(move |conn| service::student_of(conn, uid)).await?;
    let Some(student) = found else { return not_linked(page) };
    render(&StudentInfoView { page, student })
}

/// `GET /academic/calendar?semester=CODE`: the calendar is the school's, open to every
/// signed-in user.
pub async fn show_calendar(
    state: web::Data<AppState>,
    _user: CurrentUser,
    page: Page,
    query: web::Query<SemesterQuery>,
) -> AppResult<HttpResponse> {
    let code = query.into_inner().semester.filter(|c| !c.trim().is_empty());
    let calendar = state.db.run(move |conn| service::calendar(conn, code.as_deref(), db::now())).await?;
    render(&CalendarView { page, calendar })
}

#[derive(Deserialize)]
pub struct LinkForm {
    pub student_no: String,
    pub id_last6: String,
}

/// `POST /academic/link`: links the signed-in user to their student record, then shows the
/// timetable. A wrong pair re-renders the form with the reason (422); attempts are limited.
pub async fn link_student(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
    form: web::Form<LinkForm>,
) -> AppResult<HttpResponse> {
    let LinkForm { student_no, id_last6 } = form.into_inner();
    // Counted per account, per address and per student number: fresh accounts from fresh
    // addresses share one student's guesses.
    let keys = crate::auth::codes::guess_keys("academic-link", user.id, &crate::web::client_ip(&req), &student_no);
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    if state.login_limiter.try_take(&refs).await.is_err() {
        return Err(AppError::RateLimited("尝试次数过多，请 15 分钟后再试".into()));
    }
    let limit_key = &keys[0];
    let uid = user.id;
    let key = secrecy::ExposeSecret::expose_secret(&state.config.secret_key).as_bytes().to_vec();
    let no = student_no.clone();
    let linked = state.db.run(move |conn| service::link_student(conn, uid, &no, None, &id_last6, &key)).await;
    match linked {
        Ok(()) => {
            state.login_limiter.clear(limit_key);
            Ok(crate::web::see_other(&req, "/academic/schedule"))
        }
        Err(AppError::Invalid(message) | AppError::Conflict(message)) => {
            let html = askama::Template::render(&NotLinkedView { page, error: Some(message), student_no })?;
            Ok(HttpResponse::UnprocessableEntity().content_type("text/html; charset=utf-8").body(html))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub struct FeedQuery {
    pub token: Option<String>,
}

/// `GET /academic/schedule.ics?token=...`: the owner's timetable feed; a wrong or revoked
/// token is not found.
pub async fn schedule_feed(state: web::Data<AppState>, query: web::Query<FeedQuery>) -> AppResult<HttpResponse> {
    let token = query.into_inner().token.unwrap_or_default();
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let body = state
        .db
        .run(move |conn| {
            let user = super::feed::user_of_token(conn, &token)?.ok_or(AppError::NotFound)?;
            super::feed::ics(conn, user, db::now())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body))
}

/// `POST /academic/schedule.ics/token`: a new private feed URL, shown once; the old one stops
/// working.
pub async fn new_feed_token(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    let uid = user.id;
    let token = state.db.run(move |conn| super::feed::regenerate_token(conn, uid)).await?;
    let info = req.connection_info();
    let url = format!("{}://{}/academic/schedule.ics?token={token}", info.scheme(), info.host());
    render(&super::views::FeedView { page, url })
}

/// The signed-in student's record and grades, for the transcript downloads; a user with no
/// linked record is not found (the grades page explains linking).
async fn own_transcript(
    state: &AppState,
    user: &CurrentUser,
) -> AppResult<(super::models::Student, service::Transcript)> {
    let scale = Scale::parse(state.config.gpa_scale.as_deref()).map_err(AppError::invalid)?;
    let uid = user.id;
    state
        .db
        .run(move |conn| {
            let student = service::student_of(conn, uid)?.ok_or(AppError::NotFound)?;
            let transcript = service::transcript(conn, &student, &scale)?;
            Ok((student, transcript))
        })
        .await
}

fn attachment(content_type: &str, name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .insert_header(("Cache-Control", "private, no-store"))
        .body(body)
}

/// `GET /academic/transcript.pdf`: the unofficial transcript as a PDF. Without a usable font
/// the page says so (503) and points to the spreadsheet.
pub async fn transcript_pdf(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (student, transcript) = own_transcript(&state, &user).await?;
    let Some(path) = crate::web::pdf::find_font(state.config.pdf_font.as_deref()) else {
        return Err(AppError::Unavailable(
            "暂时无法生成 PDF 成绩单：服务器上没有找到中文字体（管理员可安装 fonts-wqy-zenhei 或设置 CAMPUS_PDF_FONT）。可以先下载 Excel 版成绩单：/academic/transcript.xlsx"
                .into(),
        ));
    };
    let index = state.config.pdf_font_index;
    let name = format!("transcript-{}.pdf", student.student_no);
    let made = web::block(move || {
        let data = std::fs::read(&path).map_err(|e| crate::web::pdf::FontError(format!("{}: {e}", path.display())))?;
        let pages = super::transcript::pdf_pages(&student, &transcript, db::now());
        crate::web::pdf::document(&data, index, &format!("{} 非正式成绩单", student.name), &pages)
    })
    .await
    .map_err(AppError::internal)?;
    match made {
        Ok(pdf) => Ok(attachment(crate::web::pdf::CONTENT_TYPE, &name, pdf)),
        Err(e) => {
            tracing::error!(error = %e, "transcript font unusable");
            Err(AppError::Unavailable(format!(
                "暂时无法生成 PDF 成绩单：{e}。可以先下载 Excel 版成绩单：/academic/transcript.xlsx"
            )))
        }
    }
}

/// `GET /academic/transcript.xlsx`: the same transcript as a spreadsheet.
pub async fn transcript_xlsx(state: web::Data<AppState>, user: CurrentUser) -> AppResult<HttpResponse> {
    let (student, transcript) = own_transcript(&state, &user).await?;
    let rows = super::transcript::xlsx_rows(&student, &transcript);
    let book = crate::web::xlsx::workbook("成绩单", &rows)?;
    Ok(attachment(crate::web::xlsx::CONTENT_TYPE, &format!("transcript-{}.xlsx", student.student_no), book))
}
