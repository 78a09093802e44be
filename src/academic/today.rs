//! A student's (or a teacher's) academic day for the home page's today card: what meets today
//! by the 校历 (none on a holiday, the followed day's timetable on a make-up day), her own
//! entries among the classes, the next class day when today has none, and the next exam with
//! its clashes. The home page composes it with activities, bookings and orders
//! (`home::today`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

use super::days::{ClassDay, SchoolDays};
use super::entries::OwnEntry;
use super::models::{ExamRow, Meeting, Period, Student};
use super::service::{self, DAY_LABELS, ExamLine};
use super::weeks::WeekSet;
use super::{queries, teaching};
use crate::db::DbConn;
use crate::error::AppResult;

/// One class or own entry of a day, in campus wall-clock time.
#[derive(Debug, Clone)]
pub struct DaySlot {
    pub title: String,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// `第1-2节` for a class, empty for an entry by clock time.
    pub periods: String,
    pub room: Option<String>,
    pub building: Option<String>,
    pub teacher: Option<String>,
    /// The classes taught (a teacher's day).
    pub classes: Option<String>,
    /// The student's own entry.
    pub own: bool,
}

impl DaySlot {
    pub fn time_text(&self) -> String {
        format!("{}–{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

/// An exam soon, with what it clashes with.
pub struct ExamSoon {
    pub exam: ExamLine,
    pub flags: Vec<String>,
}

/// The academic part of the today card.
pub struct AcademicDay {
    pub date: NaiveDate,
    /// `12月4日 周五 · 第13周`.
    pub heading: String,
    /// A holiday's name or a make-up day's note.
    pub note: Option<String>,
    pub teacher: bool,
    pub slots: Vec<DaySlot>,
    /// When today has nothing more: the next date with classes, and its classes.
    pub next_day: Option<(NaiveDate, Vec<DaySlot>)>,
    pub exam: Option<ExamSoon>,
    /// How many exams within the window clash with something.
    pub clashes: usize,
}

impl AcademicDay {
    /// The slot on now or next, and whether it is on now.
    pub fn now_or_next(&self, now: NaiveTime) -> Option<(&DaySlot, bool)> {
        self.slots.iter().find(|s| s.end > now).map(|s| (s, s.start <= now))
    }

    /// Today's slots after the one on now or next.
    pub fn later(&self, now: NaiveTime) -> Vec<&DaySlot> {
        let mut after = self.slots.iter().filter(|s| s.end > now);
        after.next();
        after.collect()
    }

    pub fn next_day_label(&self) -> Option<String> {
        self.next_day.as_ref().map(|(d, _)| day_label(*d))
    }
}

/// `12月7日 周一`.
pub fn day_label(d: NaiveDate) -> String {
    let i = chrono::Datelike::weekday(&d).num_days_from_monday() as usize;
    format!("{} {}", service::short_date(&d), DAY_LABELS[i.min(6)])
}

/// How many days ahead an exam shows on the card.
pub const EXAM_WINDOW_DAYS: i64 = 14;

/// The slots of `date`: the meetings and entries of the weekday and week the calendar says.
pub fn slots_on(
    cal: &SchoolDays,
    periods: &[Period],
    meetings: &[Meeting],
    entries: &[OwnEntry],
    date: NaiveDate,
) -> Vec<DaySlot> {
    let Some((week, day)) = cal.classes_of(date) else { return Vec::new() };
    let clock = |s: i32, e: i32| {
        Some((periods.iter().find(|p| p.number == s)?.starts_at, periods.iter().find(|p| p.number == e)?.ends_at))
    };
    let mut slots: Vec<DaySlot> = meetings
        .iter()
        .filter(|m| m.day == day && WeekSet::from_mask(m.week_mask).contains(week))
        .filter_map(|m| {
            let (start, end) = clock(m.start, m.end)?;
            Some(DaySlot {
                title: m.course_name.clone(),
                start,
                end,
                periods: format!("第{}-{}节", m.start, m.end),
                room: m.room.clone(),
                building: m.building.clone(),
                teacher: m.teacher.clone(),
                classes: Some(m.class_names.replace(',', "、")),
                own: false,
            })
        })
        .collect();
    for e in entries.iter().filter(|e| e.day == day && WeekSet::from_mask(e.week_mask).contains(week)) {
        let Some((start, end)) = e.clock(periods) else { continue };
        slots.push(DaySlot {
            title: e.title.clone(),
            start,
            end,
            periods: match (e.period_start, e.period_end) {
                (Some(s), Some(t)) => format!("第{s}-{t}节"),
                _ => String::new(),
            },
            room: Some(e.place.clone()).filter(|p| !p.is_empty()),
            building: None,
            teacher: None,
            classes: None,
            own: true,
        });
    }
    slots.sort_by_key(|s| (s.start, s.own));
    slots
}

/// Marks every exam that overlaps another exam or a class meeting on its day.
pub fn exam_flags(
    exams: &[ExamLine],
    cal: Option<&SchoolDays>,
    periods: &[Period],
    meetings: &[Meeting],
) -> Vec<Vec<String>> {
    let local = |t: NaiveDateTime| crate::web::time::local(t).naive_local();
    exams
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut flags = Vec::new();
            for (j, other) in exams.iter().enumerate() {
                if i != j && e.row.starts_at < other.row.ends_at && other.row.starts_at < e.row.ends_at {
                    flags.push(format!("与「{}」考试时间重叠", other.row.course_name));
                }
            }
            if let Some(cal) = cal {
                let (from, to) = (local(e.row.starts_at), local(e.row.ends_at));
                for s in slots_on(cal, periods, meetings, &[], from.date()) {
                    if from.time() < s.end && s.start < to.time() {
                        flags.push(format!("与「{}」上课时间冲突（{}）", s.title, s.time_text()));
                    }
                }
            }
            flags
        })
        .collect()
}

/// The exams not yet over for `student_no`, each with its clashes (the exams page).
pub fn exams_with_flags(
    conn: &mut DbConn,
    student: &super::models::Student,
    now: NaiveDateTime,
) -> AppResult<Vec<ExamSoon>> {
    let exams = service::upcoming_exams(conn, student, now)?;
    if exams.is_empty() {
        return Ok(Vec::new());
    }
    let cal = service::school_days(conn, service::today(now))?;
    let (periods, meetings) = match &cal {
        Some(cal) => (queries::periods(conn)?, queries::meetings_of_class(conn, cal.semester.id, &student.class_name)?),
        None => (Vec::new(), Vec::new()),
    };
    let flags = exam_flags(&exams, cal.as_ref(), &periods, &meetings);
    Ok(exams.into_iter().zip(flags).map(|(exam, flags)| ExamSoon { exam, flags }).collect())
}

/// What the today card reads of a person beside the reference data: her roster record, her own
/// entries of the semester and her exams within [`EXAM_WINDOW_DAYS`] not yet over. The caller
/// loads it (the home page in one statement with the rest of her page, `home::personal`).
#[derive(Default)]
pub struct Personal {
    pub student: Option<Student>,
    pub entries: Vec<OwnEntry>,
    pub exams: Vec<ExamRow>,
}

/// The academic day at `now` of user `user_id` with `mine` and the semester `cal` (the one
/// running today, from [`service::school_days`]): a linked student's classes, entries and next
/// exam; else a linked teacher's teaching day (read here); `None` for anyone else.
pub fn academic_day(
    conn: &mut DbConn,
    user_id: i64,
    cal: Option<SchoolDays>,
    mine: Personal,
    now: NaiveDateTime,
) -> AppResult<Option<AcademicDay>> {
    let date = service::today(now);
    let Personal { student, entries, exams } = mine;
    let teacher = match student {
        Some(_) => None,
        None => match teaching::queries::teacher_of(conn, user_id)? {
            Some(t) => Some(t),
            None => return Ok(None),
        },
    };
    let periods = match cal {
        Some(_) => queries::periods(conn)?,
        None => Vec::new(),
    };
    let (meetings, entries) = match (&cal, &student, &teacher) {
        (Some(cal), Some(s), _) => (queries::meetings_of_class(conn, cal.semester.id, &s.class_name)?, entries),
        (Some(cal), None, Some(t)) => {
            (teaching::queries::meetings_of_teacher(conn, cal.semester.id, t.id)?, Vec::new())
        }
        _ => (Vec::new(), Vec::new()),
    };
    let slots = cal.as_ref().map(|c| slots_on(c, &periods, &meetings, &entries, date)).unwrap_or_default();
    let mut heading = day_label(date);
    let mut note = None;
    let mut next_day = None;
    if let Some(cal) = &cal {
        match cal.class_day(date) {
            ClassDay::Teaching { week, makeup, day } => {
                heading = format!("{heading} · 第{week}周");
                if makeup {
                    note = Some(format!("今天调休上课，按{}的课表", DAY_LABELS[(day.clamp(1, 7) - 1) as usize]));
                }
            }
            ClassDay::Holiday(title) => note = Some(format!("{title}放假")),
            ClassDay::Outside => {}
        }
        let local_now = crate::web::time::local(now).time();
        if !slots.iter().any(|s| s.end > local_now) {
            let mut d = date + TimeDelta::days(1);
            let last = cal.semester.ends_on();
            while d <= last {
                let classes: Vec<DaySlot> =
                    slots_on(cal, &periods, &meetings, &entries, d).into_iter().filter(|s| !s.own).collect();
                if !classes.is_empty() {
                    next_day = Some((d, classes));
                    break;
                }
                d += TimeDelta::days(1);
            }
        }
    }
    let (exam, clashes) = match &student {
        Some(_) => {
            let horizon = now + TimeDelta::days(EXAM_WINDOW_DAYS);
            let exams: Vec<ExamLine> = service::exam_lines(exams, now)
                .into_iter()
                .filter(|e| e.row.ends_at > now && e.row.starts_at <= horizon)
                .collect();
            let flags = exam_flags(&exams, cal.as_ref(), &periods, &meetings);
            let clashes = flags.iter().filter(|f| !f.is_empty()).count();
            (exams.into_iter().zip(flags).map(|(exam, flags)| ExamSoon { exam, flags }).next(), clashes)
        }
        None => (None, 0),
    };
    Ok(Some(AcademicDay { date, heading, note, teacher: teacher.is_some(), slots, next_day, exam, clashes }))
}
