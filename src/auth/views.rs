use askama::Template;

use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub page: Page,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

impl LoginPage {
    /// `next`, fit for a link's query.
    pub fn next_q(&self) -> String {
        crate::web::url_encode(&self.next)
    }
}

#[derive(Default)]
pub struct RegisterValues {
    pub username: String,
    pub nickname: String,
    pub email: String,
}

#[derive(Default)]
pub struct RegisterErrors {
    pub username: Option<String>,
    pub password: Option<String>,
    pub password2: Option<String>,
    pub nickname: Option<String>,
    pub email: Option<String>,
    pub form: Option<String>,
}

impl RegisterErrors {
    pub fn any(&self) -> bool {
        self.username.is_some()
            || self.password.is_some()
            || self.password2.is_some()
            || self.nickname.is_some()
            || self.email.is_some()
            || self.form.is_some()
    }
}

#[derive(Template)]
#[template(path = "auth/register.html")]
pub struct RegisterPage {
    pub page: Page,
    pub values: RegisterValues,
    pub errors: RegisterErrors,
}

#[derive(Template)]
#[template(path = "auth/security.html")]
pub struct SecurityPage {
    pub page: Page,
    pub sessions: Vec<super::sessions::SessionLine>,
    pub has_password: bool,
    /// The bound phone number, if any.
    pub phone: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
pub struct ForgotPage {
    pub page: Page,
    pub email: String,
    pub phone: String,
    /// The error belongs to the phone form.
    pub by_phone: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
pub struct ResetPage {
    pub page: Page,
    pub email: String,
    /// Set when the code came by SMS: the page asks for the phone instead of the email.
    pub phone: String,
    pub error: Option<String>,
}
