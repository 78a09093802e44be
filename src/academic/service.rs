//! The student's academic pages: whose records they are, the week's timetable grid, grades
//! with GPA, upcoming exams, the record card and the calendar. Dates are Asia/Shanghai days.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::gpa::{self, Scale};
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
    let user = crate::auth::service::user(conn, user_id)?;
    match user.student_no.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(no) => queries::student(conn, no),
        None => Ok(None),
    }
}

/// Tenths as text: 875 → `87.5`, 40 → `4`.
pub fn tenths(n: i32) -> String {
    if n % 10 == 0 { (n / 10).to_string() } else { format!("{}.{}", n / 10, (n % 10).abs()) }
}

/// Hundredths as text with two decimals: 352 → `3.52`.
pub fn hundredths(n: i64) -> String {
    format!("{}.{:02}", n / 100, n % 100)
}

pub struct DayHead {
    pub label: &'static str,
    pub date: NaiveDate,
    pub today: bool,
}

/// One meeting as its cell shows it; the details open on tap.
pub struct MeetingView {
    pub course_name: String,
    pub course_code: String,
    pub teacher: String,
    pub room: String,
    pub weeks: String,
    pub periods: String,
    pub classes: String,
}

/// A cell of the grid: empty (no meetings) or a block of `span` periods.
pub struct GridCell {
    pub span: i32,
    pub today: bool,
    pub meetings: Vec<MeetingView>,
}

impl GridCell {
    pub fn conflict(&self) -> bool {
        self.meetings.len() > 1
    }
}

pub struct PeriodRow {
    pub period: Period,
    pub cells: Vec<GridCell>,
}

pub struct Timetable {
    pub semester: Semester,
    pub week: i32,
    /// Today's teaching week, when today is inside the semester.
    pub current_week: Option<i32>,
    pub days: Vec<DayHead>,
    pub rows: Vec<PeriodRow>,
    pub conflicts: usize,
    pub meetings: usize,
}

impl Timetable {
    /// Today's week, when another week is shown.
    pub fn back_to(&self) -> Option<i32> {
        self.current_week.filter(|w| *w != self.week)
    }
}

const DAY_LABELS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

/// The week grid of `student` for `week` (default: today's teaching week) of the current
/// semester; `None` when no semester has been imported.
pub fn timetable(
    conn: &mut DbConn,
    student: &Student,
    week: Option<i32>,
    now: NaiveDateTime,
) -> AppResult<Option<Timetable>> {
    let class = student.class_name.clone();
    week_table(conn, week, now, |conn, semester| queries::meetings_of_class(conn, semester, &class))
}

/// The week grid of the meetings `load` gives for the current semester (a class's, a teacher's)
/// for `week` (default: today's teaching week); `None` when no semester has been imported.
pub fn week_table(
    conn: &mut DbConn,
    week: Option<i32>,
    now: NaiveDateTime,
    load: impl FnOnce(&mut DbConn, i64) -> AppResult<Vec<Meeting>>,
) -> AppResult<Option<Timetable>> {
    let today = today(now);
    let Some(semester) = queries::semester_on(conn, today)? else { return Ok(None) };
    let this_week = semester.week_of(today);
    let current_week = (1..=semester.weeks).contains(&this_week).then_some(this_week);
    let week = match week {
        Some(w) if (1..=semester.weeks).contains(&w) => w,
        Some(_) => return Err(AppError::invalid(format!("周次应在 1 到 {} 之间", semester.weeks))),
        None => this_week.clamp(1, semester.weeks),
    };
    let periods = queries::periods(conn)?;
    let meetings: Vec<Meeting> =
        load(conn, semester.id)?.into_iter().filter(|m| WeekSet::from_mask(m.week_mask).contains(week)).collect();
    let monday = semester.monday_of(week);
    let days: Vec<DayHead> = (0..7u64)
        .map(|i| {
            let date = monday + chrono::Days::new(i);
            DayHead { label: DAY_LABELS[i as usize], date, today: date == today }
        })
        .collect();
    let (rows, conflicts) = grid(&periods, &days, &meetings);
    Ok(Some(Timetable { semester, week, current_week, days, rows, conflicts, meetings: meetings.len() }))
}

/// Lays the week's meetings on the periods × days grid. Meetings of one day whose periods
/// overlap share one block (a conflict, shown rather than hidden); a block spans its periods.
fn grid(periods: &[Period], days: &[DayHead], meetings: &[Meeting]) -> (Vec<PeriodRow>, usize) {
    let time_of = |start: i32, end: i32| {
        let from = periods.iter().find(|p| p.number == start).map(|p| p.starts_at.format("%H:%M").to_string());
        let to = periods.iter().find(|p| p.number == end).map(|p| p.ends_at.format("%H:%M").to_string());
        match (from, to) {
            (Some(a), Some(b)) => format!("第{start}-{end}节 {a}–{b}"),
            _ => format!("第{start}-{end}节"),
        }
    };
    // blocks[day] = (start, end, meetings), in order of start.
    let mut blocks: Vec<Vec<(i32, i32, Vec<&Meeting>)>> = vec![Vec::new(); 7];
    for m in meetings {
        let day = &mut blocks[(m.day.clamp(1, 7) - 1) as usize];
        match day.iter_mut().find(|(s, e, _)| m.start <= *e && m.end >= *s) {
            Some(block) => {
                block.0 = block.0.min(m.start);
                block.1 = block.1.max(m.end);
                block.2.push(m);
            }
            None => day.push((m.start, m.end, vec![m])),
        }
    }
    let conflicts = blocks.iter().flatten().filter(|b| b.2.len() > 1).count();
    let last = periods.iter().map(|p| p.number).max().unwrap_or(12);
    let mut rows = Vec::with_capacity(periods.len());
    for period in periods {
        let n = period.number;
        let mut cells = Vec::with_capacity(7);
        for (d, head) in days.iter().enumerate() {
            if let Some((s, e, ms)) = blocks[d].iter().find(|(s, _, _)| *s == n) {
                let meetings = ms
                    .iter()
                    .map(|m| MeetingView {
                        course_name: m.course_name.clone(),
                        course_code: m.course_code.clone(),
                        teacher: m.teacher.clone().unwrap_or_else(|| "待定".into()),
                        room: m.room.clone().unwrap_or_else(|| "待定".into()),
                        weeks: format!("{}（{}）", m.weeks, WeekSet::from_mask(m.week_mask).describe()),
                        periods: time_of(m.start, m.end),
                        classes: m.class_names.replace(',', "、"),
                    })
                    .collect();
                cells.push(GridCell { span: (e.min(&last) - s + 1).max(1), today: head.today, meetings });
            } else if !blocks[d].iter().any(|(s, e, _)| *s < n && n <= *e) {
                cells.push(GridCell { span: 1, today: head.today, meetings: Vec::new() });
            }
        }
        rows.push(PeriodRow { period: period.clone(), cells });
    }
    (rows, conflicts)
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
    Ok(queries::upcoming_exams(conn, &student.student_no, now)?
        .into_iter()
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
        .collect())
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
