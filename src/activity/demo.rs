//! Demo activities: upcoming ones (one full, with a waitlist), one past with check-ins.

use chrono::TimeDelta;

use super::models::{ActivitySpec, Category, Question};
use super::queries;
use super::service::{self, SignupForm};
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn};
use crate::error::AppResult;

/// An activity `days` from today (Shanghai) at `hour` o'clock Shanghai time: a demo started in the
/// evening still shows its events in the day ("now + 2 h" put them at 1 a.m.).
#[expect(clippy::too_many_arguments, reason = "one demo row, read as a table")]
fn spec(
    title: &str,
    category: Category,
    host: &str,
    place: &str,
    days: i64,
    hour: u32,
    capacity: i64,
    text: &str,
) -> ActivitySpec {
    let day = crate::web::time::date(db::now()) + TimeDelta::days(days);
    let starts_at =
        crate::web::time::utc(day.and_time(chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()));
    ActivitySpec {
        title: title.into(),
        category,
        description: text.into(),
        place: place.into(),
        poi_id: None,
        host: host.into(),
        starts_at,
        ends_at: starts_at + TimeDelta::hours(2),
        deadline: starts_at - TimeDelta::hours(12),
        capacity,
        questions: vec![Question { label: "所在学院".into(), required: true }],
    }
}

/// A seat or a place in line, written without messages (demo accounts start with two unread).
fn seat(conn: &mut DbConn, keys: &Keyring, activity_id: i64, user_id: i64, f: &SignupForm) -> AppResult<()> {
    let signup = super::models::Signup::parse(&f.name, &f.student_no, &f.phone, &f.answers, &[])
        .map_err(crate::error::AppError::Invalid)?;
    let status =
        if queries::take_seat(conn, activity_id)? == 1 { super::models::REGISTERED } else { super::models::WAITLISTED };
    let code = service::new_code();
    let phone = keys.seal(col::REGISTRATION_PHONE, &signup.phone);
    let row = queries::NewRegistration {
        activity_id,
        user_id,
        status,
        signup: &signup,
        phone: &phone,
        answers: "[]",
        code: &code,
    };
    queries::insert_registration(conn, &row, db::now())?;
    Ok(())
}

fn form(name: &str, student_no: &str, phone: &str) -> SignupForm {
    SignupForm {
        name: name.into(),
        student_no: student_no.into(),
        phone: phone.into(),
        answers: vec!["计算机学院".into()],
    }
}

/// Loads the demo activities once; `people` are (user id, name, student no, phone) of demo accounts.
pub fn seed(conn: &mut DbConn, keys: &Keyring, organizer: i64, people: &[(i64, &str, &str, &str)]) -> AppResult<()> {
    if !queries::managed(conn, None)?.is_empty() {
        return Ok(());
    }
    let list = [
        spec(
            "人工智能前沿讲座",
            Category::Lecture,
            "计算机学院",
            "图书馆报告厅",
            3,
            14,
            120,
            "邀请业内专家分享大模型与智能体的最新进展，现场可提问交流。",
        ),
        spec(
            "校园歌手大赛初赛",
            Category::Club,
            "校学生会文艺部",
            "大学生活动中心",
            5,
            19,
            2,
            "唱出你的声音！初赛每人演唱一首，评委现场打分。",
        ),
        spec(
            "周末环湖跑",
            Category::Sports,
            "跑步协会",
            "东门集合",
            2,
            8,
            60,
            "5 公里环湖慢跑，配速自由，完赛有纪念徽章。",
        ),
        spec(
            "社区图书角志愿服务",
            Category::Volunteer,
            "青年志愿者协会",
            "学生街社区中心",
            7,
            9,
            20,
            "整理图书、陪伴小朋友阅读，计入志愿时长 3 小时。",
        ),
    ];
    let mut ids = Vec::new();
    for s in &list {
        let questions = serde_json::to_string(&s.questions).unwrap_or_else(|_| "[]".into());
        let id = queries::insert_activity(conn, organizer, s, &questions, None, db::now())?;
        service::schedule_reminder(conn, id, s.starts_at)?;
        ids.push(id);
    }
    // The singing contest is full: two seats taken, the third demo person waits.
    for (uid, name, no, phone) in people {
        seat(conn, keys, ids[1], *uid, &form(name, no, phone))?;
    }
    if let Some((uid, name, no, phone)) = people.first() {
        seat(conn, keys, ids[0], *uid, &form(name, no, phone))?;
    }
    let mut past = spec(
        "新生入学讲座",
        Category::Lecture,
        "学生处",
        "大礼堂",
        -20,
        9,
        300,
        "入学教育：校规校纪、安全知识与学习方法。",
    );
    past.deadline = past.starts_at - TimeDelta::days(1);
    let questions = serde_json::to_string(&past.questions).unwrap_or_else(|_| "[]".into());
    queries::insert_activity(conn, organizer, &past, &questions, None, db::now())?;
    Ok(())
}
