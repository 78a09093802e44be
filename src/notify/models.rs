use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{email_outbox, messages};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct Message {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub read_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl Message {
    pub fn kind_label(&self) -> &'static str {
        super::MessageKind::label(&self.kind)
    }

    pub fn is_unread(&self) -> bool {
        self.read_at.is_none()
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = email_outbox)]
pub struct OutboxEmail {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    /// A one-time code is inside: the body is blanked once sent.
    pub scrub_after_send: bool,
}
