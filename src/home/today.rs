//! The today card (`<section id="today">` on `/`): a signed-in student's day at a glance — the
//! class on now or next (course, time, room linked to its building on the campus map, teacher),
//! the rest of today's classes and her own entries, the next exam within 14 days with its
//! countdown, seat and clashes, today's activities she registered for, and what is waiting on
//! her (a classroom booking for today or still undecided, a parcel ready to collect). A
//! teacher sees his own teaching day. [`today_card`] is the one place that gathers it.
//!
//! Cost: the calendar, periods, semester, class timetables and map points are reference data
//! kept in process; the personal part (student, entries, exams, bookings, pickup orders) comes
//! with the home page's one personal statement (`home::personal`); the sign-ups are the
//! page's own.

use chrono::NaiveDateTime;

use super::personal::Mine;
use crate::academic::days::SchoolDays;
use crate::academic::today::{AcademicDay, DaySlot, academic_day};
use crate::activity::models::{Card, Registration};
use crate::db::DbConn;
use crate::error::AppResult;

/// Something waiting on the student, with where to act on it.
pub struct Todo {
    pub text: String,
    pub href: String,
}

pub struct TodayCard {
    pub day: AcademicDay,
    /// Campus wall-clock time of the request.
    pub now: chrono::NaiveTime,
    /// Map point ids of the buildings today's rooms are in, by building name.
    pub map_points: Vec<(String, i64)>,
    pub activities: Vec<(Registration, Card)>,
    pub todos: Vec<Todo>,
}

impl TodayCard {
    pub fn now_or_next(&self) -> Option<(&DaySlot, bool)> {
        self.day.now_or_next(self.now)
    }

    pub fn later(&self) -> Vec<&DaySlot> {
        self.day.later(self.now)
    }

    /// `/campus/map?poi=ID` when the slot's building is a point of the map.
    pub fn map_link(&self, slot: &DaySlot) -> Option<String> {
        let building = slot.building.as_deref()?;
        self.map_points.iter().find(|(n, _)| n == building).map(|(_, id)| format!("/campus/map?poi={id}"))
    }

    /// Today's classes are over (or there were none).
    pub fn done_for_today(&self) -> bool {
        self.now_or_next().is_none()
    }
}

/// The card of user `user_id` at `now` from what the home page read of her (`mine`) and the
/// semester running today (`cal`); `None` for a user with no linked student or teacher record
/// (the home page then shows no card).
pub fn today_card(
    conn: &mut DbConn,
    user_id: i64,
    cal: Option<SchoolDays>,
    mine: &mut Mine,
    registrations: &[(Registration, Card)],
    now: NaiveDateTime,
) -> AppResult<Option<TodayCard>> {
    let academic = std::mem::take(&mut mine.academic);
    let Some(day) = academic_day(conn, user_id, cal, academic, now)? else { return Ok(None) };
    let local = crate::web::time::local(now);
    let mut buildings: Vec<String> = day
        .slots
        .iter()
        .chain(day.next_day.iter().flat_map(|(_, s)| s.iter()))
        .filter_map(|s| s.building.clone())
        .collect();
    buildings.sort();
    buildings.dedup();
    let map_points = crate::campus::map::service::points_named(conn, &buildings)?;
    let activities: Vec<(Registration, Card)> =
        registrations.iter().filter(|(_, c)| crate::web::time::date(c.starts_at) == day.date).cloned().collect();
    let mut todos = Vec::new();
    if !day.teacher {
        for b in &mine.bookings {
            let when =
                format!("{} 第{}-{}节", crate::academic::service::short_date(&b.on_date), b.period_start, b.period_end);
            let text = if b.status == "approved" {
                format!("今天用教室 {} {}（{}），已批准，记得按时使用", b.room, when, b.purpose)
            } else {
                format!("教室 {} {} 的预约还在等审批", b.room, when)
            };
            todos.push(Todo { text, href: "/academic/bookings".into() });
        }
        for o in &mine.pickups {
            let code = o.pickup_code.clone().unwrap_or_default();
            todos.push(Todo {
                text: format!("{} 的订单已到自提点，取件码 {code}", o.shop_name),
                href: format!("/mall/orders/{}", o.order_no),
            });
        }
    }
    Ok(Some(TodayCard { day, now: local.time(), map_points, activities, todos }))
}

/// The academic day of user `user_id` at `now` as the home page reads it (the semester of
/// `now`'s date, her part in one statement).
pub fn academic_day_at(conn: &mut DbConn, user_id: i64, now: NaiveDateTime) -> AppResult<Option<AcademicDay>> {
    let cal = crate::academic::service::school_days(conn, crate::academic::service::today(now))?;
    let mine = super::personal::load(conn, user_id, cal.as_ref().map(|c| c.semester.id), now)?;
    academic_day(conn, user_id, cal, mine.academic, now)
}
