use askama::Template;

use crate::auth::models::User;
use crate::notify::models::Message;
use crate::notify::prefs::Pref;
use crate::notify::service::Tab;
use crate::web::filters;
use crate::web::page::Page;
use crate::web::pagination::Paginated;

#[derive(Template)]
#[template(path = "profile/me.html")]
pub struct MePage {
    pub page: Page,
    pub user: User,
    /// The account's phone, opened.
    pub phone: Option<String>,
}

#[derive(Default)]
pub struct SettingsErrors {
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub avatar: Option<String>,
}

#[derive(Template)]
#[template(path = "profile/settings.html")]
pub struct SettingsPage {
    pub page: Page,
    pub user: User,
    /// The account's phone, opened.
    pub phone: Option<String>,
    pub nickname: String,
    pub email: String,
    pub errors: SettingsErrors,
}

#[derive(Template)]
#[template(path = "profile/messages.html")]
pub struct MessagesPage {
    pub page: Page,
    pub csrf: String,
    pub list: Paginated<Message>,
    pub tabs: Vec<Tab>,
    /// The category shown, `""` for all.
    pub category: String,
}

impl MessagesPage {
    pub fn unread_here(&self) -> i64 {
        match self.tabs.iter().find(|t| t.category.as_str() == self.category) {
            Some(t) => t.unread,
            None => self.tabs.iter().map(|t| t.unread).sum(),
        }
    }
}

/// The list alone, for htmx paging.
#[derive(Template)]
#[template(path = "profile/_message_list.html")]
pub struct MessageList {
    pub csrf: String,
    pub list: Paginated<Message>,
    pub category: String,
}

/// One message, re-rendered after it is marked read.
#[derive(Template)]
#[template(path = "profile/_message_item.html")]
pub struct MessageItem {
    pub csrf: String,
    pub m: Message,
}

/// The notification switches and what the page says around them.
pub struct MessageSettings {
    pub csrf: String,
    pub prefs: Vec<Pref>,
    /// Without an address the email switches have nothing to send to; the page says so.
    pub has_email: bool,
    pub saved: bool,
}

/// `/me/messages/settings`: which categories also go out by email and WeChat.
#[derive(Template)]
#[template(path = "profile/message_settings.html")]
pub struct MessageSettingsPage {
    pub page: Page,
    pub form: MessageSettings,
}

/// The switches alone: what htmx swaps after each change.
#[derive(Template)]
#[template(path = "profile/_message_settings.html")]
pub struct MessageSettingsForm {
    pub form: MessageSettings,
}
