//! The rules of 学籍认证. Each way ends in `auth::service::link_student`, which keeps one account
//! per school number (unique index) and marks the account verified.

use crate::auth::codes::{self, SCHOOL_MAIL};
use crate::auth::models::Role;
use crate::auth::service::{self as auth, StudentLink};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};
use crate::{academic, audit};

use super::models::{Review, ReviewLine, SchoolNo, Who};
use super::queries;

/// Whether the user verifies as a teacher (against the staff roster) or as a student.
pub fn who(conn: &mut DbConn, user_id: i64) -> AppResult<Who> {
    let roles = auth::roles(conn, user_id)?;
    Ok(if roles.contains(&Role::Teacher) && !roles.contains(&Role::Student) { Who::Teacher } else { Who::Student })
}

/// What `/me/verify` shows: the user's state and their latest review.
pub struct Status {
    pub verified: bool,
    pub school_no: Option<String>,
    pub real_name: Option<String>,
    pub who: Who,
    pub latest_review: Option<Review>,
}

pub fn status(conn: &mut DbConn, user_id: i64) -> AppResult<Status> {
    let user = auth::user(conn, user_id)?;
    Ok(Status {
        verified: user.verified && user.student_no.is_some(),
        school_no: user.student_no,
        real_name: user.real_name,
        who: who(conn, user_id)?,
        latest_review: queries::latest_review_of(conn, user_id)?,
    })
}

fn refuse_if_verified(conn: &mut DbConn, user_id: i64) -> AppResult<()> {
    let user = auth::user(conn, user_id)?;
    if user.verified && user.student_no.is_some() {
        return Err(AppError::invalid("你的账号已经通过认证；如需更换学号请联系管理员"));
    }
    Ok(())
}

/// The roster's record for a school number, as a link: student roster for students, staff roster
/// for teachers. A teacher's number must not be a student's (the academic pages find a student's
/// records by the same column).
fn roster_link(conn: &mut DbConn, who: Who, no: &SchoolNo) -> AppResult<Option<OwnedLink>> {
    match who {
        Who::Student => Ok(academic::service::roster_student(conn, no.as_str())?.map(|s| OwnedLink {
            no: s.student_no,
            real_name: Some(s.name),
            college: Some(s.college),
            major: Some(s.major),
            class_name: Some(s.class_name),
        })),
        Who::Teacher => {
            if academic::service::roster_student(conn, no.as_str())?.is_some() {
                return Err(AppError::invalid("这是学生的学号，教职工请填写工号"));
            }
            Ok(academic::service::roster_teacher(conn, no.as_str())?.map(|(name, department)| OwnedLink {
                no: no.as_str().to_string(),
                real_name: Some(name),
                college: Some(department),
                major: None,
                class_name: None,
            }))
        }
    }
}

struct OwnedLink {
    no: String,
    real_name: Option<String>,
    college: Option<String>,
    major: Option<String>,
    class_name: Option<String>,
}

impl OwnedLink {
    fn bare(no: &SchoolNo) -> OwnedLink {
        OwnedLink { no: no.as_str().to_string(), real_name: None, college: None, major: None, class_name: None }
    }

    fn link(&self) -> StudentLink<'_> {
        StudentLink {
            student_no: &self.no,
            real_name: self.real_name.as_deref(),
            college: self.college.as_deref(),
            major: self.major.as_deref(),
            class_name: self.class_name.as_deref(),
        }
    }
}

/// Runs a link; a refused claim on a number someone holds tells that someone (in a transaction of
/// its own, after the refusal rolled back).
fn claim(conn: &mut DbConn, user_id: i64, no: &str, f: impl FnOnce(&mut DbConn) -> AppResult<()>) -> AppResult<()> {
    match f(conn) {
        Err(AppError::Conflict(msg)) => {
            auth::warn_holder_of_claim(conn, no, user_id)?;
            Err(AppError::Conflict(msg))
        }
        other => other,
    }
}

/// The code target: this user proving this number, so two accounts' codes never mix.
fn mail_target(user_id: i64, no: &SchoolNo) -> String {
    format!("{user_id}:{}", no.as_str())
}

/// Mails a 6-digit code to `学号@domain`. Returns the address it went to.
pub fn send_school_code(conn: &mut DbConn, key: &[u8], domain: &str, user_id: i64, no: &SchoolNo) -> AppResult<String> {
    refuse_if_verified(conn, user_id)?;
    let who = who(conn, user_id)?;
    if who == Who::Teacher && roster_link(conn, who, no)?.is_none() {
        return Err(AppError::invalid(format!("教职工名册中没有工号「{}」，请核对，或使用人工审核", no.as_str())));
    }
    if let Some(holder) = auth::holder_of_school_no(conn, no.as_str())?
        && holder != user_id
    {
        return Err(AppError::Conflict("这个学号已关联到另一个账号；如非本人操作，请联系学院教务办公室".into()));
    }
    let to = format!("{}@{domain}", no.as_str());
    write_tx(conn, |conn| {
        let code = codes::issue(conn, key, SCHOOL_MAIL, Some(user_id), &mail_target(user_id, no))?;
        let body = format!(
            "你正在校园助手进行学籍认证，学号/工号：{}。\n\n验证码：{code}\n\n验证码 10 分钟内有效，只能使用一次。如果不是你本人操作，请忽略这封邮件。",
            no.as_str()
        );
        notify::service::queue_secret_email(conn, Some(user_id), &to, "学籍认证验证码", &body)?;
        Ok::<_, AppError>(())
    })?;
    Ok(to)
}

/// Checks the mailed code; a right one links the number (and the roster's details, when the roster
/// has the number) and marks the account verified.
pub fn confirm_school_code(
    conn: &mut DbConn,
    key: &[u8],
    user_id: i64,
    no: &SchoolNo,
    code: &str,
    ip: &str,
) -> AppResult<()> {
    refuse_if_verified(conn, user_id)?;
    codes::redeem(conn, key, SCHOOL_MAIL, &mail_target(user_id, no), code)?;
    let who = who(conn, user_id)?;
    let owned = roster_link(conn, who, no)?.unwrap_or_else(|| OwnedLink::bare(no));
    claim(conn, user_id, no.as_str(), |conn| {
        write_tx(conn, |conn| {
            auth::link_student(conn, user_id, &owned.link())?;
            record(conn, user_id, "identity.verify", user_id, no.as_str(), "学校邮箱", ip)?;
            Ok(())
        })
    })
}

/// Roster match: student number + name + last six characters of the ID number, checked by the
/// academic module against the imported roster (keyed hash of the fragment only).
pub fn roster_match(
    conn: &mut DbConn,
    key: &[u8],
    user_id: i64,
    no: &SchoolNo,
    name: &str,
    id_last6: &str,
    ip: &str,
) -> AppResult<()> {
    refuse_if_verified(conn, user_id)?;
    if who(conn, user_id)? == Who::Teacher {
        return Err(AppError::invalid("教职工名册没有可核对的身份信息，请用学校邮箱或人工审核认证"));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 30 {
        return Err(AppError::invalid("请填写教务处登记的姓名"));
    }
    claim(conn, user_id, no.as_str(), |conn| {
        academic::service::link_student(conn, user_id, no.as_str(), Some(name), id_last6, key)
    })?;
    write_tx(conn, |conn| record(conn, user_id, "identity.verify", user_id, no.as_str(), "学籍名册核对", ip))
}

/// Queues a student-card photo (already stored as `photo_file`) for an admin.
pub fn submit_review(
    conn: &mut DbConn,
    user_id: i64,
    no: &SchoolNo,
    real_name: &str,
    photo_file: &str,
) -> AppResult<i64> {
    refuse_if_verified(conn, user_id)?;
    if let Some(holder) = auth::holder_of_school_no(conn, no.as_str())?
        && holder != user_id
    {
        return Err(AppError::Conflict("这个学号已关联到另一个账号；如非本人操作，请联系学院教务办公室".into()));
    }
    write_tx(conn, |conn| {
        queries::insert_review(conn, user_id, no.as_str(), real_name, photo_file, db::now()).map_err(|e| {
            let e = AppError::from(e);
            if e.is_duplicate() {
                AppError::Conflict("你已提交过认证申请，请等待管理员审核".into())
            } else {
                e
            }
        })
    })
}

/// The waiting queue, oldest first, with what the roster says of each number.
pub fn queue(conn: &mut DbConn) -> AppResult<Vec<ReviewLine>> {
    let reviews = queries::pending_reviews(conn)?;
    let mut lines = Vec::with_capacity(reviews.len());
    for (review, nickname) in reviews {
        let roster = academic::service::roster_student(conn, &review.school_no)?
            .map(|s| format!("{} · {} {}", s.name, s.college, s.class_name))
            .or(academic::service::roster_teacher(conn, &review.school_no)?
                .map(|(n, d)| format!("{n} · {d}（教职工）")));
        let holder = auth::holder_of_school_no(conn, &review.school_no)?.filter(|h| *h != review.user_id);
        lines.push(ReviewLine { review, nickname, roster, taken: holder.is_some() });
    }
    Ok(lines)
}

/// Decides a waiting review. Returns the photo file to delete once the decision is committed.
/// A review decided already is not found (409 would tell no more); approving a number another
/// account holds is refused and changes nothing.
pub fn decide(
    conn: &mut DbConn,
    admin_id: i64,
    review_id: i64,
    approve: bool,
    reason: &str,
    ip: &str,
) -> AppResult<Option<String>> {
    let reason = reason.trim();
    if !approve && (reason.is_empty() || reason.chars().count() > 200) {
        return Err(AppError::invalid("请填写驳回原因（200 字以内）"));
    }
    let review = queries::review(conn, review_id)?.ok_or(AppError::NotFound)?;
    let no = review.school_no.clone();
    write_tx(conn, |conn| {
        let status = if approve { "approved" } else { "rejected" };
        if queries::decide(conn, review_id, status, (!approve).then_some(reason), admin_id, db::now())? != 1 {
            return Err(AppError::Conflict("这条申请已经处理过了".into()));
        }
        if approve {
            let who = who(conn, review.user_id)?;
            let school_no = SchoolNo::parse(&no).map_err(AppError::Invalid)?;
            let mut owned = roster_link(conn, who, &school_no)?.unwrap_or_else(|| OwnedLink::bare(&school_no));
            owned.real_name = owned.real_name.or(Some(review.real_name.clone()));
            auth::link_student(conn, review.user_id, &owned.link()).map_err(|e| match e {
                AppError::Conflict(_) => AppError::Conflict("这个学号已被另一个账号认证，不能通过".into()),
                e => e,
            })?;
            notify::send(
                conn,
                review.user_id,
                MessageKind::Security,
                "学籍认证已通过",
                &format!("你提交的学生证已审核通过，账号已认证学号 {no}。现在可以在二手市场发布闲置了。"),
                Some("/me/verify"),
            )?;
        } else {
            notify::send(
                conn,
                review.user_id,
                MessageKind::Security,
                "学籍认证未通过",
                &format!("你提交的学生证未通过审核，原因：{reason}。可以重新提交，或改用学校邮箱、学籍名册认证。"),
                Some("/me/verify"),
            )?;
        }
        let detail = serde_json::json!({ "review": review_id, "school_no": no, "reason": reason }).to_string();
        let action = if approve { "identity.approve" } else { "identity.reject" };
        audit::record(conn, Some(admin_id), action, "user", Some(&review.user_id.to_string()), &detail, Some(ip))?;
        Ok::<_, AppError>(())
    })?;
    Ok(review.photo_file)
}

/// An admin removes a user's verification (wrong person, a number to be bound to another account).
pub fn unverify(conn: &mut DbConn, admin_id: i64, user_id: i64, reason: &str, ip: &str) -> AppResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(AppError::invalid("请填写解除认证的原因（200 字以内）"));
    }
    write_tx(conn, |conn| {
        let no = auth::unlink_student(conn, user_id)?.ok_or_else(|| AppError::invalid("该用户还没有认证"))?;
        notify::send(
            conn,
            user_id,
            MessageKind::Security,
            "学籍认证已被解除",
            &format!("管理员解除了你账号与学号 {no} 的认证，原因：{reason}。如有疑问请联系管理员，或重新认证。"),
            Some("/me/verify"),
        )?;
        let detail = serde_json::json!({ "school_no": no, "reason": reason }).to_string();
        audit::record(
            conn,
            Some(admin_id),
            "identity.unverify",
            "user",
            Some(&user_id.to_string()),
            &detail,
            Some(ip),
        )?;
        Ok(no)
    })
}

/// The account holding a school number, for the admin's unbind form.
pub fn holder(conn: &mut DbConn, no: &SchoolNo) -> AppResult<i64> {
    auth::holder_of_school_no(conn, no.as_str())?.ok_or_else(|| AppError::invalid("没有账号认证了这个学号"))
}

fn record(
    conn: &mut DbConn,
    actor: i64,
    action: &str,
    user_id: i64,
    no: &str,
    method: &str,
    ip: &str,
) -> AppResult<()> {
    let detail = serde_json::json!({ "school_no": no, "method": method }).to_string();
    audit::record(conn, Some(actor), action, "user", Some(&user_id.to_string()), &detail, Some(ip))
}

/// The user's verification requests, for the data export.
pub fn export(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<serde_json::Value>> {
    Ok(queries::reviews_of(conn, user_id)?
        .into_iter()
        .map(|r| {
            serde_json::json!({
                "school_no": r.school_no, "real_name": r.real_name, "status": r.status, "reason": r.reason,
                "created_at": r.created_at, "decided_at": r.decided_at,
            })
        })
        .collect())
}

/// Removes the user's verification requests (the account is being closed); returns the photo
/// files still waiting, for the caller to delete once committed.
pub fn forget_user(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<String>> {
    let photos = queries::reviews_of(conn, user_id)?.into_iter().filter_map(|r| r.photo_file).collect();
    queries::delete_reviews_of(conn, user_id)?;
    Ok(photos)
}
