//! Rows of the activity tables and the parsed forms that write them. Parsing is where a bad
//! field gets the Chinese words the user sees.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{activities, activity_registrations};
use crate::db::sealed::Sealed;

pub const PUBLISHED: &str = "published";
pub const CANCELLED: &str = "cancelled";

/// A registration holding a seat.
pub const REGISTERED: &str = "registered";
/// A registration waiting for a seat, served in id order.
pub const WAITLISTED: &str = "waitlisted";
/// Withdrawn by the student (or the activity was cancelled).
pub const WITHDRAWN: &str = "cancelled";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Lecture,
    Club,
    Sports,
    Volunteer,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Lecture, Category::Club, Category::Sports, Category::Volunteer];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Lecture => "lecture",
            Category::Club => "club",
            Category::Sports => "sports",
            Category::Volunteer => "volunteer",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Lecture => "讲座",
            Category::Club => "社团",
            Category::Sports => "体育",
            Category::Volunteer => "志愿",
        }
    }
}

/// One of the organizer's own questions on the registration form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub label: String,
    pub required: bool,
}

/// A student's answer to one question, kept with the question it answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = activities)]
pub struct Activity {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub poster: Option<String>,
    pub place: String,
    pub poi_id: Option<i64>,
    pub organizer_id: i64,
    pub host: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub capacity: i64,
    pub registered: i64,
    pub questions: String,
    pub status: String,
    /// Opened by an admin to everyone; otherwise only people who passed 学籍认证 register.
    pub open_to_all: bool,
}

/// What a list shows of an activity.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = activities)]
pub struct Card {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub poster: Option<String>,
    pub place: String,
    pub host: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub capacity: i64,
    pub registered: i64,
    pub status: String,
}

/// Where an activity stands for someone looking at it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Open,
    Full,
    Closed,
    Running,
    Over,
    Cancelled,
}

impl Phase {
    pub fn of(status: &str, deadline: NaiveDateTime, starts: NaiveDateTime, ends: NaiveDateTime, full: bool) -> Phase {
        let now = crate::db::now();
        if status == CANCELLED {
            Phase::Cancelled
        } else if now >= ends {
            Phase::Over
        } else if now >= starts {
            Phase::Running
        } else if now >= deadline {
            Phase::Closed
        } else if full {
            Phase::Full
        } else {
            Phase::Open
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Open => "报名中",
            Phase::Full => "已满，可候补",
            Phase::Closed => "报名已截止",
            Phase::Running => "进行中",
            Phase::Over => "已结束",
            Phase::Cancelled => "已取消",
        }
    }

    /// A CSS modifier for the badge.
    pub fn css(self) -> &'static str {
        match self {
            Phase::Open => "open",
            Phase::Full => "full",
            _ => "shut",
        }
    }
}

fn category_label(category: &str) -> &'static str {
    Category::parse(category).map_or("活动", Category::label)
}

fn poster_or_default(poster: &Option<String>) -> String {
    poster.clone().unwrap_or_else(|| crate::web::assets::url("img/activity.svg").into_owned())
}

impl Card {
    pub fn phase(&self) -> Phase {
        Phase::of(&self.status, self.deadline, self.starts_at, self.ends_at, self.registered >= self.capacity)
    }
    pub fn category_label(&self) -> &'static str {
        category_label(&self.category)
    }
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.registered).max(0)
    }
    pub fn poster_url(&self) -> String {
        poster_or_default(&self.poster)
    }
}

impl Activity {
    pub fn phase(&self) -> Phase {
        Phase::of(&self.status, self.deadline, self.starts_at, self.ends_at, self.registered >= self.capacity)
    }
    pub fn category_label(&self) -> &'static str {
        category_label(&self.category)
    }
    pub fn seats_left(&self) -> i64 {
        (self.capacity - self.registered).max(0)
    }
    pub fn poster_url(&self) -> String {
        poster_or_default(&self.poster)
    }
    pub fn questions(&self) -> Vec<Question> {
        serde_json::from_str(&self.questions).unwrap_or_default()
    }
    /// Registration is possible (a seat or the waitlist) until the deadline.
    pub fn accepts_registrations(&self) -> bool {
        matches!(self.phase(), Phase::Open | Phase::Full)
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = activity_registrations)]
pub struct Registration {
    pub id: i64,
    pub activity_id: i64,
    pub user_id: i64,
    pub status: String,
    pub name: String,
    pub student_no: String,
    /// Sealed (`db::sealed`): opened for the organizer's list and the person's own export.
    #[serde(skip)]
    pub phone: Sealed,
    pub answers: String,
    pub code: String,
    pub checked_in_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Registration {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            REGISTERED if self.checked_in_at.is_some() => "已签到",
            REGISTERED => "已报名",
            WAITLISTED => "候补中",
            _ => "已取消",
        }
    }
    pub fn answers(&self) -> Vec<Answer> {
        serde_json::from_str(&self.answers).unwrap_or_default()
    }
    pub fn is_live(&self) -> bool {
        self.status != WITHDRAWN
    }
}

/// A registration form, every field checked.
#[derive(Clone, Debug)]
pub struct Signup {
    pub name: String,
    pub student_no: String,
    pub phone: String,
    pub answers: Vec<Answer>,
}

impl Signup {
    /// Checks the fields against the activity's questions; `answers` in question order.
    pub fn parse(
        name: &str,
        student_no: &str,
        phone: &str,
        answers: &[String],
        questions: &[Question],
    ) -> Result<Signup, String> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 20 {
            return Err("请填写姓名（20 字以内）".into());
        }
        let student_no = student_no.trim();
        if !(4..=20).contains(&student_no.len()) || !student_no.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err("请填写正确的学号（4–20 位数字或字母）".into());
        }
        let phone = crate::auth::models::Phone::parse(phone)?;
        let mut out = Vec::with_capacity(questions.len());
        for (i, q) in questions.iter().enumerate() {
            let a = answers.get(i).map(|s| s.trim()).unwrap_or("");
            if q.required && a.is_empty() {
                return Err(format!("请回答：{}", q.label));
            }
            if a.chars().count() > 200 {
                return Err(format!("「{}」的回答请控制在 200 字以内", q.label));
            }
            out.push(Answer { question: q.label.clone(), answer: a.to_string() });
        }
        Ok(Signup { name: name.into(), student_no: student_no.into(), phone: phone.as_str().into(), answers: out })
    }
}

/// An activity as the organizer's form describes it, every field checked.
#[derive(Clone, Debug)]
pub struct ActivitySpec {
    pub title: String,
    pub category: Category,
    pub description: String,
    pub place: String,
    pub poi_id: Option<i64>,
    pub host: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub deadline: NaiveDateTime,
    pub capacity: i64,
    pub questions: Vec<Question>,
}

/// The raw organizer form (text fields of the multipart upload).
#[derive(Clone, Debug, Default)]
pub struct ActivityForm {
    pub title: String,
    pub category: String,
    pub description: String,
    pub place: String,
    pub poi_id: String,
    pub host: String,
    pub starts_at: String,
    pub ends_at: String,
    pub deadline: String,
    pub capacity: String,
    pub questions: String,
}

pub use crate::web::forms::{local_input, parse_local};

impl ActivityForm {
    pub fn parse(&self) -> Result<ActivitySpec, String> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 40 {
            return Err("活动名称需为 1–40 个字".into());
        }
        let category = Category::parse(&self.category).ok_or("请选择活动类别")?;
        let description = self.description.trim();
        if description.is_empty() || description.chars().count() > 3000 {
            return Err("活动介绍需为 1–3000 个字".into());
        }
        let place = self.place.trim();
        if place.is_empty() || place.chars().count() > 40 {
            return Err("请填写活动地点（40 字以内）".into());
        }
        let host = self.host.trim();
        if host.is_empty() || host.chars().count() > 30 {
            return Err("请填写主办方（30 字以内）".into());
        }
        let poi_id = match self.poi_id.trim() {
            "" | "0" => None,
            s => Some(s.parse::<i64>().map_err(|_| "地图位置无效")?),
        };
        let starts_at = parse_local(&self.starts_at).ok_or("开始时间格式应为 2026-12-05 14:00")?;
        let ends_at = parse_local(&self.ends_at).ok_or("结束时间格式应为 2026-12-05 16:00")?;
        let deadline = parse_local(&self.deadline).ok_or("报名截止时间格式应为 2026-12-04 22:00")?;
        if ends_at <= starts_at {
            return Err("结束时间应晚于开始时间".into());
        }
        if deadline > starts_at {
            return Err("报名截止时间不能晚于开始时间".into());
        }
        let capacity: i64 = self.capacity.trim().parse().map_err(|_| "名额应为 1–10000 的整数")?;
        if !(1..=10_000).contains(&capacity) {
            return Err("名额应为 1–10000 的整数".into());
        }
        let mut questions = Vec::new();
        for line in self.questions.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (label, required) = match line.strip_suffix("（选填）").or_else(|| line.strip_suffix("(选填)")) {
                Some(l) => (l.trim(), false),
                None => (line, true),
            };
            if label.is_empty() || label.chars().count() > 60 {
                return Err("每个报名问题需为 1–60 个字".into());
            }
            questions.push(Question { label: label.into(), required });
        }
        if questions.len() > 10 {
            return Err("报名问题最多 10 个".into());
        }
        Ok(ActivitySpec {
            title: title.into(),
            category,
            description: description.into(),
            place: place.into(),
            poi_id,
            host: host.into(),
            starts_at,
            ends_at,
            deadline,
            capacity,
            questions,
        })
    }

    /// The form filled with an existing activity, for editing.
    pub fn of(a: &Activity) -> ActivityForm {
        ActivityForm {
            title: a.title.clone(),
            category: a.category.clone(),
            description: a.description.clone(),
            place: a.place.clone(),
            poi_id: a.poi_id.map(|p| p.to_string()).unwrap_or_default(),
            host: a.host.clone(),
            starts_at: local_input(a.starts_at),
            ends_at: local_input(a.ends_at),
            deadline: local_input(a.deadline),
            capacity: a.capacity.to_string(),
            questions: a
                .questions()
                .iter()
                .map(|q| if q.required { q.label.clone() } else { format!("{}（选填）", q.label) })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}
