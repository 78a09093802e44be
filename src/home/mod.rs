//! The home page (`/`): for a signed-in student the day's dashboard (unread messages by kind,
//! the activities they signed up for), for everyone the public blocks: the forum's hot posts,
//! upcoming activities, latest news, mall picks. A linked student or teacher gets the today
//! card first ([`today`]). The public part is the same for every visitor and is shared for a
//! couple of seconds ([`State`]); the personal part is her sign-ups and one statement for the
//! rest (`personal`): with the session, three statements.

mod personal;
pub mod today;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::activity::models::{Card, Registration};
use crate::campus::news::models::NewsCard;
use crate::error::AppResult;
use crate::mall::models::ProductCard;
use crate::notify::service::Tab;
use crate::state::AppState;
use crate::web::filters;
use crate::web::page::{MaybeUser, Page};
use crate::web::render;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(show_home));
}

/// What every visitor sees.
pub struct Public {
    pub hot: Vec<crate::forum::service::PostCard>,
    pub activities: Vec<Card>,
    pub news: Vec<NewsCard>,
    pub picks: Vec<ProductCard>,
}

/// The home page's shared blocks, kept for a moment.
#[derive(Default)]
pub struct State(Mutex<Option<(Instant, Arc<Public>)>>);

impl State {
    const TTL: Duration = Duration::from_secs(2);

    fn get(&self) -> Option<Arc<Public>> {
        let slot = self.0.lock().ok()?;
        slot.as_ref().filter(|(at, _)| at.elapsed() < Self::TTL).map(|(_, p)| p.clone())
    }

    fn put(&self, public: Arc<Public>) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((Instant::now(), public));
        }
    }
}

fn load_public(conn: &mut crate::db::DbConn, forum: &crate::forum::State) -> AppResult<Public> {
    let filter = crate::activity::service::ListFilter::default();
    let mut activities = crate::activity::service::list(conn, &filter, 1)?;
    activities.truncate(3);
    Ok(Public {
        hot: crate::forum::service::hot_posts(conn, 3, &forum.names)?,
        activities,
        news: crate::campus::news::service::feed(conn, None, None, 3)?,
        picks: crate::mall::service::home(conn)?.hot.into_iter().take(4).collect(),
    })
}

/// The signed-in student's own blocks.
pub struct Mine {
    pub tabs: Vec<Tab>,
    pub registrations: Vec<(Registration, Card)>,
    /// The today card, for a linked student or teacher.
    pub today: Option<today::TodayCard>,
}

#[derive(Template)]
#[template(path = "home/index.html")]
struct HomePage {
    page: Page,
    public: Arc<Public>,
    mine: Option<Mine>,
}

async fn show_home(
    state: web::Data<AppState>,
    home: web::Data<State>,
    forum: web::Data<crate::forum::State>,
    user: MaybeUser,
    page: Page,
) -> AppResult<HttpResponse> {
    let public = match home.get() {
        Some(p) => p,
        None => {
            let p = Arc::new(state.db.read_here(move |conn| load_public(conn, &forum)).await?);
            home.put(p.clone());
            p
        }
    };
    let mine = match user.0.as_ref().map(|u| u.id) {
        Some(id) => Some(
            state
                .db
                .read_here(move |conn| {
                    let now = crate::db::now();
                    let cal = crate::academic::service::school_days(conn, crate::academic::service::today(now))?;
                    let semester = cal.as_ref().map(|c| c.semester.id);
                    let mut personal = personal::load(conn, id, semester, now)?;
                    let mut registrations = crate::activity::service::mine(conn, id, true)?;
                    let today = today::today_card(conn, id, cal, &mut personal, &registrations, now)?;
                    registrations.truncate(3);
                    let tabs = crate::notify::service::tabs_from(std::mem::take(&mut personal.kinds));
                    Ok(Mine { tabs, registrations, today })
                })
                .await?,
        ),
        None => None,
    };
    render(&HomePage { page, public, mine })
}
