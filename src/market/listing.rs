//! Putting an item on sale as one step: its photos stored (re-encoded, all or none), WeChat's
//! content check where it is switched on, the listing written through the word filter. All or
//! nothing: the photos go again when the listing is refused.

use actix_web::web;

use super::models::NewItem;
use super::service;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::media::{self, Fit};

/// Lists `item` for `seller` with the photos `files`; returns the listing's id. A refusal the
/// seller can act on is `AppError::Invalid`.
pub async fn publish(state: &AppState, seller: i64, mut item: NewItem, files: Vec<Vec<u8>>) -> AppResult<i64> {
    let dir = state.media.clone();
    let (d, stem) = (dir.clone(), format!("s{seller}"));
    item.images =
        web::block(move || media::store_images(&d, "second-hand", &stem, &files, Fit::Within(1080))).await??;
    let images = item.images.clone();
    let text = format!("{}\n{}", item.title, item.description);
    let listed = async {
        let flag = wechat_doubt(state, seller, &text).await?;
        let words = state.words.clone();
        state.db.run(move |conn| service::post_item(conn, &words, seller, &item, flag.as_deref())).await
    }
    .await;
    if listed.is_err() {
        let _ = web::block(move || media::discard(&dir, "second-hand", &images)).await;
    }
    listed
}

/// WeChat's `msgSecCheck` on a text, when switched on and the user came through WeChat:
/// risky text is refused; doubtful text is published for review. WeChat being unreachable
/// does not stop anyone: the local filter has already run.
async fn wechat_doubt(state: &AppState, user_id: i64, text: &str) -> AppResult<Option<String>> {
    if !state.config.wx.msg_sec_check {
        return Ok(None);
    }
    let Some(openid) = state.db.run(move |conn| crate::auth::service::wechat_openid(conn, user_id)).await? else {
        return Ok(None);
    };
    let (wx, text) = (state.wx.clone(), text.to_string());
    match web::block(move || wx.msg_sec_check(&openid, 1, &text)).await? {
        Ok(crate::wechat::SecVerdict::Risky) => Err(AppError::invalid("内容可能违规，请修改后再发布")),
        Ok(crate::wechat::SecVerdict::Review) => Ok(Some("微信内容安全待审核".into())),
        Ok(crate::wechat::SecVerdict::Pass) => Ok(None),
        Err(e) => {
            tracing::warn!(error = %e, "msgSecCheck unavailable");
            Ok(None)
        }
    }
}
