use askama::Template;

use super::service::{Overview, outcome_label};
use crate::notify::reminders::{LEADS, Purpose};
use crate::web::page::Page;

/// `/me/reminders`: the settings form, WeChat messages left, quiet hours, latest reminders.
/// `error` (a refused save) shows above the form, which keeps what was typed.
#[derive(Template)]
#[template(path = "reminders/reminders.html")]
pub struct RemindersPage {
    pub page: Page,
    pub o: Overview,
    pub error: Option<String>,
    /// The quiet-hours fields as shown (what was typed, after a refused save).
    pub quiet_from: String,
    pub quiet_to: String,
}

impl RemindersPage {
    pub fn leads(&self) -> [i32; 4] {
        LEADS
    }

    pub fn hint(&self, p: &Purpose) -> &'static str {
        match p {
            Purpose::Class => "课表上的每节课开始前",
            Purpose::Exam => "考试安排里的每场考试",
            Purpose::Activity => "已报名（非候补）的活动开始前",
            Purpose::Grade => "有新成绩或成绩变动时立即通知",
        }
    }

    pub fn outcome(&self, o: &str) -> &'static str {
        outcome_label(o)
    }

    pub fn when(&self, t: &chrono::NaiveDateTime) -> String {
        crate::web::time::minute(*t)
    }

    pub fn purpose_label(&self, p: &str) -> &'static str {
        Purpose::parse(p).map_or("提醒", Purpose::label)
    }
}
