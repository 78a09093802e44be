//! The shared moderation queue (`/admin/moderation`): things the sensitive-word filter sent to
//! review and things students reported, from every module. An admin approves, hides (what hiding means is the module's:
//! a product leaves the shelf) or hides and bans the author; each decision is audit-logged and
//! a decided flag cannot be decided again (409).

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::audit;
use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::moderation::{self, Flag};
use crate::state::AppState;
use crate::web::filters;
use crate::web::forms::ReasonForm;
use crate::web::page::Page;
use crate::web::{RequirePerm, need};
use crate::web::{client_ip, render, see_other, session};

#[derive(Template)]
#[template(path = "admin/moderation.html")]
pub struct ModerationView {
    pub page: Page,
    pub flags: Vec<Flag>,
    /// Second-hand items reported by students, handled on their own page.
    pub reported_items: usize,
}

pub async fn show(
    state: web::Data<AppState>,
    _a: RequirePerm<need::Moderation>,
    page: Page,
) -> AppResult<HttpResponse> {
    let (flags, reported_items) = state
        .db
        .run(|conn| Ok((moderation::open_flags(conn, 200)?, crate::market::service::reported(conn)?.len())))
        .await?;
    render(&ModerationView { page, flags, reported_items })
}

#[derive(Clone, Copy)]
enum Decision {
    Approve,
    Hide,
    Ban,
}

impl Decision {
    fn status(self) -> &'static str {
        match self {
            Decision::Approve => "approved",
            Decision::Hide => "hidden",
            Decision::Ban => "banned",
        }
    }
}

/// Carries out a decision the way the flagged thing's module does it.
fn apply(conn: &mut DbConn, flag: &Flag, decision: Decision, reason: &str, admin: i64, ip: &str) -> AppResult<()> {
    match (flag.kind.as_str(), decision) {
        (moderation::KIND_PRODUCT, Decision::Approve) => Ok(()),
        (moderation::KIND_PRODUCT, _) => crate::mall::service::take_down(conn, flag.target_id, reason, admin, ip),
        // The item's reports are settled too, so it leaves the second-hand report page.
        (moderation::KIND_SECOND_HAND, Decision::Approve) => {
            crate::market::service::dismiss_reports(conn, flag.target_id, admin, ip)
        }
        (moderation::KIND_SECOND_HAND, _) => crate::market::service::remove(conn, flag.target_id, admin, reason, ip),
        // A seller's standing: kept as is, or every item of theirs on sale is taken down.
        (moderation::KIND_SECOND_HAND_SELLER, Decision::Approve) => Ok(()),
        (moderation::KIND_SECOND_HAND_SELLER, _) => {
            crate::market::trade::withdraw_seller(conn, flag.target_id).map(drop)
        }
        (moderation::KIND_FORUM_POST | moderation::KIND_FORUM_COMMENT, Decision::Approve) => {
            crate::forum::service::approve_flagged(conn, &flag.kind, flag.target_id, admin)
        }
        (moderation::KIND_FORUM_POST | moderation::KIND_FORUM_COMMENT, _) => {
            crate::forum::service::hide_flagged(conn, &flag.kind, flag.target_id, reason, admin)
        }
        _ => Err(AppError::invalid("不认识的内容类型")),
    }
}

/// An admin's decision on one flag.
struct Verdict {
    admin: i64,
    id: i64,
    decision: Decision,
    reason: String,
}

async fn decide(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    verdict: Verdict,
) -> AppResult<HttpResponse> {
    let Verdict { admin, id, decision, reason } = verdict;
    let ip = client_ip(&req);
    state
        .db
        .run(move |conn| {
            write_tx(conn, |conn| {
                let flag = moderation::resolve(conn, id, decision.status(), admin)?;
                apply(conn, &flag, decision, &reason, admin, &ip)?;
                if let (Decision::Ban, Some(author)) = (decision, flag.author_id) {
                    super::service::set_banned(conn, admin, author, true, &ip)?;
                }
                let detail = serde_json::json!({
                    "kind": flag.kind,
                    "target": flag.target_id,
                    "decision": decision.status(),
                    "reason": reason,
                });
                audit::record(
                    conn,
                    Some(admin),
                    &format!("moderation.{}", decision.status()),
                    "moderation_flag",
                    Some(&id.to_string()),
                    &detail.to_string(),
                    Some(&ip),
                )
            })
        })
        .await?;
    mall.home.clear();
    let done = match decision {
        Decision::Approve => "已通过",
        Decision::Hide => "已下架",
        Decision::Ban => "已下架并封禁作者",
    };
    session::flash(&session, "success", done);
    Ok(see_other(&req, "/admin/moderation"))
}

pub async fn approve(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    decide(
        req,
        state,
        mall,
        session,
        Verdict { admin: a.0.id, id: path.into_inner(), decision: Decision::Approve, reason: String::new() },
    )
    .await
}

pub async fn hide_flagged(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let reason = form.reason()?;
    decide(
        req,
        state,
        mall,
        session,
        Verdict { admin: a.0.id, id: path.into_inner(), decision: Decision::Hide, reason },
    )
    .await
}

pub async fn ban_author(
    req: HttpRequest,
    state: web::Data<AppState>,
    mall: web::Data<crate::mall::State>,
    session: Session,
    a: RequirePerm<need::Moderation>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> AppResult<HttpResponse> {
    let reason = form.reason()?;
    decide(req, state, mall, session, Verdict { admin: a.0.id, id: path.into_inner(), decision: Decision::Ban, reason })
        .await
}
