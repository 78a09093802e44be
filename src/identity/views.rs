use askama::Template;

use super::models::{Review, ReviewLine};
use super::service::Status;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "identity/verify.html")]
pub struct VerifyPage {
    pub page: Page,
    pub status: Status,
    /// `CAMPUS_SCHOOL_MAIL_DOMAIN`; `None` = campus-email verification is off.
    pub mail_domain: Option<String>,
    /// The number a code was just mailed for (the code form shows then).
    pub code_for: Option<String>,
    pub error: Option<String>,
}

impl VerifyPage {
    pub fn latest(&self) -> Option<&Review> {
        self.status.latest_review.as_ref()
    }

    pub fn is_student(&self) -> bool {
        self.status.who == super::models::Who::Student
    }

    pub fn pending(&self) -> bool {
        self.latest().is_some_and(|r| r.status == "pending")
    }
}

#[derive(Template)]
#[template(path = "identity/admin_queue.html")]
pub struct QueuePage {
    pub page: Page,
    pub lines: Vec<ReviewLine>,
}
