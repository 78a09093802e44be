//! Reminders' part of the personal-data registry (`crate::privacy`): the person's reminder
//! settings, quiet hours and the log of reminders decided for them. All of it goes with the
//! account.

use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("reminders")
        .table("reminder_prefs", Export::To("reminders"), Forget::Delete)
        .table("quiet_hours", Export::To("reminders"), Forget::Delete)
        .table("reminder_log", Export::To("reminders"), Forget::Delete)
        .export(|conn, who, out| {
            out.put("reminders", super::service::export_user(conn, who.user_id)?);
            Ok(())
        })
        .forget(|conn, who, _, _| super::service::forget_user(conn, who.user_id))
}
