//! Diesel queries of classroom booking.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::{Booking, BookingLine, Room};
use crate::db::DbConn;
use crate::db::refdata::{self, Kind};
use crate::db::schema::{classroom_booking_slots, classroom_bookings, classrooms, course_schedules, users};
use crate::error::AppResult;

pub const PENDING: &str = "pending";
pub const APPROVED: &str = "approved";
pub const REJECTED: &str = "rejected";
pub const CANCELLED: &str = "cancelled";

pub fn buildings(conn: &mut DbConn) -> AppResult<Vec<String>> {
    let all = refdata::cached(conn, Kind::Classrooms, "buildings", |c| {
        classrooms::table.select(classrooms::building).distinct().order(classrooms::building).load::<String>(c)
    })?;
    Ok(all.as_ref().clone())
}

/// Every room by code, kept in process (`db::refdata`).
fn all_rooms(conn: &mut DbConn) -> AppResult<std::sync::Arc<Vec<Room>>> {
    Ok(refdata::cached(conn, Kind::Classrooms, "rooms", |c| {
        classrooms::table.select(Room::as_select()).order(classrooms::code).load(c)
    })?)
}

/// The rooms of `building` (every room when `None`), by code.
pub fn rooms(conn: &mut DbConn, building: Option<&str>) -> AppResult<Vec<Room>> {
    Ok(all_rooms(conn)?.iter().filter(|r| building.is_none_or(|b| r.building == b)).cloned().collect())
}

pub fn room(conn: &mut DbConn, id: i64) -> AppResult<Option<Room>> {
    Ok(all_rooms(conn)?.iter().find(|r| r.id == id).cloned())
}

/// Rooms with a class on weekday `day` (1 = Monday) of `semester` between periods `from` and
/// `to`, with the class's week mask (the caller keeps those meeting in the week it asks about).
pub fn classes_at(conn: &mut DbConn, semester: i64, day: i32, from: i32, to: i32) -> AppResult<Vec<(i64, i64)>> {
    let rows: Vec<(Option<i64>, i64)> = course_schedules::table
        .filter(course_schedules::semester_id.eq(semester))
        .filter(course_schedules::day_of_week.eq(day))
        .filter(course_schedules::period_start.le(to))
        .filter(course_schedules::period_end.ge(from))
        .filter(course_schedules::classroom_id.is_not_null())
        .select((course_schedules::classroom_id, course_schedules::week_mask))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(room, mask)| room.map(|r| (r, mask))).collect())
}

/// Rooms held by an approved booking on `day` at any period from `from` to `to`.
pub fn booked_at(conn: &mut DbConn, day: NaiveDate, from: i32, to: i32) -> AppResult<Vec<i64>> {
    Ok(classroom_booking_slots::table
        .filter(classroom_booking_slots::on_date.eq(day))
        .filter(classroom_booking_slots::period.between(from, to))
        .select(classroom_booking_slots::classroom_id)
        .distinct()
        .load(conn)?)
}

pub fn booking(conn: &mut DbConn, id: i64) -> AppResult<Option<Booking>> {
    Ok(classroom_bookings::table.find(id).select(Booking::as_select()).first(conn).optional()?)
}

/// How many requests of `user` wait for a decision.
pub fn pending_count(conn: &mut DbConn, user: i64) -> AppResult<i64> {
    Ok(classroom_bookings::table
        .filter(classroom_bookings::user_id.eq(user))
        .filter(classroom_bookings::status.eq(PENDING))
        .count()
        .get_result(conn)?)
}

/// Whether `user` already has a live request for `room` on `day` overlapping `from`–`to`.
pub fn has_overlapping_request(
    conn: &mut DbConn,
    user: i64,
    room: i64,
    day: NaiveDate,
    from: i32,
    to: i32,
) -> AppResult<bool> {
    let n: i64 = classroom_bookings::table
        .filter(classroom_bookings::user_id.eq(user))
        .filter(classroom_bookings::classroom_id.eq(room))
        .filter(classroom_bookings::on_date.eq(day))
        .filter(classroom_bookings::status.eq_any([PENDING, APPROVED]))
        .filter(classroom_bookings::period_start.le(to))
        .filter(classroom_bookings::period_end.ge(from))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub struct NewBooking<'a> {
    pub room: i64,
    pub user: i64,
    pub day: NaiveDate,
    pub from: i32,
    pub to: i32,
    pub purpose: &'a str,
    pub attendees: i32,
}

pub fn insert(conn: &mut DbConn, b: &NewBooking<'_>, now: NaiveDateTime) -> AppResult<i64> {
    Ok(crate::on_backend!(conn, |c| diesel::insert_into(classroom_bookings::table)
        .values((
            classroom_bookings::classroom_id.eq(b.room),
            classroom_bookings::user_id.eq(b.user),
            classroom_bookings::on_date.eq(b.day),
            classroom_bookings::period_start.eq(b.from),
            classroom_bookings::period_end.eq(b.to),
            classroom_bookings::purpose.eq(b.purpose),
            classroom_bookings::attendees.eq(b.attendees),
            classroom_bookings::status.eq(PENDING),
            classroom_bookings::created_at.eq(now),
            classroom_bookings::updated_at.eq(now),
        ))
        .returning(classroom_bookings::id)
        .get_result(c))?)
}

/// Moves booking `id` from `from_status` to `to_status` (with the deciding admin and reason);
/// false when it was not in `from_status` any more. The one conditional UPDATE that makes a
/// decision happen once.
pub fn decide(
    conn: &mut DbConn,
    id: i64,
    from_status: &str,
    to_status: &str,
    admin: i64,
    reason: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let n = diesel::update(
        classroom_bookings::table
            .filter(classroom_bookings::id.eq(id))
            .filter(classroom_bookings::status.eq(from_status)),
    )
    .set((
        classroom_bookings::status.eq(to_status),
        classroom_bookings::decided_by.eq(admin),
        classroom_bookings::decided_at.eq(now),
        classroom_bookings::reason.eq(reason),
        classroom_bookings::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Cancels `user`'s live booking `id` if it is not in the past; false otherwise.
pub fn cancel(conn: &mut DbConn, id: i64, user: i64, today: NaiveDate, now: NaiveDateTime) -> AppResult<bool> {
    let n = diesel::update(
        classroom_bookings::table
            .filter(classroom_bookings::id.eq(id))
            .filter(classroom_bookings::user_id.eq(user))
            .filter(classroom_bookings::status.eq_any([PENDING, APPROVED]))
            .filter(classroom_bookings::on_date.ge(today)),
    )
    .set((classroom_bookings::status.eq(CANCELLED), classroom_bookings::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Holds period `period` of `room` on `day` for booking `id`; a second holder is refused by the
/// primary key.
pub fn hold_slot(conn: &mut DbConn, room: i64, day: NaiveDate, period: i32, id: i64) -> QueryResult<usize> {
    diesel::insert_into(classroom_booking_slots::table)
        .values((
            classroom_booking_slots::classroom_id.eq(room),
            classroom_booking_slots::on_date.eq(day),
            classroom_booking_slots::period.eq(period),
            classroom_booking_slots::booking_id.eq(id),
        ))
        .execute(conn)
}

pub fn release_slots(conn: &mut DbConn, id: i64) -> AppResult<usize> {
    Ok(diesel::delete(classroom_booking_slots::table.filter(classroom_booking_slots::booking_id.eq(id)))
        .execute(conn)?)
}

/// Bookings with their room and the requester's name.
macro_rules! lines {
    () => {
        classroom_bookings::table
            .inner_join(classrooms::table)
            .inner_join(users::table.on(users::id.eq(classroom_bookings::user_id)))
            .select(BookingLine::as_select())
    };
}

/// `user`'s bookings, latest day first.
pub fn of_user(conn: &mut DbConn, user: i64) -> AppResult<Vec<BookingLine>> {
    Ok(lines!()
        .filter(classroom_bookings::user_id.eq(user))
        .order((classroom_bookings::on_date.desc(), classroom_bookings::id.desc()))
        .limit(50)
        .load(conn)?)
}

/// Requests waiting for a decision, soonest day first.
pub fn pending(conn: &mut DbConn) -> AppResult<Vec<BookingLine>> {
    Ok(lines!()
        .filter(classroom_bookings::status.eq(PENDING))
        .order((classroom_bookings::on_date.asc(), classroom_bookings::period_start.asc(), classroom_bookings::id))
        .limit(200)
        .load(conn)?)
}

/// The latest decisions.
pub fn decided(conn: &mut DbConn) -> AppResult<Vec<BookingLine>> {
    Ok(lines!()
        .filter(classroom_bookings::status.ne(PENDING))
        .order((classroom_bookings::updated_at.desc(), classroom_bookings::id.desc()))
        .limit(50)
        .load(conn)?)
}
