//! The signed-in part of the home page read in one statement: her roster record, her own
//! entries of the semester, her exams soon, her classroom bookings to act on, her parcels at
//! the pickup point and her message counts by kind. Each is a scalar subquery that folds its
//! rows into JSON (`json_object`/`json_group_array` on SQLite, `json_build_object`/`json_agg` on
//! PostgreSQL), so the page pays one round trip for what were six (DESIGN §4's budget: the
//! session, the sign-ups, this).
//!
//! The SQL names tables of the academic, mall and message modules; the home page is the one
//! place that composes them, and `tests/api/budget.rs` plus the today card's tests read every
//! field back on both databases.

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text, Timestamp};
use serde::{Deserialize, Deserializer};

use crate::academic::entries::OwnEntry;
use crate::academic::models::{ExamRow, Student};
use crate::academic::today::{EXAM_WINDOW_DAYS, Personal};
use crate::db::DbConn;
use crate::error::AppResult;

/// A classroom booking of hers for today, or undecided for today or tomorrow.
#[derive(Deserialize)]
pub struct BookingDue {
    pub room: String,
    pub on_date: NaiveDate,
    pub period_start: i32,
    pub period_end: i32,
    pub purpose: String,
    pub status: String,
}

/// A pickup order of hers waiting at the pickup point.
#[derive(Deserialize)]
pub struct Pickup {
    id: i64,
    pub order_no: String,
    pub shop_name: String,
    pub pickup_code: Option<String>,
}

/// What the home page reads of a signed-in person beside her sign-ups.
pub struct Mine {
    pub academic: Personal,
    pub bookings: Vec<BookingDue>,
    pub pickups: Vec<Pickup>,
    /// Her messages by kind: (kind, total, unread).
    pub kinds: Vec<(String, i64, i64)>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Nullable<Text>)]
    student: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    entries: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    exams: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    bookings: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pickups: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    kinds: Option<String>,
}

/// How many parcels the card lists at most.
const PICKUPS: i64 = 10;

/// The person `user_id`'s part of the home page at `now`; `semester` is the semester running
/// today (her own entries are of it).
pub fn load(conn: &mut DbConn, user_id: i64, semester: Option<i64>, now: NaiveDateTime) -> AppResult<Mine> {
    let today = crate::academic::service::today(now);
    let horizon = now + TimeDelta::days(EXAM_WINDOW_DAYS);
    let query = diesel::sql_query(sql(matches!(conn, DbConn::Pg(_))))
        .bind::<BigInt, _>(user_id)
        .bind::<BigInt, _>(semester.unwrap_or(-1))
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(horizon)
        .bind::<Date, _>(today)
        .bind::<Date, _>(today + TimeDelta::days(1));
    let row: Row = crate::on_backend!(conn, |c| query.get_result(c))?;

    let student: Option<StudentJson> = parse(row.student.as_deref())?;
    let mut entries: Vec<EntryJson> = parse_list(row.entries.as_deref())?;
    entries.sort_by_key(|e| (e.day, e.period_start, e.starts_at, e.id));
    let mut exams: Vec<ExamJson> = parse_list(row.exams.as_deref())?;
    exams.sort_by_key(|e| (e.starts_at, e.id));
    let mut bookings: Vec<BookingDue> = parse_list(row.bookings.as_deref())?;
    bookings.sort_by_key(|b| (b.on_date, b.period_start));
    let mut pickups: Vec<Pickup> = parse_list(row.pickups.as_deref())?;
    pickups.sort_by_key(|p| std::cmp::Reverse(p.id));
    let kinds: Vec<(String, i64, i64)> = parse_list(row.kinds.as_deref())?;
    Ok(Mine {
        academic: Personal {
            student: student.map(StudentJson::into_student),
            entries: entries.into_iter().map(EntryJson::into_entry).collect(),
            exams: exams.into_iter().map(ExamJson::into_row).collect(),
        },
        bookings,
        pickups,
        kinds,
    })
}

/// The statement for PostgreSQL or SQLite, written once per process.
fn sql(pg: bool) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static PG: OnceLock<String> = OnceLock::new();
    if pg { PG.get_or_init(|| build(&Dialect { pg })) } else { SQLITE.get_or_init(|| build(&Dialect { pg })) }
}

struct Dialect {
    pg: bool,
}

impl Dialect {
    /// Bind parameter `n` (1-based).
    fn p(&self, n: usize) -> String {
        if self.pg { format!("${n}") } else { format!("?{n}") }
    }

    fn object(&self, fields: &[(&str, &str)]) -> String {
        let pairs: Vec<String> = fields.iter().map(|(k, v)| format!("'{k}', {v}")).collect();
        format!("{}({})", if self.pg { "json_build_object" } else { "json_object" }, pairs.join(", "))
    }

    /// One object (or NULL) from `from`.
    fn one(&self, item: &str, from: &str) -> String {
        if self.pg { format!("(SELECT ({item})::text FROM {from})") } else { format!("(SELECT {item} FROM {from})") }
    }

    /// A JSON array of `item` over the rows of `from` (NULL on PostgreSQL when there are none).
    fn list(&self, item: &str, from: &str) -> String {
        if self.pg {
            format!("(SELECT json_agg({item})::text FROM {from})")
        } else {
            format!("(SELECT json_group_array({item}) FROM {from})")
        }
    }
}

/// Parameters: 1 user, 2 semester, 3 now, 4 the exam horizon, 5 today, 6 tomorrow.
fn build(d: &Dialect) -> String {
    let (user, semester, now, horizon, today, tomorrow) = (d.p(1), d.p(2), d.p(3), d.p(4), d.p(5), d.p(6));
    let student = d.one(
        &d.object(&[
            ("student_no", "s.student_no"),
            ("name", "s.name"),
            ("college", "s.college"),
            ("major", "s.major"),
            ("class_name", "s.class_name"),
            ("enrol_year", "s.enrol_year"),
            ("status", "s.status"),
            ("id_hash", "s.id_hash"),
        ]),
        &format!("students s WHERE s.student_no = (SELECT u.student_no FROM users u WHERE u.id = {user})"),
    );
    let entries = d.list(
        &d.object(&[
            ("id", "e.id"),
            ("title", "e.title"),
            ("place", "e.place"),
            ("day", "e.day_of_week"),
            ("period_start", "e.period_start"),
            ("period_end", "e.period_end"),
            ("starts_at", "e.starts_at"),
            ("ends_at", "e.ends_at"),
            ("weeks", "e.weeks"),
            ("week_mask", "e.week_mask"),
        ]),
        &format!("schedule_entries e WHERE e.user_id = {user} AND e.semester_id = {semester}"),
    );
    let exams = d.list(
        &d.object(&[
            ("id", "x.id"),
            ("course_name", "c.name"),
            ("starts_at", "x.starts_at"),
            ("ends_at", "x.ends_at"),
            ("room", "x.room"),
            ("seat", "x.seat"),
        ]),
        &format!(
            "exams x INNER JOIN courses c ON c.id = x.course_id \
             WHERE x.student_no = (SELECT u.student_no FROM users u WHERE u.id = {user}) \
             AND x.ends_at > {now} AND x.starts_at <= {horizon}"
        ),
    );
    let bookings = d.list(
        &d.object(&[
            ("room", "r.code"),
            ("on_date", "b.on_date"),
            ("period_start", "b.period_start"),
            ("period_end", "b.period_end"),
            ("purpose", "b.purpose"),
            ("status", "b.status"),
        ]),
        &format!(
            "classroom_bookings b INNER JOIN classrooms r ON r.id = b.classroom_id WHERE b.user_id = {user} \
             AND ((b.status = 'approved' AND b.on_date = {today}) \
             OR (b.status = 'pending' AND b.on_date >= {today} AND b.on_date <= {tomorrow}))"
        ),
    );
    let pickups = d.list(
        &d.object(&[
            ("id", "o.id"),
            ("order_no", "o.order_no"),
            ("shop_name", "o.shop_name"),
            ("pickup_code", "o.pickup_code"),
        ]),
        &format!(
            "(SELECT o.id, o.order_no, s.name AS shop_name, o.pickup_code FROM orders o \
             INNER JOIN shops s ON s.id = o.shop_id WHERE o.user_id = {user} AND o.status = 'shipped' \
             AND o.delivery_type = 'pickup' ORDER BY o.id DESC LIMIT {PICKUPS}) o"
        ),
    );
    let kinds = d.list(
        if d.pg { "json_build_array(k.kind, k.total, k.unread)" } else { "json_array(k.kind, k.total, k.unread)" },
        &format!(
            "(SELECT m.kind, COUNT(*) AS total, COUNT(CASE WHEN m.read_at IS NULL THEN 1 END) AS unread \
             FROM messages m WHERE m.user_id = {user} GROUP BY m.kind) k"
        ),
    );
    format!(
        "SELECT {student} AS student, {entries} AS entries, {exams} AS exams, {bookings} AS bookings, \
         {pickups} AS pickups, {kinds} AS kinds"
    )
}

fn parse<T: for<'de> Deserialize<'de>>(json: Option<&str>) -> AppResult<Option<T>> {
    match json {
        None => Ok(None),
        Some(j) => Ok(Some(
            serde_json::from_str(j)
                .map_err(|e| crate::error::AppError::internal(anyhow::anyhow!("home page JSON: {e}: {j}")))?,
        )),
    }
}

fn parse_list<T: for<'de> Deserialize<'de>>(json: Option<&str>) -> AppResult<Vec<T>> {
    Ok(parse(json)?.unwrap_or_default())
}

/// A timestamp as either database writes it in JSON (`2026-12-05 08:00:00.5` on SQLite,
/// `2026-12-05T08:00:00.5` on PostgreSQL).
fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let s = String::deserialize(d)?;
    NaiveDateTime::parse_from_str(&s.replacen(' ', "T", 1), "%Y-%m-%dT%H:%M:%S%.f").map_err(serde::de::Error::custom)
}

#[derive(Deserialize)]
struct StudentJson {
    student_no: String,
    name: String,
    college: String,
    major: String,
    class_name: String,
    enrol_year: i32,
    status: String,
    id_hash: Option<String>,
}

impl StudentJson {
    fn into_student(self) -> Student {
        Student {
            student_no: self.student_no,
            name: self.name,
            college: self.college,
            major: self.major,
            class_name: self.class_name,
            enrol_year: self.enrol_year,
            status: self.status,
            id_hash: self.id_hash,
        }
    }
}

#[derive(Deserialize)]
struct EntryJson {
    id: i64,
    title: String,
    place: String,
    day: i32,
    period_start: Option<i32>,
    period_end: Option<i32>,
    starts_at: Option<NaiveTime>,
    ends_at: Option<NaiveTime>,
    weeks: String,
    week_mask: i64,
}

impl EntryJson {
    fn into_entry(self) -> OwnEntry {
        OwnEntry {
            id: self.id,
            title: self.title,
            place: self.place,
            day: self.day,
            period_start: self.period_start,
            period_end: self.period_end,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            weeks: self.weeks,
            week_mask: self.week_mask,
        }
    }
}

#[derive(Deserialize)]
struct ExamJson {
    id: i64,
    course_name: String,
    #[serde(deserialize_with = "timestamp")]
    starts_at: NaiveDateTime,
    #[serde(deserialize_with = "timestamp")]
    ends_at: NaiveDateTime,
    room: String,
    seat: String,
}

impl ExamJson {
    fn into_row(self) -> ExamRow {
        ExamRow {
            course_name: self.course_name,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            room: self.room,
            seat: self.seat,
        }
    }
}
