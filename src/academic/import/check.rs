//! How one row of an academic file becomes a checked record ([`Item`]), or the first bad cell
//! with its column and reason. Codes a row refers to (semester, course, teacher, classroom,
//! student) must already exist; each is looked up once per file.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::cells;
use super::kinds::Kind;
use crate::academic::weeks::WeekSet;
use crate::db::DbConn;
use crate::db::schema::{classrooms, courses, semesters, students, teachers};
use crate::error::AppResult;
use crate::tabular::Column;

pub struct SemesterSpec {
    pub code: String,
    pub name: String,
    pub starts_on: NaiveDate,
    pub weeks: i32,
}

pub struct EventSpec {
    pub semester: String,
    pub kind: &'static str,
    pub title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// 调休: the date whose timetable the make-up day follows.
    pub follows_on: Option<NaiveDate>,
}

/// A checked row, ready to save.
pub enum Item {
    Student {
        no: String,
        name: String,
        college: String,
        major: String,
        class_name: String,
        enrol_year: i32,
        status: String,
        id_hash: Option<String>,
    },
    Teacher {
        no: String,
        name: String,
        department: String,
        title: String,
    },
    Course {
        code: String,
        name: String,
        credit_tenths: i32,
        kind: String,
    },
    Classroom {
        code: String,
        building: String,
        capacity: i32,
    },
    Calendar {
        semester: Option<SemesterSpec>,
        event: Option<EventSpec>,
    },
    Schedule {
        semester_id: i64,
        course_id: i64,
        teacher_id: Option<i64>,
        class_names: String,
        day: i32,
        start: i32,
        end: i32,
        weeks: String,
        mask: i64,
        classroom_id: Option<i64>,
    },
    Grade {
        no: String,
        semester_id: i64,
        course_id: i64,
        regular: Option<i32>,
        midterm: Option<i32>,
        final_score: Option<i32>,
        total: i32,
    },
    Exam {
        no: String,
        semester_id: i64,
        course_id: i64,
        starts_at: chrono::NaiveDateTime,
        ends_at: chrono::NaiveDateTime,
        room: String,
        seat: String,
    },
    Contact {
        department: String,
        office: String,
        phone: String,
        email: String,
        location: String,
        hours: String,
    },
    /// 综合测评 of one school year; scores in tenths.
    Evaluation {
        no: String,
        year: String,
        academic: i32,
        moral: i32,
        sports: i32,
        extra: i32,
    },
}

impl Item {
    /// The natural key: two rows of one file with the same key are a duplicate.
    pub fn key(&self) -> String {
        match self {
            Item::Student { no, .. } | Item::Teacher { no, .. } => no.clone(),
            Item::Course { code, .. } | Item::Classroom { code, .. } => code.clone(),
            Item::Calendar { semester, event } => match (semester, event) {
                (_, Some(e)) => format!("{}|{}|{}|{}", e.semester, e.kind, e.title, e.starts_on),
                (Some(s), None) => s.code.clone(),
                (None, None) => String::new(),
            },
            Item::Schedule { semester_id, course_id, class_names, day, start, .. } => {
                format!("{semester_id}|{course_id}|{class_names}|{day}|{start}")
            }
            Item::Grade { no, semester_id, course_id, .. } | Item::Exam { no, semester_id, course_id, .. } => {
                format!("{no}|{semester_id}|{course_id}")
            }
            Item::Contact { department, office, .. } => format!("{department}|{office}"),
            Item::Evaluation { no, year, .. } => format!("{no}|{year}"),
        }
    }
}

/// A refused cell: the column's header and the reason.
pub type Bad = (&'static str, String);

/// One row's cells, read by column key.
pub struct Cells<'a> {
    pub columns: &'static [Column],
    pub at: &'a [Option<usize>],
    pub cells: &'a [String],
}

impl Cells<'_> {
    fn column(&self, key: &str) -> (&'static str, &str) {
        let i = self.columns.iter().position(|c| c.key == key).unwrap_or(0);
        let name = self.columns.get(i).map_or("", |c| c.names[0]);
        let value = self.at.get(i).copied().flatten().and_then(|j| self.cells.get(j)).map_or("", String::as_str);
        (name, value)
    }

    pub fn raw(&self, key: &str) -> &str {
        self.column(key).1
    }

    /// Parses the cell under `key` with `f`, naming the column when it fails.
    pub fn get<T>(&self, key: &str, f: impl FnOnce(&str) -> Result<T, String>) -> Result<T, Bad> {
        let (name, value) = self.column(key);
        f(value).map_err(|e| (name, e))
    }
}

/// What rows refer to by code, looked up once per code.
#[derive(Default)]
pub struct Lookups {
    semesters: HashMap<String, Option<(i64, i32)>>,
    courses: HashMap<String, Option<i64>>,
    teachers: HashMap<String, Option<i64>>,
    classrooms: HashMap<String, Option<i64>>,
    students: HashMap<String, bool>,
    /// Semesters defined earlier in the same calendar file (code → weeks).
    pub pending_semesters: HashMap<String, i32>,
}

impl Lookups {
    fn semester(&mut self, conn: &mut DbConn, code: &str) -> AppResult<Option<(i64, i32)>> {
        if let Some(v) = self.semesters.get(code) {
            return Ok(*v);
        }
        let found = semesters::table
            .filter(semesters::code.eq(code))
            .select((semesters::id, semesters::weeks))
            .first(conn)
            .optional()?;
        self.semesters.insert(code.to_string(), found);
        Ok(found)
    }

    fn id_of(
        cache: &mut HashMap<String, Option<i64>>,
        code: &str,
        find: impl FnOnce() -> QueryResult<Option<i64>>,
    ) -> AppResult<Option<i64>> {
        if let Some(v) = cache.get(code) {
            return Ok(*v);
        }
        let found = find()?;
        cache.insert(code.to_string(), found);
        Ok(found)
    }

    fn course(&mut self, conn: &mut DbConn, code: &str) -> AppResult<Option<i64>> {
        Self::id_of(&mut self.courses, code, || {
            courses::table.filter(courses::code.eq(code)).select(courses::id).first(conn).optional()
        })
    }

    fn teacher(&mut self, conn: &mut DbConn, no: &str) -> AppResult<Option<i64>> {
        Self::id_of(&mut self.teachers, no, || {
            teachers::table.filter(teachers::staff_no.eq(no)).select(teachers::id).first(conn).optional()
        })
    }

    fn classroom(&mut self, conn: &mut DbConn, code: &str) -> AppResult<Option<i64>> {
        Self::id_of(&mut self.classrooms, code, || {
            classrooms::table.filter(classrooms::code.eq(code)).select(classrooms::id).first(conn).optional()
        })
    }

    /// Finds which of `nos` are students in a few statements, so that checking a large file
    /// asks nothing per row.
    pub fn know_students(&mut self, conn: &mut DbConn, mut nos: Vec<String>) -> AppResult<()> {
        nos.sort_unstable();
        nos.dedup();
        for batch in nos.chunks(1_000) {
            let found: HashSet<String> = students::table
                .filter(students::student_no.eq_any(batch))
                .select(students::student_no)
                .load::<String>(conn)?
                .into_iter()
                .collect();
            for no in batch {
                let known = found.contains(no);
                self.students.insert(no.clone(), known);
            }
        }
        Ok(())
    }

    fn student(&mut self, conn: &mut DbConn, no: &str) -> AppResult<bool> {
        if let Some(v) = self.students.get(no) {
            return Ok(*v);
        }
        let n: i64 = students::table.filter(students::student_no.eq(no)).count().get_result(conn)?;
        self.students.insert(no.to_string(), n > 0);
        Ok(n > 0)
    }
}

/// A row of `kind` checked into an [`Item`], or the first bad cell. `key` hashes students'
/// ID fragments; without it (demo data) the column is ignored. `Err(Ok(bad))` is the
/// row's fault; `Err(Err(e))` is the database's.
pub fn check(
    kind: Kind,
    conn: &mut DbConn,
    look: &mut Lookups,
    key: Option<&[u8]>,
    row: &Cells,
) -> Result<Item, Result<Bad, crate::error::AppError>> {
    let bad = |b: Bad| -> Result<Bad, crate::error::AppError> { Ok(b) };
    macro_rules! lookup {
        ($e:expr) => {
            $e.map_err(Err)?
        };
    }
    Ok(match kind {
        Kind::Students => Item::Student {
            no: row.get("no", cells::code).map_err(bad)?,
            name: row.get("name", |v| cells::text(v, 40)).map_err(bad)?,
            college: row.get("college", |v| cells::text(v, 60)).map_err(bad)?,
            major: row.get("major", |v| cells::text(v, 60)).map_err(bad)?,
            class_name: row.get("class", |v| cells::text(v, 40)).map_err(bad)?,
            enrol_year: row.get("year", |v| cells::int(v, 1950..=2100)).map_err(bad)?,
            status: row.get("status", |v| Ok(cells::optional(v, 20)?.unwrap_or_else(|| "在读".into()))).map_err(bad)?,
            id_hash: match key {
                Some(key) => row.get("id", |v| id_fragment(v, key)).map_err(bad)?,
                None => None,
            },
        },
        Kind::Teachers => Item::Teacher {
            no: row.get("no", cells::code).map_err(bad)?,
            name: row.get("name", |v| cells::text(v, 40)).map_err(bad)?,
            department: row.get("department", |v| cells::text(v, 60)).map_err(bad)?,
            title: row.get("title", |v| Ok(cells::optional(v, 20)?.unwrap_or_default())).map_err(bad)?,
        },
        Kind::Courses => Item::Course {
            code: row.get("code", cells::code).map_err(bad)?,
            name: row.get("name", |v| cells::text(v, 60)).map_err(bad)?,
            credit_tenths: row.get("credit", |v| cells::tenths(v, 300)).map_err(bad)?,
            kind: row.get("kind", |v| Ok(cells::optional(v, 20)?.unwrap_or_else(|| "必修".into()))).map_err(bad)?,
        },
        Kind::Classrooms => Item::Classroom {
            code: row.get("code", cells::code).map_err(bad)?,
            building: row.get("building", |v| cells::text(v, 40)).map_err(bad)?,
            capacity: row.get("capacity", |v| cells::int(v, 0..=5000)).map_err(bad)?,
        },
        Kind::Calendar => {
            let item = check_calendar(row, look).map_err(bad)?;
            if let Item::Calendar { semester: None, event: Some(e) } = &item
                && !look.pending_semesters.contains_key(&e.semester)
                && lookup!(look.semester(conn, &e.semester)).is_none()
            {
                return refuse(
                    "学期代码",
                    format!("没有学期「{}」：请先在一行里写出它的学期名称、开学日期和教学周数", e.semester),
                );
            }
            item
        }
        Kind::Schedules => {
            let (semester_id, weeks) = lookup!(semester(conn, look, row))?;
            let course_id = lookup!(course(conn, look, row))?;
            let teacher_id = match row.raw("teacher").trim() {
                "" => None,
                no => match lookup!(look.teacher(conn, no)) {
                    Some(id) => Some(id),
                    None => return refuse("教师工号", format!("没有工号「{no}」的教师")),
                },
            };
            let classroom_id = match row.raw("room").trim() {
                "" => None,
                code => match lookup!(look.classroom(conn, code)) {
                    Some(id) => Some(id),
                    None => return refuse("教室", format!("没有教室「{code}」，请先导入教室")),
                },
            };
            let class_names = row.get("classes", cells::class_names).map_err(bad)?;
            let day = row.get("day", cells::day_of_week).map_err(bad)?;
            let start = row.get("start", |v| cells::int(v, 1..=12)).map_err(bad)?;
            let end = row.get("end", |v| cells::int(v, 1..=12)).map_err(bad)?;
            if end < start {
                return refuse("结束节次", "结束节次不能早于开始节次".into());
            }
            let text = row.raw("weeks").trim().to_string();
            let mask = row.get("weeks", |v| WeekSet::parse(v, weeks)).map_err(bad)?.mask();
            Item::Schedule {
                semester_id,
                course_id,
                teacher_id,
                class_names,
                day,
                start,
                end,
                weeks: text,
                mask,
                classroom_id,
            }
        }
        Kind::Grades => {
            let no = student(conn, look, row)?;
            let (semester_id, _) = lookup!(semester(conn, look, row))?;
            let course_id = lookup!(course(conn, look, row))?;
            Item::Grade {
                no,
                semester_id,
                course_id,
                regular: row.get("regular", cells::optional_score).map_err(bad)?,
                midterm: row.get("midterm", cells::optional_score).map_err(bad)?,
                final_score: row.get("final", cells::optional_score).map_err(bad)?,
                total: row.get("total", cells::score).map_err(bad)?,
            }
        }
        Kind::Exams => {
            let no = student(conn, look, row)?;
            let (semester_id, _) = lookup!(semester(conn, look, row))?;
            let course_id = lookup!(course(conn, look, row))?;
            let date = row.get("date", cells::date).map_err(bad)?;
            let start = row.get("start", cells::time).map_err(bad)?;
            let end = row.get("end", cells::time).map_err(bad)?;
            if end <= start {
                return refuse("结束时间", "结束时间应晚于开始时间".into());
            }
            Item::Exam {
                no,
                semester_id,
                course_id,
                starts_at: cells::shanghai_to_utc(date, start).map_err(|e| Ok(("开始时间", e)))?,
                ends_at: cells::shanghai_to_utc(date, end).map_err(|e| Ok(("结束时间", e)))?,
                room: row.get("room", |v| cells::text(v, 40)).map_err(bad)?,
                seat: row.get("seat", |v| cells::text(v, 10)).map_err(bad)?,
            }
        }
        Kind::Contacts => Item::Contact {
            department: row.get("department", |v| cells::text(v, 60)).map_err(bad)?,
            office: row.get("office", |v| cells::text(v, 60)).map_err(bad)?,
            phone: row.get("phone", cells::office_phone).map_err(bad)?,
            email: row.get("email", cells::email).map_err(bad)?,
            location: row.get("location", |v| Ok(cells::optional(v, 80)?.unwrap_or_default())).map_err(bad)?,
            hours: row.get("hours", |v| Ok(cells::optional(v, 60)?.unwrap_or_default())).map_err(bad)?,
        },
        Kind::Evaluations => Item::Evaluation {
            no: student(conn, look, row)?,
            year: row.get("year", cells::school_year).map_err(bad)?,
            academic: row.get("academic", cells::score).map_err(bad)?,
            moral: row.get("moral", cells::score).map_err(bad)?,
            sports: row.get("sports", cells::score).map_err(bad)?,
            extra: row.get("extra", |v| Ok(cells::optional_score(v)?.unwrap_or(0))).map_err(bad)?,
        },
    })
}

type Checked<T> = Result<T, Result<Bad, crate::error::AppError>>;

fn refuse<T>(column: &'static str, why: String) -> Checked<T> {
    Err(Ok((column, why)))
}

fn semester(conn: &mut DbConn, look: &mut Lookups, row: &Cells) -> AppResult<Checked<(i64, i32)>> {
    let code = row.raw("semester").trim();
    Ok(match look.semester(conn, code)? {
        Some(found) => Ok(found),
        None if code.is_empty() => refuse("学期", "不能为空".into()),
        None => refuse("学期", format!("没有学期「{code}」，请先导入校历")),
    })
}

fn course(conn: &mut DbConn, look: &mut Lookups, row: &Cells) -> AppResult<Checked<i64>> {
    let code = row.raw("course").trim();
    Ok(match look.course(conn, code)? {
        Some(found) => Ok(found),
        None if code.is_empty() => refuse("课程代码", "不能为空".into()),
        None => refuse("课程代码", format!("没有课程代码「{code}」，请先导入课程")),
    })
}

fn student(conn: &mut DbConn, look: &mut Lookups, row: &Cells) -> Checked<String> {
    let no = row.get("no", cells::code).map_err(Ok)?;
    if look.student(conn, &no).map_err(Err)? {
        Ok(no)
    } else {
        refuse("学号", format!("没有学号「{no}」的学生"))
    }
}

fn check_calendar(row: &Cells, look: &mut Lookups) -> Result<Item, Bad> {
    let code = row.get("semester", cells::code)?;
    let defines = ["name", "start", "weeks"].iter().any(|k| !row.raw(k).trim().is_empty());
    let semester = if defines {
        let spec = SemesterSpec {
            code: code.clone(),
            name: row.get("name", |v| cells::text(v, 40))?,
            starts_on: row.get("start", cells::date)?,
            weeks: row.get("weeks", |v| cells::int(v, 1..=crate::academic::weeks::MAX_WEEKS))?,
        };
        if spec.starts_on.weekday() != chrono::Weekday::Mon {
            return Err(("开学日期", format!("{} 不是星期一（开学日期应为第一周的周一）", spec.starts_on)));
        }
        look.pending_semesters.insert(code.clone(), spec.weeks);
        Some(spec)
    } else {
        None
    };
    let event = if row.raw("kind").trim().is_empty() {
        None
    } else {
        let kind = row.get("kind", |v| match v.trim() {
            "假期" | "节假日" | "放假" | "holiday" => Ok("holiday"),
            "考试周" | "exam_week" => Ok("exam_week"),
            "重要日期" | "校历事件" | "key_date" => Ok("key_date"),
            "调休" | "补课" | "makeup" => Ok("makeup"),
            other => Err(format!("「{other}」不是事件类型（假期、考试周、重要日期、调休）")),
        })?;
        let starts_on = row.get("from", cells::date)?;
        let ends_on = if row.raw("to").trim().is_empty() { starts_on } else { row.get("to", cells::date)? };
        if ends_on < starts_on {
            return Err(("结束日期", "结束日期不能早于开始日期".into()));
        }
        let follows_on = if kind == "makeup" {
            if ends_on != starts_on {
                return Err(("结束日期", "调休是单独的一天：结束日期应与开始日期相同或留空".into()));
            }
            if row.raw("follows").trim().is_empty() {
                return Err(("按日期上课", "调休要写明这一天按哪一天的课表上课".into()));
            }
            Some(row.get("follows", cells::date)?)
        } else {
            None
        };
        Some(EventSpec {
            semester: code.clone(),
            kind,
            title: row.get("title", |v| cells::text(v, 40))?,
            starts_on,
            ends_on,
            follows_on,
        })
    };
    if semester.is_none() && event.is_none() {
        return Err(("学期名称", "这一行既没有学期信息，也没有校历事件".into()));
    }
    Ok(Item::Calendar { semester, event })
}

/// The last six characters of an ID number, kept only as a keyed hash (HMAC-SHA256 with the
/// server secret): enough to confirm a student who types it, useless to whoever reads the table.
fn id_fragment(v: &str, key: &[u8]) -> Result<Option<String>, String> {
    let v = v.trim().to_uppercase();
    if v.is_empty() {
        return Ok(None);
    }
    if v.len() != 6 || !v.chars().all(|c| c.is_ascii_digit() || c == 'X') {
        return Err("应为身份证号的后六位（数字或 X）".into());
    }
    Ok(Some(id_hash(key, &v)))
}

pub fn id_hash(key: &[u8], fragment: &str) -> String {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    hex::encode(ring::hmac::sign(&k, format!("student-id:{fragment}").as_bytes()).as_ref())
}

/// Whether `fragment` is the one whose hash is `stored` (compared in constant time).
pub fn id_matches(key: &[u8], fragment: &str, stored: &str) -> bool {
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key);
    hex::decode(stored)
        .is_ok_and(|tag| ring::hmac::verify(&k, format!("student-id:{fragment}").as_bytes(), &tag).is_ok())
}
