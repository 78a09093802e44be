//! The student's academic pages: whose records they are, the week's timetable grid, grades
//! with GPA, upcoming exams, the record card and the calendar. Dates are Asia/Shanghai days.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::days::{ClassDay, SchoolDays};
use super::entries::OwnEntry;
use super::gpa::{self, Scale};
pub use super::grid::{DAY_LABELS, DayHead, GridCell, MeetingView, PeriodRow, Timetable, periods_text};
use super::models::{CalendarEvent, ExamRow, GradeRow, Meeting, Period, Semester, Student};
use super::queries;
use super::weeks::WeekSet;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Today in Shanghai.
pub fn today(now: NaiveDateTime) -> NaiveDate {
    crate::web::time::date(now)
}

/// The student record linked to user `user_id` (by `users.student_no`), if any.
pub fn student_of(conn: &mut DbConn, user_id: i64) -> AppResult<Option<Student>> {
    queries::student_of_user(conn, user_id)
}

/// The student record linked to `user_id` with her stored record of grades seen (`seen`).
pub fn student_and_seen_of(conn: &mut DbConn, user_id: i64) -> AppResult<Option<(Student, Option<String>)>> {
    queries::student_and_seen_of_user(conn, user_id)
}

/// Tenths as text: 875 → `87.5`, 40 → `4`.
pub fn tenths(n: i32) -> String {
    if n % 10 == 0 { (n / 10).to_string() } else { format!("{}.{}", n / 10, (n % 10).abs()) }
}

/// Hundredths as text with two decimals: 352 → `3.52`.
pub fn hundredths(n: i64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

/// The semester running on `day` (else the last begun, else the first to come) with its
/// holidays and make-up days.
pub fn school_days(conn: &mut DbConn, day: NaiveDate) -> AppResult<Option<SchoolDays>> {
    let Some(semester) = queries::semester_on(conn, day)? else { return Ok(None) };
    let events = queries::events_of(conn, semester.id)?;
    Ok(Some(SchoolDays::new(semester, events)))
}

/// The week grid of `student` (user `user_id`) for `week` (default: today's teaching week) of
/// the current semester, her own entries marked as hers; `None` when no semester has been
/// imported.
pub fn timetable(
    conn: &mut DbConn,
    user_id: i64,
    student: &Student,
    week: Option<i32>,
    now: NaiveDateTime,
) -> AppResult<Option<Timetable>> {
    let class = student.class_name.clone();
    week_table(conn, week, now, |conn, semester| {
        let meetings = queries::meetings_of_class(conn, semester, &class)?;
        let entries = super::entries::of_user(conn, user_id, semester)?;
        Ok((meetings, entries))
    })
}

/// The week grid of what `load` gives for the current semester (a class's meetings and a
/// student's own entries, a teacher's meetings) for `week` (default: today's teaching week);
/// `None` when no semester has been imported.
pub fn week_table(
    conn: &mut DbConn,
    week: Option<i32>,
    now: NaiveDateTime,
    load: impl FnOnce(&mut DbConn, i64) -> AppResult<(Vec<Meeting>, Vec<OwnEntry>)>,
) -> AppResult<Option<Timetable>> {
    let today = today(now);
    let Some(cal) = school_days(conn, today)? else { return Ok(None) };
    let semester = cal.semester.clone();
    let this_week = semester.week_of(today);
    let current_week = (1..=semester.weeks).contains(&this_week).then_some(this_week);
    let week = match week {
        Some(w) if (1..=semester.weeks).contains(&w) => w,
        Some(_) => return Err(AppError::invalid(format!("周次应在 1 到 {} 之间", semester.weeks))),
        None => this_week.clamp(1, semester.weeks),
    };
    let periods = queries::periods(conn)?;
    let (meetings, entries) = load(conn, semester.id)?;
    let monday = semester.monday_of(week);
    let mut days = Vec::with_capacity(7);
    let mut items: Vec<(usize, i32, i32, MeetingView)> = Vec::new();
    for (i, label) in DAY_LABELS.iter().enumerate() {
        let date = monday + chrono::Days::new(i as u64);
        let class_day = cal.class_day(date);
        let (holiday, makeup) = match &class_day {
            ClassDay::Holiday(title) => (Some(title.clone()), None),
            ClassDay::Teaching { week: w, day, makeup: true } => {
                let follows = semester.monday_of(*w) + chrono::Days::new(u64::try_from(day - 1).unwrap_or(0));
                (
                    None,
                    Some(format!("按{}（{}）上课", short_date(&follows), DAY_LABELS[(day.clamp(&1, &7) - 1) as usize])),
                )
            }
            _ => (None, None),
        };
        days.push(DayHead { label, date, today: date == today, holiday, makeup });
        let Some((w, d)) = cal.classes_of(date) else { continue };
        for m in meetings.iter().filter(|m| m.day == d && WeekSet::from_mask(m.week_mask).contains(w)) {
            items.push((i, m.start, m.end, meeting_view(&periods, m)));
        }
        for e in entries.iter().filter(|e| e.day == d && WeekSet::from_mask(e.week_mask).contains(w)) {
            let (start, end) = e.periods_on(&periods);
            items.push((i, start, end, e.view(&periods)));
        }
    }
    let count = items.len();
    let (rows, conflicts, own_conflicts) = grid(&periods, &days, items);
    Ok(Some(Timetable { semester, week, current_week, days, rows, conflicts, own_conflicts, meetings: count }))
}

fn meeting_view(periods: &[Period], m: &Meeting) -> MeetingView {
    MeetingView {
        course_name: m.course_name.clone(),
        course_code: m.course_code.clone(),
        teacher: m.teacher.clone().unwrap_or_else(|| "待定".into()),
        room: m.room.clone().unwrap_or_else(|| "待定".into()),
        weeks: format!("{}（{}）", m.weeks, WeekSet::from_mask(m.week_mask).describe()),
        periods: periods_text(periods, m.start, m.end),
        classes: m.class_names.replace(',', "、"),
        own: None,
    }
}

/// Lays the week's items (day column, first and last period, view) on the periods × days grid.
/// Items of one day whose periods overlap share one block (a conflict, shown rather than
/// hidden); a block spans its periods.
fn grid(
    periods: &[Period],
    days: &[DayHead],
    items: Vec<(usize, i32, i32, MeetingView)>,
) -> (Vec<PeriodRow>, usize, usize) {
    // blocks[day] = (start, end, views), in order of start.
    let mut blocks: Vec<Vec<(i32, i32, Vec<MeetingView>)>> = (0..7).map(|_| Vec::new()).collect();
    let mut items = items;
    items.sort_by_key(|(d, s, _, v)| (*d, *s, v.own.is_some()));
    for (d, start, end, view) in items {
        let day = &mut blocks[d.min(6)];
        match day.iter_mut().find(|(s, e, _)| start <= *e && end >= *s) {
            Some(block) => {
                block.0 = block.0.min(start);
                block.1 = block.1.max(end);
                block.2.push(view);
            }
            None => day.push((start, end, vec![view])),
        }
    }
    let conflicts = blocks.iter().flatten().filter(|b| b.2.len() > 1).count();
    let own_conflicts =
        blocks.iter().flatten().filter(|b| b.2.len() > 1 && b.2.iter().any(|v| v.own.is_some())).count();
    let last = periods.iter().map(|p| p.number).max().unwrap_or(12);
    let mut rows = Vec::with_capacity(periods.len());
    for period in periods {
        let n = period.number;
        let mut cells = Vec::with_capacity(7);
        for (d, head) in days.iter().enumerate() {
            if let Some(block) = blocks[d].iter_mut().find(|(s, _, _)| *s == n) {
                let meetings = std::mem::take(&mut block.2);
                cells.push(GridCell { span: (block.1.min(last) - block.0 + 1).max(1), today: head.today, meetings });
            } else if !blocks[d].iter().any(|(s, e, _)| *s < n && n <= *e) {
                cells.push(GridCell { span: 1, today: head.today, meetings: Vec::new() });
            }
        }
        rows.push(PeriodRow { period: period.clone(), cells });
    }
    (rows, conflicts, own_conflicts)
}

/// One dated meeting of a student's class: a course on a day, at its periods' clock times.
#[derive(Clone, Debug)]
pub struct ClassMeeting {
    pub schedule_id: i64,
    pub course_name: String,
    pub teacher: Option<String>,
    pub room: Option<String>,
    /// The Shanghai day it meets.
    pub day: NaiveDate,
    /// Stored-time (UTC) start and end.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// The meetings of `student`'s class on the Shanghai days `from..=to` of the semester running
/// on `from`, in time order: each weekly meeting on the days its week rule keeps. This is where
/// the 校历 decides which weekday a date keeps (`days::SchoolDays`): none on a holiday, another
/// weekday's on a make-up day.
pub fn class_meetings(
    conn: &mut DbConn,
    student: &Student,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<ClassMeeting>> {
    let Some(days) = school_days(conn, from)? else { return Ok(Vec::new()) };
    let periods = queries::periods(conn)?;
    let weekly = queries::meetings_of_class(conn, days.semester.id, &student.class_name)?;
    let mut out = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        // A holiday keeps no classes; a make-up day (调休) keeps another weekday's.
        let Some((week, weekday)) = days.classes_of(day) else { continue };
        for m in weekly.iter().filter(|m| m.day == weekday && WeekSet::from_mask(m.week_mask).contains(week)) {
            let (Some(start), Some(end)) = (
                periods.iter().find(|p| p.number == m.start).map(|p| p.starts_at),
                periods.iter().find(|p| p.number == m.end).map(|p| p.ends_at),
            ) else {
                continue;
            };
            out.push(ClassMeeting {
                schedule_id: m.schedule_id,
                course_name: m.course_name.clone(),
                teacher: m.teacher.clone(),
                room: m.room.clone(),
                day,
                starts_at: crate::web::time::utc(day.and_time(start)),
                ends_at: crate::web::time::utc(day.and_time(end)),
            });
        }
    }
    out.sort_by_key(|m| (m.starts_at, m.schedule_id));
    Ok(out)
}

pub struct GradeLine {
    pub row: GradeRow,
    pub point: i32,
}

impl GradeLine {
    pub fn failed(&self) -> bool {
        self.row.total < gpa::PASS_TENTHS
    }
}

pub struct SemesterGrades {
    pub semester: Semester,
    pub lines: Vec<GradeLine>,
    pub credits: i32,
    pub gpa: Option<i64>,
}

impl SemesterGrades {
    pub fn gpa_text(&self) -> String {
        self.gpa.map_or_else(|| "—".into(), hundredths)
    }
}

pub struct Transcript {
    pub semesters: Vec<SemesterGrades>,
    pub credits: i32,
    pub gpa: Option<i64>,
    pub failed: usize,
}

impl Transcript {
    pub fn gpa_text(&self) -> String {
        self.gpa.map_or_else(|| "—".into(), hundredths)
    }
}

/// The student's grades by semester, newest first, with credit-weighted GPAs on `scale`.
/// Credits earned count passed courses only; GPA counts every graded course.
pub fn transcript(conn: &mut DbConn, student: &Student, scale: &Scale) -> AppResult<Transcript> {
    let rows = queries::grades_of(conn, &student.student_no)?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.semester_id).collect();
    ids.dedup();
    let mut semesters = Vec::new();
    for semester in queries::semesters_by_id(conn, &ids)? {
        let lines: Vec<GradeLine> = rows
            .iter()
            .filter(|r| r.semester_id == semester.id)
            .map(|r| GradeLine { point: scale.point(r.total), row: r.clone() })
            .collect();
        let credits = lines.iter().filter(|l| !l.failed()).map(|l| l.row.credit_tenths).sum();
        let gpa = gpa::weighted(lines.iter().map(|l| (l.row.credit_tenths, l.point)));
        semesters.push(SemesterGrades { semester, lines, credits, gpa });
    }
    let all = semesters.iter().flat_map(|s| s.lines.iter());
    let gpa = gpa::weighted(all.clone().map(|l| (l.row.credit_tenths, l.point)));
    let failed = all.clone().filter(|l| l.failed()).count();
    let credits = semesters.iter().map(|s| s.credits).sum();
    Ok(Transcript { semesters, credits, gpa, failed })
}

pub struct ExamLine {
    pub row: ExamRow,
    pub countdown: String,
    pub ongoing: bool,
}

/// Exams not yet over, soonest first, each with how long until it starts.
pub fn upcoming_exams(conn: &mut DbConn, student: &Student, now: NaiveDateTime) -> AppResult<Vec<ExamLine>> {
    Ok(exam_lines(queries::upcoming_exams(conn, &student.student_no, now)?, now))
}

/// Exam rows with how long until each starts at `now`.
pub fn exam_lines(rows: Vec<ExamRow>, now: NaiveDateTime) -> Vec<ExamLine> {
    rows.into_iter()
        .map(|row| {
            let ongoing = row.starts_at <= now;
            let left = row.starts_at - now;
            let days = (today(row.starts_at) - today(now)).num_days();
            let countdown = if ongoing {
                "进行中".to_string()
            } else if days >= 1 {
                format!("还有 {days} 天")
            } else if left.num_hours() >= 1 {
                format!("还有 {} 小时", left.num_hours())
            } else {
                format!("还有 {} 分钟", left.num_minutes().max(1))
            };
            ExamLine { row, countdown, ongoing }
        })
        .collect()
}

pub struct WeekLine {
    pub number: i32,
    pub monday: NaiveDate,
    pub sunday: NaiveDate,
    pub current: bool,
    pub events: Vec<String>,
}

pub struct Calendar {
    pub semester: Semester,
    pub weeks: Vec<WeekLine>,
    pub events: Vec<CalendarEvent>,
}

/// The semester `code` (default: the current one) week by week, with its events.
pub fn calendar(conn: &mut DbConn, code: Option<&str>, now: NaiveDateTime) -> AppResult<Option<Calendar>> {
    let today = today(now);
    let semester = match code {
        Some(code) => Some(queries::semester_by_code(conn, code)?.ok_or(AppError::NotFound)?),
        None => queries::semester_on(conn, today)?,
    };
    let Some(semester) = semester else { return Ok(None) };
    let events = queries::events_of(conn, semester.id)?;
    let weeks = (1..=semester.weeks)
        .map(|n| {
            let monday = semester.monday_of(n);
            let sunday = monday + chrono::Days::new(6);
            WeekLine {
                number: n,
                monday,
                sunday,
                current: (monday..=sunday).contains(&today),
                events: events
                    .iter()
                    .filter(|e| e.overlaps(monday, sunday))
                    .map(|e| format!("{}：{}", e.kind_label(), e.title))
                    .collect(),
            }
        })
        .collect();
    Ok(Some(Calendar { semester, weeks, events }))
}

/// `9月7日`.
pub fn short_date(d: &NaiveDate) -> String {
    format!("{}月{}日", d.month(), d.day())
}

/// The roster record of student number `student_no` (as the academic import loaded it).
pub fn roster_student(conn: &mut DbConn, student_no: &str) -> AppResult<Option<Student>> {
    queries::student(conn, student_no.trim())
}

/// The staff roster's `(name, department)` of staff number `staff_no`.
pub fn roster_teacher(conn: &mut DbConn, staff_no: &str) -> AppResult<Option<(String, String)>> {
    use crate::db::schema::teachers;
    use diesel::prelude::*;
    Ok(teachers::table
        .filter(teachers::staff_no.eq(staff_no.trim()))
        .select((teachers::name, teachers::department))
        .first(conn)
        .optional()?)
}

/// Links user `user_id` to the student record `student_no` when `id_last6` matches the ID
/// fragment the school registered (compared as keyed hashes; the fragment is never stored) and,
/// when `name` is given, the name is the roster's (a right number with a wrong name is refused).
pub fn link_student(
    conn: &mut DbConn,
    user_id: i64,
    student_no: &str,
    name: Option<&str>,
    id_last6: &str,
    key: &[u8],
) -> AppResult<()> {
    let no = student_no.trim();
    let fragment = id_last6.trim().to_uppercase();
    if no.is_empty() || no.len() > 32 || !no.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid("请填写正确的学号"));
    }
    if fragment.len() != 6 || !fragment.chars().all(|c| c.is_ascii_digit() || c == 'X') {
        return Err(AppError::invalid("请填写身份证号的后六位（数字或 X）"));
    }
    let student = queries::student(conn, no)?
        .ok_or_else(|| AppError::invalid(format!("没有找到学号「{no}」的学籍：请确认学号，或联系学院教务办公室")))?;
    let Some(stored) = student.id_hash.as_deref() else {
        return Err(AppError::invalid("教务处没有登记你的身份证信息，无法自助关联，请联系学院教务办公室"));
    };
    if let Some(name) = name
        && name.split_whitespace().collect::<String>() != student.name.split_whitespace().collect::<String>()
    {
        return Err(AppError::invalid("学号与姓名不匹配：请填写教务处登记的姓名"));
    }
    if !super::import::check::id_matches(key, &fragment, stored) {
        return Err(AppError::invalid("学号与身份证后六位不匹配"));
    }
    crate::db::write_tx(conn, |conn| {
        crate::auth::service::link_student(
            conn,
            user_id,
            &crate::auth::service::StudentLink {
                student_no: &student.student_no,
                real_name: Some(&student.name),
                college: Some(&student.college),
                major: Some(&student.major),
                class_name: Some(&student.class_name),
            },
        )
    })
}
