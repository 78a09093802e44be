//! The organizer's side: publishing and editing activities, the registrant list and its CSV/XLSX,
//! messages to everyone registered, and check-in by code. Admins manage every activity; a user
//! with the organizer role manages their own.

use super::models::{Activity, ActivitySpec, Card, REGISTERED, Registration, WAITLISTED};
use super::queries;
use super::service::{promote, schedule_reminder};
use crate::audit;
use crate::db::reseal::col;
use crate::db::sealed::Keyring;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::web::page::CurrentUser;

/// Who manages: their id, and whether they are an admin (who manages everything).
#[derive(Clone, Copy, Debug)]
pub struct Manager {
    pub id: i64,
    pub admin: bool,
}

impl Manager {
    /// The signed-in user as a manager, when they may organize at all. Whether they manage as
    /// an admin is [`CurrentUser::check`]'s to say (two-factor included); an organizer manages
    /// their own activities either way.
    pub fn of(user: &CurrentUser) -> AppResult<Manager> {
        use crate::web::Permission;
        match user.check(Permission::Activities) {
            Ok(()) => {
                crate::db::acting::set(Permission::Activities.code());
                Ok(Manager { id: user.id, admin: true })
            }
            Err(_) if user.has(crate::web::page::Role::Organizer) => Ok(Manager { id: user.id, admin: false }),
            Err(AppError::TwoFactorSetup) => Err(AppError::TwoFactorSetup),
            Err(_) => Err(AppError::Denied("只有活动组织者和管理员可以管理活动".into())),
        }
    }

    pub fn manages(&self, a: &Activity) -> bool {
        self.admin || a.organizer_id == self.id
    }
}

/// An activity this manager manages; anyone else's is not found.
pub fn managed_activity(conn: &mut DbConn, m: Manager, id: i64) -> AppResult<Activity> {
    match queries::activity(conn, id)? {
        Some(a) if m.manages(&a) => Ok(a),
        _ => Err(AppError::NotFound),
    }
}

pub fn managed(conn: &mut DbConn, m: Manager) -> AppResult<Vec<Card>> {
    Ok(queries::managed(conn, (!m.admin).then_some(m.id))?)
}

fn questions_json(spec: &ActivitySpec) -> AppResult<String> {
    serde_json::to_string(&spec.questions).map_err(AppError::internal)
}

/// Publishes an activity and queues its day-before reminder.
pub fn create(conn: &mut DbConn, m: Manager, spec: &ActivitySpec, poster: Option<&str>, ip: &str) -> AppResult<i64> {
    if spec.starts_at <= db::now() {
        return Err(AppError::invalid("开始时间应晚于现在"));
    }
    let questions = questions_json(spec)?;
    write_tx(conn, |conn| {
        let id = queries::insert_activity(conn, m.id, spec, &questions, poster, db::now())?;
        schedule_reminder(conn, id, spec.starts_at)?;
        let detail = serde_json::json!({ "title": spec.title }).to_string();
        audit::record(conn, Some(m.id), "activity.create", "activity", Some(&id.to_string()), &detail, Some(ip))?;
        Ok(id)
    })
}

/// Saves an edit. The capacity cannot drop below the seats taken; when it grows, the line moves
/// up at once. A moved start gets a new reminder.
pub fn update(
    conn: &mut DbConn,
    m: Manager,
    id: i64,
    spec: &ActivitySpec,
    new_poster: Option<&str>,
    ip: &str,
) -> AppResult<()> {
    let questions = questions_json(spec)?;
    write_tx(conn, |conn| {
        queries::lock_activity(conn, id)?;
        let before = managed_activity(conn, m, id)?;
        let poster = new_poster.map(str::to_string).or(before.poster.clone());
        if queries::update_activity(conn, id, spec, &questions, poster.as_deref(), db::now())? != 1 {
            return Err(AppError::invalid(format!("名额不能少于已报名的 {} 人", before.registered)));
        }
        let after = queries::activity(conn, id)?.ok_or(AppError::NotFound)?;
        while let Some(next) = queries::first_waiting(conn, id)? {
            if queries::take_seat(conn, id)? != 1 {
                break;
            }
            if !promote(conn, &after, &next)? {
                queries::free_seat(conn, id)?;
                break;
            }
        }
        if before.starts_at != spec.starts_at {
            queries::reset_reminder(conn, id)?;
            schedule_reminder(conn, id, spec.starts_at)?;
        }
        let detail = serde_json::json!({ "title": spec.title, "capacity": spec.capacity }).to_string();
        audit::record(conn, Some(m.id), "activity.update", "activity", Some(&id.to_string()), &detail, Some(ip))
    })
}

pub struct Registrants {
    pub activity: Activity,
    pub rows: Vec<Registration>,
    /// Each row's phone, opened for the organizer.
    pub phones: Vec<String>,
    pub checked_in: usize,
}

impl Registrants {
    /// The rows with their opened phones.
    pub fn listed(&self) -> Vec<(&Registration, &str)> {
        self.rows.iter().zip(self.phones.iter().map(String::as_str)).collect()
    }
}

pub fn registrants(conn: &mut DbConn, keys: &Keyring, m: Manager, id: i64) -> AppResult<Registrants> {
    let activity = managed_activity(conn, m, id)?;
    let rows = queries::registrants(conn, id)?;
    let phones = rows.iter().map(|r| keys.show(col::REGISTRATION_PHONE, &r.phone)).collect();
    let checked_in = rows.iter().filter(|r| r.checked_in_at.is_some()).count();
    Ok(Registrants { activity, rows, phones, checked_in })
}

fn shanghai(t: chrono::NaiveDateTime) -> String {
    crate::web::time::minute(t)
}

/// The registrant list as rows of text: the header, then one row per live registration with
/// the answers to the organizer's questions in their own columns.
fn registrant_table(list: &Registrants) -> Vec<Vec<String>> {
    let questions = list.activity.questions();
    let mut head: Vec<String> =
        ["序号", "状态", "姓名", "学号", "手机号", "报名时间", "签到时间", "签到码"].map(String::from).to_vec();
    head.extend(questions.iter().map(|q| q.label.clone()));
    let mut table = vec![head];
    for (i, (r, phone)) in list.listed().into_iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            r.status_label().to_string(),
            r.name.clone(),
            r.student_no.clone(),
            phone.to_string(),
            shanghai(r.created_at),
            r.checked_in_at.map(shanghai).unwrap_or_default(),
            r.code.clone(),
        ];
        let answers = r.answers();
        row.extend(
            questions
                .iter()
                .map(|q| answers.iter().find(|a| a.question == q.label).map(|a| a.answer.clone()).unwrap_or_default()),
        );
        table.push(row);
    }
    table
}

/// The registrant list as CSV (UTF-8 with a BOM, so Excel reads the Chinese right).
pub fn export_csv(conn: &mut DbConn, keys: &Keyring, m: Manager, id: i64) -> AppResult<(String, Vec<u8>)> {
    let list = registrants(conn, keys, m, id)?;
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    for (n, row) in registrant_table(&list).into_iter().enumerate() {
        // A cell starting with = + - @ would be a formula in a spreadsheet.
        let row: Vec<String> = row
            .into_iter()
            .map(|c| if n > 0 && c.starts_with(['=', '+', '-', '@']) { format!("'{c}") } else { c })
            .collect();
        out.write_record(&row).map_err(AppError::internal)?;
    }
    let data = out.into_inner().map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    Ok((format!("activity-{id}-registrants.csv"), data))
}

/// The registrant list as an XLSX workbook: the same columns as the CSV, in a sheet named
/// after the activity. Inline-string cells are never formulas, so nothing needs quoting.
pub fn export_xlsx(conn: &mut DbConn, keys: &Keyring, m: Manager, id: i64) -> AppResult<(String, Vec<u8>)> {
    let list = registrants(conn, keys, m, id)?;
    let data = crate::web::xlsx::workbook(&list.activity.title, &registrant_table(&list))?;
    Ok((format!("activity-{id}-registrants.xlsx"), data))
}

/// Sends one message to everyone holding a seat (and, when asked, the waitlist too).
pub fn message_all(
    conn: &mut DbConn,
    m: Manager,
    id: i64,
    body: &str,
    include_waitlist: bool,
    ip: &str,
) -> AppResult<usize> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 500 {
        return Err(AppError::invalid("通知内容需为 1–500 个字"));
    }
    write_tx(conn, |conn| {
        let a = managed_activity(conn, m, id)?;
        let rows = queries::registrants(conn, id)?;
        let link = format!("/activities/{id}");
        let mut sent = 0;
        for r in rows.iter().filter(|r| r.status == REGISTERED || (include_waitlist && r.status == WAITLISTED)) {
            notify::send(conn, r.user_id, MessageKind::Activity, &format!("活动通知：{}", a.title), body, Some(&link))?;
            sent += 1;
        }
        let detail = serde_json::json!({ "recipients": sent, "body": body }).to_string();
        audit::record(conn, Some(m.id), "activity.message", "activity", Some(&id.to_string()), &detail, Some(ip))?;
        Ok(sent)
    })
}

/// A code as typed or scanned: the code itself or a check-in link holding it.
pub fn normalize_code(raw: &str) -> String {
    let raw = raw.trim();
    let code = raw.rsplit_once("code=").map_or(raw, |(_, c)| c);
    code.chars().filter(|c| c.is_ascii_alphanumeric()).take(16).collect::<String>().to_ascii_uppercase()
}

/// The registration a code belongs to, for the organizer to confirm.
pub fn lookup(conn: &mut DbConn, m: Manager, id: i64, code: &str) -> AppResult<(Activity, Option<Registration>)> {
    let a = managed_activity(conn, m, id)?;
    let code = normalize_code(code);
    let reg = if code.is_empty() { None } else { queries::by_code(conn, id, &code)?.filter(Registration::is_live) };
    Ok((a, reg))
}

/// Checks a registrant in by their code; each seat once.
pub fn check_in(conn: &mut DbConn, m: Manager, id: i64, code: &str) -> AppResult<Registration> {
    write_tx(conn, |conn| {
        let a = managed_activity(conn, m, id)?;
        let code = normalize_code(code);
        let Some(reg) = queries::by_code(conn, id, &code)?.filter(Registration::is_live) else {
            return Err(AppError::invalid(format!("签到码 {code} 不属于「{}」的有效报名", a.title)));
        };
        if reg.status == WAITLISTED {
            return Err(AppError::conflict(format!("{} 还在候补名单中，没有名额", reg.name)));
        }
        if let Some(at) = reg.checked_in_at {
            return Err(AppError::conflict(format!("{} 已于 {} 签到过了", reg.name, shanghai(at))));
        }
        if queries::check_in(conn, reg.id, db::now())? != 1 {
            return Err(AppError::conflict(format!("{} 已签到过了", reg.name)));
        }
        notify::send(
            conn,
            reg.user_id,
            MessageKind::Activity,
            &format!("签到成功：{}", a.title),
            &format!("你已于 {} 完成签到，祝活动愉快。", shanghai(db::now())),
            Some(&format!("/activities/{id}")),
        )?;
        queries::registration(conn, reg.id)?.ok_or(AppError::NotFound)
    })
}
