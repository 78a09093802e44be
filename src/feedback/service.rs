use super::models::{Category, Feedback, OPEN, REPLIED, Reply};
use super::queries;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::notify::{self, MessageKind};

/// Files a user's feedback with its screenshots as one step: the screenshots stored (private,
/// re-encoded, all or none), the feedback written, the admins told; the screenshots go again
/// when the feedback is refused.
pub async fn send(
    state: &crate::state::AppState,
    user_id: i64,
    category: Category,
    body: String,
    files: Vec<Vec<u8>>,
) -> AppResult<i64> {
    use crate::web::media::{self, Fit};
    let dir = state.media.clone();
    let (d, stem) = (dir.clone(), format!("f{user_id}"));
    let images =
        actix_web::web::block(move || media::store_images(&d, super::FOLDER, &stem, &files, Fit::Within(1600)))
            .await??;
    let stored = images.clone();
    let sent = state.db.run(move |conn| submit(conn, user_id, category, &body, &images)).await;
    if sent.is_err() {
        let _ = actix_web::web::block(move || media::discard(&dir, super::FOLDER, &stored)).await;
    }
    sent
}

/// Files a user's feedback; the admins hear of it.
pub fn submit(conn: &mut DbConn, user_id: i64, category: Category, body: &str, images: &[String]) -> AppResult<i64> {
    let images = serde_json::to_string(images).map_err(AppError::internal)?;
    write_tx(conn, |conn| {
        let id = queries::insert(conn, user_id, category.as_str(), body, &images, db::now())?;
        let preview: String = body.chars().take(40).collect();
        for admin in crate::auth::staff::admins_who_may(conn, crate::web::Permission::Feedback)? {
            notify::send(
                conn,
                admin,
                MessageKind::System,
                &format!("新的意见反馈：{}", category.label()),
                &preview,
                Some(&format!("/admin/feedback/{id}")),
            )?;
        }
        Ok(id)
    })
}

pub fn mine(conn: &mut DbConn, user_id: i64) -> AppResult<Vec<Feedback>> {
    Ok(queries::of_user(conn, user_id)?)
}

pub struct Thread {
    pub feedback: Feedback,
    pub replies: Vec<Reply>,
    pub sender: String,
}

/// A thread: for its sender (`Some(user)`) or for the admins (`None`); anyone else's is not found.
pub fn thread(conn: &mut DbConn, id: i64, owner: Option<i64>) -> AppResult<Thread> {
    let feedback = queries::one(conn, id)?.ok_or(AppError::NotFound)?;
    if owner.is_some_and(|o| o != feedback.user_id) {
        return Err(AppError::NotFound);
    }
    let sender = crate::auth::service::user(conn, feedback.user_id)?.nickname;
    Ok(Thread { replies: queries::replies(conn, id)?, feedback, sender })
}

pub fn all(conn: &mut DbConn) -> AppResult<Vec<(Feedback, String)>> {
    Ok(queries::all(conn)?)
}

/// The sender writes again: the thread is open for the admins once more.
pub fn follow_up(conn: &mut DbConn, id: i64, user_id: i64, body: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        thread(conn, id, Some(user_id))?;
        queries::insert_reply(conn, id, user_id, false, body, db::now())?;
        queries::set_status(conn, id, OPEN, db::now())?;
        Ok(())
    })
}

/// An admin answers; the answer goes to the sender's messages.
pub fn answer(conn: &mut DbConn, id: i64, admin: i64, body: &str, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let t = thread(conn, id, None)?;
        queries::insert_reply(conn, id, admin, true, body, db::now())?;
        queries::set_status(conn, id, REPLIED, db::now())?;
        notify::send(
            conn,
            t.feedback.user_id,
            MessageKind::Feedback,
            "你的反馈有了回复",
            &body.chars().take(200).collect::<String>(),
            Some(&format!("/me/feedback/{id}")),
        )?;
        crate::audit::record(conn, Some(admin), "feedback.reply", "feedback", Some(&id.to_string()), "{}", Some(ip))
    })
}

pub fn open_count(conn: &mut DbConn) -> AppResult<i64> {
    Ok(queries::count_open(conn)?)
}

/// A user's feedback and the replies, as plain data (the privacy export).
pub fn export(conn: &mut DbConn, user_id: i64) -> AppResult<serde_json::Value> {
    let mut out = Vec::new();
    for f in queries::of_user(conn, user_id)? {
        let replies = queries::replies(conn, f.id)?;
        out.push(serde_json::json!({ "feedback": f, "replies": replies }));
    }
    Ok(serde_json::Value::Array(out))
}

/// The demo thread: a student's question and the admin's answer.
pub fn seed_demo(conn: &mut DbConn, student: i64, admin: i64) -> AppResult<()> {
    if !mine(conn, student)?.is_empty() {
        return Ok(());
    }
    // Written directly: demo accounts start with only their two welcome messages unread.
    let id = queries::insert(
        conn,
        student,
        Category::Suggestion.as_str(),
        "希望活动报名成功后能在首页看到提醒。",
        "[]",
        db::now(),
    )?;
    queries::insert_reply(
        conn,
        id,
        admin,
        true,
        "谢谢建议！首页已经加上“我报名的活动”，活动前一天还会发提醒消息。",
        db::now(),
    )?;
    queries::set_status(conn, id, REPLIED, db::now())?;
    Ok(())
}

/// Who may see a screenshot: its sender, or an admin who handles feedback. `None` when no
/// feedback holds it (never uploaded, or its sender's account closed).
pub fn screenshot_sender(conn: &mut DbConn, url_path: &str) -> AppResult<Option<i64>> {
    Ok(queries::sender_of_image(conn, url_path)?)
}
