//! The student's home page (`/`): greeting, latest messages, the forum's hot posts and the ways
//! into each module.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::error::AppResult;
use crate::notify::{self, models::Message};
use crate::state::AppState;
use crate::web::filters;
use crate::web::page::{CurrentUser, Page};
use crate::web::pagination::PageRequest;
use crate::web::render;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(show_home));
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Page,
    user: CurrentUser,
    messages: Vec<Message>,
    hot: Vec<crate::forum::service::PostCard>,
}

async fn show_home(
    state: web::Data<AppState>,
    forum: web::Data<crate::forum::State>,
    user: CurrentUser,
    page: Page,
) -> AppResult<HttpResponse> {
    let id = user.id;
    let (latest, hot) = state
        .db
        .run(move |conn| {
            let latest = notify::service::list_messages(conn, id, PageRequest { page: 1, per_page: 5 })?;
            Ok((latest, crate::forum::service::hot_posts(conn, 3, &forum.names)?))
        })
        .await?;
    render(&HomePage { page, user, messages: latest.items, hot })
}
