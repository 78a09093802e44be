//! Free classrooms and their booking. A room is free in a slot (day, periods) when no class
//! meets there then (the imported timetable: weekday, periods and teaching week) and no approved
//! booking holds any of those periods. Approving writes one slot row per period under a primary
//! key, so the database itself refuses a second approval of an overlapping slot.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::models::{Booking, Room};
use super::queries::{self, APPROVED, NewBooking, PENDING, REJECTED};
use crate::academic::queries as academic;
use crate::academic::weeks::WeekSet;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

/// How far ahead a room can be asked for.
pub const DAYS_AHEAD: i64 = 30;
/// Requests one user may have waiting at once.
pub const MAX_PENDING: i64 = 5;

/// A day and a run of periods (第 from–to 节).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub day: NaiveDate,
    pub from: i32,
    pub to: i32,
}

impl Slot {
    /// Checks a slot asked for at `now`: a real date from today to [`DAYS_AHEAD`] days on,
    /// periods 1–12 in order, and (today) not begun yet.
    pub fn parse(conn: &mut DbConn, day: &str, from: i32, to: i32, now: NaiveDateTime) -> AppResult<Slot> {
        let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| AppError::invalid("日期格式应为 2026-12-05"))?;
        if !(1..=12).contains(&from) || !(1..=12).contains(&to) || from > to {
            return Err(AppError::invalid("节次应在第 1 到第 12 节之间，且开始不晚于结束"));
        }
        let today = crate::web::time::date(now);
        if day < today {
            return Err(AppError::invalid("不能预约已经过去的日期"));
        }
        if day > today + TimeDelta::days(DAYS_AHEAD) {
            return Err(AppError::invalid(format!("只能预约 {DAYS_AHEAD} 天以内的教室")));
        }
        if day == today {
            let periods = academic::periods(conn)?;
            let time = crate::web::time::local(now).time();
            if periods.iter().any(|p| p.number == from && p.starts_at <= time) {
                return Err(AppError::invalid("这一节已经开始了，请选择之后的节次"));
            }
        }
        Ok(Slot { day, from, to })
    }

    pub fn label(&self) -> String {
        let periods = if self.from == self.to {
            format!("第{}节", self.from)
        } else {
            format!("第{}–{}节", self.from, self.to)
        };
        format!("{} {}", self.day.format("%m月%d日"), periods)
    }
}

/// Rooms with a class meeting at `slot`: none on a holiday of the calendar, the followed day's
/// classes on a make-up day.
fn rooms_in_class(conn: &mut DbConn, slot: &Slot) -> AppResult<HashSet<i64>> {
    let Some(cal) = crate::academic::service::school_days(conn, slot.day)? else { return Ok(HashSet::new()) };
    let Some((week, weekday)) = cal.classes_of(slot.day) else { return Ok(HashSet::new()) };
    Ok(queries::classes_at(conn, cal.semester.id, weekday, slot.from, slot.to)?
        .into_iter()
        .filter(|(_, mask)| WeekSet::from_mask(*mask).contains(week))
        .map(|(room, _)| room)
        .collect())
}

/// The rooms of `building` (all when `None`) free at `slot`.
pub fn free_rooms(conn: &mut DbConn, building: Option<&str>, slot: &Slot) -> AppResult<Vec<Room>> {
    let mut busy = rooms_in_class(conn, slot)?;
    busy.extend(queries::booked_at(conn, slot.day, slot.from, slot.to)?);
    Ok(queries::rooms(conn, building)?.into_iter().filter(|r| !busy.contains(&r.id)).collect())
}

/// Refuses `slot` of `room` when a class or an approved booking has it.
fn check_free(conn: &mut DbConn, room: i64, slot: &Slot) -> AppResult<()> {
    if rooms_in_class(conn, slot)?.contains(&room) {
        return Err(AppError::conflict("这个时段该教室有课，请换个时间或教室"));
    }
    if queries::booked_at(conn, slot.day, slot.from, slot.to)?.contains(&room) {
        return Err(AppError::conflict("这个时段已被预约，请换个时间或教室"));
    }
    Ok(())
}

pub struct Request {
    pub room: i64,
    pub slot: Slot,
    pub purpose: String,
    pub attendees: i32,
}

/// Files `user`'s request; it waits for an admin.
pub fn request(conn: &mut DbConn, user: i64, r: &Request, now: NaiveDateTime) -> AppResult<i64> {
    let purpose = r.purpose.trim();
    let len = purpose.chars().count();
    if !(2..=100).contains(&len) {
        return Err(AppError::invalid("请填写用途（2 到 100 个字）"));
    }
    let room = queries::room(conn, r.room)?.ok_or(AppError::NotFound)?;
    if r.attendees < 1 || r.attendees > room.capacity {
        return Err(AppError::invalid(format!("人数应在 1 到 {} 之间（{} 的座位数）", room.capacity, room.code)));
    }
    write_tx(conn, |c| {
        check_free(c, room.id, &r.slot)?;
        if queries::has_overlapping_request(c, user, room.id, r.slot.day, r.slot.from, r.slot.to)? {
            return Err(AppError::conflict("你已经申请过这个教室的这个时段"));
        }
        if queries::pending_count(c, user)? >= MAX_PENDING {
            return Err(AppError::conflict(format!("你已有 {MAX_PENDING} 个待审批的申请，请等处理后再申请")));
        }
        let booking = NewBooking {
            room: room.id,
            user,
            day: r.slot.day,
            from: r.slot.from,
            to: r.slot.to,
            purpose,
            attendees: r.attendees,
        };
        queries::insert(c, &booking, now)
    })
}

fn slot_of(b: &Booking) -> Slot {
    Slot { day: b.on_date, from: b.period_start, to: b.period_end }
}

/// Why a decision could not be taken on `id`: it does not exist, or it was decided already.
fn undecidable(conn: &mut DbConn, id: i64) -> AppError {
    match queries::booking(conn, id) {
        Ok(Some(_)) => AppError::conflict("这个申请已经处理过了"),
        Ok(None) => AppError::NotFound,
        Err(e) => e,
    }
}

/// Approves request `id`: the room must still be free; the slot rows make a concurrent
/// approval of an overlapping request fail here, and this one then changes nothing.
pub fn approve(conn: &mut DbConn, admin: i64, id: i64, now: NaiveDateTime) -> AppResult<Booking> {
    let booking = write_tx(conn, |c| {
        if !queries::decide(c, id, PENDING, APPROVED, admin, None, now)? {
            return Err(undecidable(c, id));
        }
        let b = queries::booking(c, id)?.ok_or(AppError::NotFound)?;
        let slot = slot_of(&b);
        if rooms_in_class(c, &slot)?.contains(&b.classroom_id) {
            return Err(AppError::conflict("这个时段该教室有课，不能批准"));
        }
        for period in slot.from..=slot.to {
            match queries::hold_slot(c, b.classroom_id, slot.day, period, b.id) {
                Ok(_) => {}
                Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                    return Err(AppError::conflict("这个时段已批准给另一个申请，不能重复批准"));
                }
                Err(e) => return Err(e.into()),
            }
        }
        let body = format!("你申请的教室已批准：{}，用途：{}。", slot.label(), b.purpose);
        notify::send(c, b.user_id, MessageKind::Academic, "教室预约已批准", &body, Some("/academic/bookings"))?;
        Ok(b)
    })?;
    Ok(booking)
}

/// Rejects request `id` with `reason`, which the requester is told.
pub fn reject(conn: &mut DbConn, admin: i64, id: i64, reason: &str, now: NaiveDateTime) -> AppResult<Booking> {
    let reason = reason.trim();
    if !(2..=200).contains(&reason.chars().count()) {
        return Err(AppError::invalid("请填写驳回理由（2 到 200 个字）"));
    }
    write_tx(conn, |c| {
        if !queries::decide(c, id, PENDING, REJECTED, admin, Some(reason), now)? {
            return Err(undecidable(c, id));
        }
        let b = queries::booking(c, id)?.ok_or(AppError::NotFound)?;
        let body = format!("你申请的教室（{}）未获批准：{reason}", slot_of(&b).label());
        notify::send(c, b.user_id, MessageKind::Academic, "教室预约未获批准", &body, Some("/academic/bookings"))?;
        Ok(b)
    })
}

/// Cancels `user`'s own booking `id` (waiting or approved, not past) and frees its slots.
/// Someone else's booking is not found.
pub fn cancel(conn: &mut DbConn, user: i64, id: i64, now: NaiveDateTime) -> AppResult<()> {
    let today = crate::web::time::date(now);
    write_tx(conn, |c| {
        if queries::cancel(c, id, user, today, now)? {
            queries::release_slots(c, id)?;
            return Ok(());
        }
        match queries::booking(c, id)? {
            Some(b) if b.user_id == user => Err(AppError::conflict("这个申请已经无法取消")),
            _ => Err(AppError::NotFound),
        }
    })
}

/// `user`'s bookings, the latest day first (at most 50).
pub fn bookings_of(conn: &mut DbConn, user: i64) -> AppResult<Vec<super::models::BookingLine>> {
    queries::of_user(conn, user)
}
