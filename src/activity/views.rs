use askama::Template;

use super::models::{Activity, ActivityForm, Card, Category, Registration};
use super::organize::Registrants;
use super::service::Detail;
use crate::web::filters;
use crate::web::page::Page;

/// The filters of the list, as the page's links repeat them.
#[derive(Clone, Debug, Default)]
pub struct ListState {
    pub category: String,
    pub q: String,
    pub past: bool,
    pub page_no: i64,
}

impl ListState {
    pub fn url(&self, category: &str, past: bool, page_no: i64) -> String {
        let mut url = format!("/activities?page={page_no}");
        if !category.is_empty() {
            url.push_str(&format!("&category={category}"));
        }
        if !self.q.is_empty() {
            url.push_str(&format!("&q={}", crate::web::url_encode(&self.q)));
        }
        if past {
            url.push_str("&when=past");
        }
        url
    }

    /// The same list in another category (`""` for all).
    pub fn in_category(&self, category: &str) -> String {
        self.url(category, self.past, 1)
    }

    pub fn upcoming(&self) -> String {
        self.url(&self.category, false, 1)
    }

    pub fn past_list(&self) -> String {
        self.url(&self.category, true, 1)
    }
}

#[derive(Template)]
#[template(path = "activity/list.html")]
pub struct ListView {
    pub page: Page,
    pub state: ListState,
    pub cards: Vec<Card>,
    pub more_url: Option<String>,
    pub can_organize: bool,
}

impl ListView {
    pub fn categories(&self) -> [Category; 4] {
        Category::ALL
    }
}

/// The next page of cards, for htmx's infinite scroll.
#[derive(Template)]
#[template(path = "activity/_cards.html")]
pub struct CardsFragment {
    pub cards: Vec<Card>,
    pub more_url: Option<String>,
}

#[derive(Template)]
#[template(path = "activity/detail.html")]
pub struct DetailView {
    pub page: Page,
    pub d: Detail,
    pub can_manage: bool,
    /// An admin who may open registration to everyone.
    pub can_open: bool,
    pub signed_in: bool,
}

impl DetailView {
    /// Where the place is on the campus map.
    pub fn map_url(&self) -> String {
        match self.d.activity.poi_id {
            Some(id) => format!("/campus/map?poi={id}"),
            None => format!("/campus/map?q={}", crate::web::url_encode(&self.d.activity.place)),
        }
    }
}

/// The registration form's values, kept when it comes back with an error.
#[derive(Clone, Debug, Default)]
pub struct SignupValues {
    pub name: String,
    pub student_no: String,
    pub phone: String,
    pub answers: Vec<String>,
}

impl SignupValues {
    pub fn answer(&self, i: &usize) -> &str {
        self.answers.get(*i).map_or("", String::as_str)
    }
}

#[derive(Template)]
#[template(path = "activity/register.html")]
pub struct RegisterView {
    pub page: Page,
    pub activity: Activity,
    pub values: SignupValues,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "activity/ticket.html")]
pub struct TicketView {
    pub page: Page,
    pub activity: Activity,
    pub reg: Registration,
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "activity/mine.html")]
pub struct MineView {
    pub page: Page,
    pub rows: Vec<(Registration, Card)>,
}

#[derive(Template)]
#[template(path = "activity/manage.html")]
pub struct ManageView {
    pub page: Page,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "activity/edit.html")]
pub struct EditView {
    pub page: Page,
    /// `None` for a new activity.
    pub id: Option<i64>,
    pub form: ActivityForm,
    pub poster: Option<String>,
    pub error: Option<String>,
}

impl EditView {
    pub fn categories(&self) -> [Category; 4] {
        Category::ALL
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/activities/{id}/edit"),
            None => "/activities/new".into(),
        }
    }
}

#[derive(Template)]
#[template(path = "activity/registrants.html")]
pub struct RegistrantsView {
    pub page: Page,
    pub list: Registrants,
}

#[derive(Template)]
#[template(path = "activity/checkin.html")]
pub struct CheckinView {
    pub page: Page,
    pub activity: Activity,
    pub code: String,
    pub found: Option<Registration>,
    pub done: Option<Registration>,
    pub error: Option<String>,
}
