//! The student's side of activities: browsing, registering, cancelling, the ticket, and the
//! day-before reminder. Seat rules live in SQL (see `queries::take_seat`), the line's order in
//! the registrations' ids.

use chrono::TimeDelta;

use super::models::{Activity, Card, PUBLISHED, REGISTERED, Registration, Signup, WAITLISTED, WITHDRAWN};
use super::queries::{self, Filter};
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

pub use super::queries::Filter as ListFilter;

pub const PAGE_SIZE: i64 = 10;
/// The reminder job's kind.
pub const JOB_REMIND: &str = "activity.remind";

pub fn list(conn: &mut DbConn, filter: &Filter, page: i64) -> AppResult<Vec<Card>> {
    Ok(queries::list(conn, filter, db::now(), PAGE_SIZE, (page - 1) * PAGE_SIZE)?)
}

/// An activity page: the activity, the viewer's registration and place in line.
pub struct Detail {
    pub activity: Activity,
    pub mine: Option<Registration>,
    /// 1 = next in line, when the viewer waits.
    pub position: Option<i64>,
    pub waiting: i64,
}

pub fn detail(conn: &mut DbConn, id: i64, viewer: Option<i64>) -> AppResult<Detail> {
    let activity = queries::activity(conn, id)?.ok_or(AppError::NotFound)?;
    let mine = match viewer {
        Some(uid) => queries::live_registration(conn, id, uid)?,
        None => None,
    };
    let position = match &mine {
        Some(r) if r.status == WAITLISTED => Some(queries::ahead_of(conn, id, r.id)? + 1),
        _ => None,
    };
    let waiting = queries::count_with_status(conn, id, WAITLISTED)?;
    Ok(Detail { activity, mine, position, waiting })
}

/// What a registration came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Registered,
    /// On the waitlist at this place (1 = next).
    Waitlisted(i64),
}

/// The raw registration form.
pub struct SignupForm {
    pub name: String,
    pub student_no: String,
    pub phone: String,
    pub answers: Vec<String>,
}

/// Registering is for people who passed 学籍认证, unless an admin opened the activity to everyone.
pub fn ensure_may_register(conn: &mut DbConn, a: &Activity, user_id: i64) -> AppResult<()> {
    if a.open_to_all {
        return Ok(());
    }
    crate::auth::service::ensure_verified(conn, user_id, "报名校园活动")
}

/// An admin opens an activity to everyone (or closes it to verified people again); audit-logged.
pub fn set_open_to_all(conn: &mut DbConn, admin: i64, id: i64, open: bool, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if queries::set_open_to_all(conn, id, open)? != 1 {
            return Err(AppError::NotFound);
        }
        let detail = serde_json::json!({ "open_to_all": open }).to_string();
        crate::audit::record(
            conn,
            Some(admin),
            "activity.open_to_all",
            "activity",
            Some(&id.to_string()),
            &detail,
            Some(ip),
        )
    })
}

fn ensure_open(a: &Activity) -> AppResult<()> {
    if a.status != PUBLISHED {
        return Err(AppError::conflict("活动已取消，不能报名"));
    }
    if db::now() >= a.deadline {
        return Err(AppError::conflict("报名已截止"));
    }
    Ok(())
}

/// Registers a student: a seat while any is left, else a place on the waitlist. One live
/// registration per person (a unique index; a second attempt is a 409, never a second row).
pub fn register(
    conn: &mut DbConn,
    keys: &Keyring,
    activity_id: i64,
    user_id: i64,
    form: &SignupForm,
) -> AppResult<Outcome> {
    let activity = queries::activity(conn, activity_id)?.ok_or(AppError::NotFound)?;
    ensure_may_register(conn, &activity, user_id)?;
    ensure_open(&activity)?;
    let signup = Signup::parse(&form.name, &form.student_no, &form.phone, &form.answers, &activity.questions())
        .map_err(AppError::Invalid)?;
    if queries::live_registration(conn, activity_id, user_id)?.is_some() {
        return Err(AppError::conflict("你已经报过名了，无需重复报名"));
    }
    let answers = serde_json::to_string(&signup.answers).map_err(AppError::internal)?;
    let phone = keys.seal(col::REGISTRATION_PHONE, &signup.phone);
    write_tx(conn, |conn| {
        // Everyone registering for this activity queues here on PostgreSQL, so the waitlist is
        // in arrival order and a cancellation never misses a registration half-way through.
        queries::lock_activity(conn, activity_id)?;
        let seated = queries::take_seat(conn, activity_id)? == 1;
        let status = if seated { REGISTERED } else { WAITLISTED };
        let now = db::now();
        let code = new_code();
        let row = queries::NewRegistration {
            activity_id,
            user_id,
            status,
            signup: &signup,
            phone: &phone,
            answers: &answers,
            code: &code,
        };
        let id = queries::insert_registration(conn, &row, now).map_err(|e| match AppError::from(e) {
            AppError::Duplicate(_) => AppError::conflict("你已经报过名了，无需重复报名"),
            other => other,
        })?;
        let link = format!("/activities/{activity_id}");
        let outcome = if seated {
            notify::send(
                conn,
                user_id,
                MessageKind::Activity,
                &format!("报名成功：{}", activity.title),
                &format!("{} 在{}，签到时出示报名凭证上的二维码。", when(&activity), activity.place),
                Some(&link),
            )?;
            Outcome::Registered
        } else {
            let position = queries::ahead_of(conn, activity_id, id)? + 1;
            notify::send(
                conn,
                user_id,
                MessageKind::Activity,
                &format!("已加入候补：{}", activity.title),
                &format!("名额已满，你是候补第 {position} 位。有人取消时会按顺序自动递补并通知你。"),
                Some(&link),
            )?;
            Outcome::Waitlisted(position)
        };
        Ok(outcome)
    })
}

/// Withdraws the student's registration before the start; a freed seat goes to the first in line.
pub fn cancel(conn: &mut DbConn, activity_id: i64, user_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        queries::lock_activity(conn, activity_id)?;
        let activity = queries::activity(conn, activity_id)?.ok_or(AppError::NotFound)?;
        let reg = queries::live_registration(conn, activity_id, user_id)?.ok_or(AppError::NotFound)?;
        if reg.checked_in_at.is_some() {
            return Err(AppError::conflict("你已签到，不能取消报名"));
        }
        if db::now() >= activity.starts_at {
            return Err(AppError::conflict("活动已开始，不能取消报名"));
        }
        if queries::set_status(conn, reg.id, &reg.status, WITHDRAWN, db::now())? != 1 {
            return Err(AppError::conflict("报名状态已变化，请刷新页面"));
        }
        if reg.status == REGISTERED {
            pass_seat_on(conn, &activity)?;
        }
        Ok(())
    })
}

/// A seat came free: the first in line takes it (and is told), or it goes back to the pool.
/// Runs under the activity's lock.
pub(super) fn pass_seat_on(conn: &mut DbConn, activity: &Activity) -> AppResult<()> {
    match queries::first_waiting(conn, activity.id)? {
        Some(next) if promote(conn, activity, &next)? => Ok(()),
        _ => {
            queries::free_seat(conn, activity.id)?;
            Ok(())
        }
    }
}

/// Gives `next` (waitlisted) the seat already counted for them, and tells them.
pub(super) fn promote(conn: &mut DbConn, activity: &Activity, next: &Registration) -> AppResult<bool> {
    if queries::set_status(conn, next.id, WAITLISTED, REGISTERED, db::now())? != 1 {
        return Ok(false);
    }
    let link = format!("/activities/{}", activity.id);
    notify::send(
        conn,
        next.user_id,
        MessageKind::Activity,
        &format!("候补成功：{}", activity.title),
        &format!("有名额空出，你已从候补转为正式报名。{} 在{}，记得准时参加。", when(activity), activity.place),
        Some(&link),
    )?;
    notify::wechat::queue(
        conn,
        next.user_id,
        "activity",
        &format!("pages/index/index?path={}", crate::web::url_encode(&link)),
        &wx_fields(activity, "候补成功，已为你保留名额"),
    )?;
    Ok(true)
}

/// The keywords of the activity subscribe message: `thing1 time2 thing3 thing4`.
pub(super) fn wx_fields(a: &Activity, note: &str) -> Vec<(&'static str, String)> {
    vec![
        ("thing1", a.title.chars().take(20).collect()),
        ("time2", crate::web::time::minute(a.starts_at)),
        ("thing3", a.place.chars().take(20).collect()),
        ("thing4", note.chars().take(20).collect()),
    ]
}

/// `12月5日 14:00`: an activity's start in Shanghai time.
pub(super) fn when(a: &Activity) -> String {
    crate::web::time::local(a.starts_at).format("%-m月%-d日 %H:%M").to_string()
}

/// A check-in code: 8 characters nobody misreads (no 0/O, 1/I).
pub(crate) fn new_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..8).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// The student's own live registration (the ticket with its QR code).
pub fn ticket(conn: &mut DbConn, activity_id: i64, user_id: i64) -> AppResult<(Activity, Registration)> {
    let reg = queries::live_registration(conn, activity_id, user_id)?.ok_or(AppError::NotFound)?;
    let activity = queries::activity(conn, activity_id)?.ok_or(AppError::NotFound)?;
    Ok((activity, reg))
}

/// The student's live registrations, soonest first; only those not yet over with `upcoming`.
pub fn mine(conn: &mut DbConn, user_id: i64, upcoming: bool) -> AppResult<Vec<(Registration, Card)>> {
    Ok(queries::of_user(conn, user_id, upcoming.then(db::now))?)
}

/// Everything a user registered for, as plain data (the privacy export).
pub fn export(conn: &mut DbConn, keys: &Keyring, user_id: i64) -> AppResult<serde_json::Value> {
    let rows = queries::all_of_user(conn, user_id)?;
    Ok(serde_json::Value::Array(
        rows.into_iter()
            .map(|(r, title)| {
                serde_json::json!({
                    "activity": title,
                    "status": r.status_label(),
                    "name": r.name,
                    "student_no": r.student_no,
                    "phone": keys.show(col::REGISTRATION_PHONE, &r.phone),
                    "answers": r.answers(),
                    "checked_in_at": r.checked_in_at,
                    "registered_at": r.created_at,
                })
            })
            .collect(),
    ))
}

/// A deleted account's registrations keep their place in the numbers but lose the person.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    for (reg, card) in queries::of_user(conn, user_id, Some(db::now()))? {
        if card.starts_at > db::now() && reg.checked_in_at.is_none() {
            cancel(conn, reg.activity_id, user_id)?;
        }
    }
    queries::anonymise_user(conn, user_id)?;
    Ok(())
}

/// Queues the day-before reminder of an activity starting at `starts_at`.
pub(crate) fn schedule_reminder(
    conn: &mut DbConn,
    activity_id: i64,
    starts_at: chrono::NaiveDateTime,
) -> AppResult<()> {
    let run_at = (starts_at - TimeDelta::days(1)).max(db::now());
    crate::jobs::enqueue(
        conn,
        JOB_REMIND,
        &serde_json::json!({ "activity_id": activity_id, "starts_at": starts_at.and_utc().timestamp() }),
        run_at,
    )
}

/// Job: tells everyone with a seat that the activity is tomorrow. A reminder scheduled for a
/// start that has since moved does nothing (the edit queued a new one); `reminded_at` makes
/// sure one is sent once however many runners see the job.
pub fn run_reminder(conn: &mut DbConn, payload: &serde_json::Value) -> Result<(), String> {
    let id = payload["activity_id"].as_i64().ok_or("payload lacks activity_id")?;
    let planned = payload["starts_at"].as_i64().ok_or("payload lacks starts_at")?;
    let result: AppResult<()> = write_tx(conn, |conn| {
        let Some(activity) = queries::activity(conn, id)? else { return Ok(()) };
        if activity.starts_at.and_utc().timestamp() != planned || activity.starts_at <= db::now() {
            return Ok(());
        }
        if queries::claim_reminder(conn, id, db::now())? != 1 {
            return Ok(());
        }
        let link = format!("/activities/{id}");
        for user in queries::registered_user_ids(conn, id)? {
            notify::send(
                conn,
                user,
                MessageKind::Activity,
                &format!("活动提醒：{}", activity.title),
                &format!(
                    "你报名的活动将于 {} 在{}开始，签到时出示报名凭证上的二维码。",
                    when(&activity),
                    activity.place
                ),
                Some(&link),
            )?;
            notify::wechat::queue(
                conn,
                user,
                "activity",
                &format!("pages/index/index?path={}", crate::web::url_encode(&link)),
                &wx_fields(&activity, "活动明天开始，记得准时参加"),
            )?;
        }
        Ok(())
    });
    result.map_err(|e| format!("{e:?}"))
}
