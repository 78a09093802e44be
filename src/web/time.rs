//! Campus time. Stored times are UTC (`db::now()`); people read and type them in China Standard
//! Time (Asia/Shanghai), which is UTC+8 all year — no daylight saving since 1991 — so a fixed
//! offset is exact and spares the build the whole time-zone database.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, TimeZone};

/// China Standard Time: UTC+8.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// A stored UTC time on the campus clock.
pub fn local(utc: NaiveDateTime) -> DateTime<FixedOffset> {
    CHINA.from_utc_datetime(&utc)
}

/// A stored UTC time as `2026-11-25 15:30` on the campus clock.
pub fn minute(utc: NaiveDateTime) -> String {
    local(utc).format("%Y-%m-%d %H:%M").to_string()
}

/// The campus calendar day of a stored UTC time.
pub fn date(utc: NaiveDateTime) -> NaiveDate {
    local(utc).date_naive()
}

/// A campus wall-clock time (a form's `datetime-local`, a day's midnight) as stored UTC.
pub fn utc(local: NaiveDateTime) -> NaiveDateTime {
    local - TimeDelta::seconds(i64::from(CHINA.local_minus_utc()))
}
