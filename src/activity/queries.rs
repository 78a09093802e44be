//! The activity tables. Seat counts move only through the conditional statements here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Activity, ActivitySpec, Card, PUBLISHED, REGISTERED, Registration, Signup, WAITLISTED, WITHDRAWN};
use crate::db::DbConn;
use crate::db::schema::{activities, activity_registrations};
use crate::db::sealed::Sealed;
use crate::on_backend;

/// Which activities a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub category: Option<String>,
    pub q: String,
    pub past: bool,
}

pub fn list(conn: &mut DbConn, f: &Filter, now: NaiveDateTime, limit: i64, offset: i64) -> QueryResult<Vec<Card>> {
    let mut query = activities::table.filter(activities::status.eq(PUBLISHED)).select(Card::as_select()).into_boxed();
    query = if f.past {
        query.filter(activities::ends_at.lt(now)).order((activities::starts_at.desc(), activities::id.desc()))
    } else {
        query.filter(activities::ends_at.ge(now)).order((activities::starts_at.asc(), activities::id.asc()))
    };
    if let Some(c) = &f.category {
        query = query.filter(activities::category.eq(c.clone()));
    }
    if !f.q.is_empty() {
        let pattern = format!("%{}%", f.q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(
            activities::title
                .like(pattern.clone())
                .escape('\\')
                .or(activities::host.like(pattern.clone()).escape('\\'))
                .or(activities::place.like(pattern).escape('\\')),
        );
    }
    query.limit(limit).offset(offset).load(conn)
}

pub fn activity(conn: &mut DbConn, id: i64) -> QueryResult<Option<Activity>> {
    activities::table.find(id).select(Activity::as_select()).first(conn).optional()
}

/// Serializes seat accounting of one activity on PostgreSQL (registrations against
/// cancellations and promotions); SQLite's write transactions are serial already.
pub fn lock_activity(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    if let DbConn::Pg(c) = conn {
        activities::table.find(id).select(activities::id).for_update().first::<i64>(c)?;
    }
    Ok(())
}

/// Takes one seat if one is left: 1 row when it did.
pub fn take_seat(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(
        activities::table.filter(activities::id.eq(id)).filter(activities::registered.lt(activities::capacity)),
    )
    .set(activities::registered.eq(activities::registered + 1))
    .execute(conn)
}

pub fn free_seat(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(activities::table.filter(activities::id.eq(id)).filter(activities::registered.gt(0)))
        .set(activities::registered.eq(activities::registered - 1))
        .execute(conn)
}

/// A registration about to be written.
pub struct NewRegistration<'a> {
    pub activity_id: i64,
    pub user_id: i64,
    pub status: &'a str,
    pub signup: &'a Signup,
    /// The signup's phone, sealed.
    pub phone: &'a Sealed,
    /// The answers as JSON.
    pub answers: &'a str,
    pub code: &'a str,
}

pub fn insert_registration(conn: &mut DbConn, r: &NewRegistration, now: NaiveDateTime) -> QueryResult<i64> {
    let s = r.signup;
    on_backend!(conn, |c| diesel::insert_into(activity_registrations::table)
        .values((
            activity_registrations::activity_id.eq(r.activity_id),
            activity_registrations::user_id.eq(r.user_id),
            activity_registrations::status.eq(r.status),
            activity_registrations::name.eq(&s.name),
            activity_registrations::student_no.eq(&s.student_no),
            activity_registrations::phone.eq(r.phone),
            activity_registrations::answers.eq(r.answers),
            activity_registrations::code.eq(r.code),
            activity_registrations::created_at.eq(now),
            activity_registrations::updated_at.eq(now),
        ))
        .returning(activity_registrations::id)
        .get_result(c))
}

pub fn registration(conn: &mut DbConn, id: i64) -> QueryResult<Option<Registration>> {
    activity_registrations::table.find(id).select(Registration::as_select()).first(conn).optional()
}

/// The user's live registration for an activity.
pub fn live_registration(conn: &mut DbConn, activity_id: i64, user_id: i64) -> QueryResult<Option<Registration>> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::user_id.eq(user_id))
        .filter(activity_registrations::status.ne(WITHDRAWN))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

pub fn by_code(conn: &mut DbConn, activity_id: i64, code: &str) -> QueryResult<Option<Registration>> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::code.eq(code))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// Moves a registration from `from` to `to`; 0 rows when it was no longer `from`.
pub fn set_status(conn: &mut DbConn, id: i64, from: &str, to: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        activity_registrations::table
            .filter(activity_registrations::id.eq(id))
            .filter(activity_registrations::status.eq(from)),
    )
    .set((activity_registrations::status.eq(to), activity_registrations::updated_at.eq(now)))
    .execute(conn)
}

/// The first in line for a seat.
pub fn first_waiting(conn: &mut DbConn, activity_id: i64) -> QueryResult<Option<Registration>> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::status.eq(WAITLISTED))
        .order(activity_registrations::id.asc())
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// How many wait ahead of registration `id` (0 = next in line).
pub fn ahead_of(conn: &mut DbConn, activity_id: i64, id: i64) -> QueryResult<i64> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::status.eq(WAITLISTED))
        .filter(activity_registrations::id.lt(id))
        .count()
        .get_result(conn)
}

pub fn count_with_status(conn: &mut DbConn, activity_id: i64, status: &str) -> QueryResult<i64> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::status.eq(status))
        .count()
        .get_result(conn)
}

/// Live registrations of an activity: seats first, then the line, each in arrival order.
pub fn registrants(conn: &mut DbConn, activity_id: i64) -> QueryResult<Vec<Registration>> {
    let mut rows: Vec<Registration> = activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::status.eq_any([REGISTERED, WAITLISTED]))
        .order(activity_registrations::id.asc())
        .select(Registration::as_select())
        .load(conn)?;
    rows.sort_by_key(|r| (r.status != REGISTERED, r.id));
    Ok(rows)
}

pub fn registered_user_ids(conn: &mut DbConn, activity_id: i64) -> QueryResult<Vec<i64>> {
    activity_registrations::table
        .filter(activity_registrations::activity_id.eq(activity_id))
        .filter(activity_registrations::status.eq(REGISTERED))
        .select(activity_registrations::user_id)
        .load(conn)
}

/// Marks a seat checked in; 0 rows when it already was (or is not a seat).
pub fn check_in(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        activity_registrations::table
            .filter(activity_registrations::id.eq(id))
            .filter(activity_registrations::status.eq(REGISTERED))
            .filter(activity_registrations::checked_in_at.is_null()),
    )
    .set(activity_registrations::checked_in_at.eq(Some(now)))
    .execute(conn)
}

/// A user's live registrations with their activities, soonest first.
pub fn of_user(
    conn: &mut DbConn,
    user_id: i64,
    upcoming_after: Option<NaiveDateTime>,
) -> QueryResult<Vec<(Registration, Card)>> {
    let mut query = activity_registrations::table
        .inner_join(activities::table)
        .filter(activity_registrations::user_id.eq(user_id))
        .filter(activity_registrations::status.ne(WITHDRAWN))
        .select((Registration::as_select(), Card::as_select()))
        .into_boxed();
    if let Some(now) = upcoming_after {
        query = query.filter(activities::ends_at.ge(now)).filter(activities::status.eq(PUBLISHED));
    }
    query.order((activities::starts_at.asc(), activities::id.asc())).load(conn)
}

/// Every registration a user ever made (the data export).
pub fn all_of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(Registration, String)>> {
    activity_registrations::table
        .inner_join(activities::table)
        .filter(activity_registrations::user_id.eq(user_id))
        .order(activity_registrations::id)
        .select((Registration::as_select(), activities::title))
        .load(conn)
}

/// Forgets the personal fields of a deleted account's registrations.
pub fn anonymise_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(activity_registrations::table.filter(activity_registrations::user_id.eq(user_id)))
        .set((
            activity_registrations::name.eq("已注销用户"),
            activity_registrations::student_no.eq(""),
            activity_registrations::phone.eq(""),
            activity_registrations::answers.eq("[]"),
        ))
        .execute(conn)
}

pub fn insert_activity(
    conn: &mut DbConn,
    organizer_id: i64,
    spec: &ActivitySpec,
    questions: &str,
    poster: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    on_backend!(conn, |c| diesel::insert_into(activities::table)
        .values((
            activities::title.eq(&spec.title),
            activities::category.eq(spec.category.as_str()),
            activities::description.eq(&spec.description),
            activities::poster.eq(poster),
            activities::place.eq(&spec.place),
            activities::poi_id.eq(spec.poi_id),
            activities::organizer_id.eq(organizer_id),
            activities::host.eq(&spec.host),
            activities::starts_at.eq(spec.starts_at),
            activities::ends_at.eq(spec.ends_at),
            activities::deadline.eq(spec.deadline),
            activities::capacity.eq(spec.capacity),
            activities::questions.eq(questions),
            activities::status.eq(PUBLISHED),
            activities::created_at.eq(now),
            activities::updated_at.eq(now),
        ))
        .returning(activities::id)
        .get_result(c))
}

pub fn set_open_to_all(conn: &mut DbConn, id: i64, open: bool) -> QueryResult<usize> {
    diesel::update(activities::table.find(id)).set(activities::open_to_all.eq(open)).execute(conn)
}

/// Saves an edit; the capacity only when it still holds everyone seated (0 rows otherwise).
pub fn update_activity(
    conn: &mut DbConn,
    id: i64,
    spec: &ActivitySpec,
    questions: &str,
    poster: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(activities::table.filter(activities::id.eq(id)).filter(activities::registered.le(spec.capacity)))
        .set((
            activities::title.eq(&spec.title),
            activities::category.eq(spec.category.as_str()),
            activities::description.eq(&spec.description),
            activities::poster.eq(poster),
            activities::place.eq(&spec.place),
            activities::poi_id.eq(spec.poi_id),
            activities::host.eq(&spec.host),
            activities::starts_at.eq(spec.starts_at),
            activities::ends_at.eq(spec.ends_at),
            activities::deadline.eq(spec.deadline),
            activities::capacity.eq(spec.capacity),
            activities::questions.eq(questions),
            activities::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The start moved: the day-before reminder is due again.
pub fn reset_reminder(conn: &mut DbConn, id: i64) -> QueryResult<usize> {
    diesel::update(activities::table.find(id)).set(activities::reminded_at.eq(None::<NaiveDateTime>)).execute(conn)
}

/// Claims the right to send the day-before reminder; 1 row for exactly one runner.
pub fn claim_reminder(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        activities::table
            .filter(activities::id.eq(id))
            .filter(activities::status.eq(PUBLISHED))
            .filter(activities::reminded_at.is_null()),
    )
    .set(activities::reminded_at.eq(Some(now)))
    .execute(conn)
}

/// Activities an organizer manages (all of them for admins, `None`).
pub fn managed(conn: &mut DbConn, organizer: Option<i64>) -> QueryResult<Vec<Card>> {
    let mut query = activities::table.select(Card::as_select()).into_boxed();
    if let Some(id) = organizer {
        query = query.filter(activities::organizer_id.eq(id));
    }
    query.order((activities::starts_at.desc(), activities::id.desc())).limit(200).load(conn)
}
