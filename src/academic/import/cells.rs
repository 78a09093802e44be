//! Reading one cell of an import row as a typed value; the error is the reason the row's report
//! gives, in Chinese.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A required text of at most `max` characters.
pub fn text(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("不能为空".into());
    }
    if v.chars().count() > max {
        return Err(format!("不能超过 {max} 个字"));
    }
    Ok(v.to_string())
}

/// An optional text of at most `max` characters (empty = `None`).
pub fn optional(value: &str, max: usize) -> Result<Option<String>, String> {
    if value.trim().is_empty() { Ok(None) } else { text(value, max).map(Some) }
}

/// A code (学号, 工号, 课程代码, 教室): letters, digits, `-` and `_`, at most 32.
pub fn code(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("不能为空".into());
    }
    if v.len() > 32 || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(format!("「{v}」不是有效的编号（字母、数字、- 或 _，最多 32 位）"));
    }
    Ok(v.to_string())
}

/// A whole number in `range`.
pub fn int(value: &str, range: std::ops::RangeInclusive<i32>) -> Result<i32, String> {
    value
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| format!("「{}」应为 {} 到 {} 之间的整数", value.trim(), range.start(), range.end()))
}

/// A decimal with at most one digit after the point, in tenths (`3.5` → 35), within `max`.
pub fn tenths(value: &str, max: i32) -> Result<i32, String> {
    let v = value.trim();
    let bad = || format!("「{v}」应为 0 到 {} 之间的数，最多一位小数", max / 10);
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 4 {
        return Err(bad());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 1 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i32 = whole.parse::<i32>().map_err(|_| bad())? * 10 + frac.parse::<i32>().unwrap_or(0);
    if n > max { Err(bad()) } else { Ok(n) }
}

/// A score out of 100 in tenths, or one of the five-level words (优秀 95, 良好 85, 中等 75,
/// 及格 65, 不及格 50 — the usual conversion for a 五级制 course).
pub fn score(value: &str) -> Result<i32, String> {
    match value.trim() {
        "优秀" | "优" => Ok(950),
        "良好" | "良" => Ok(850),
        "中等" | "中" => Ok(750),
        "及格" => Ok(650),
        "不及格" => Ok(500),
        v => tenths(v, 1000),
    }
}

pub fn optional_score(value: &str) -> Result<Option<i32>, String> {
    if value.trim().is_empty() { Ok(None) } else { score(value).map(Some) }
}

/// A date as `2026-09-07`, `2026/9/7` or `2026.9.7`.
pub fn date(value: &str) -> Result<NaiveDate, String> {
    let v = value.trim();
    let normal: String = v.chars().map(|c| if c == '/' || c == '.' { '-' } else { c }).collect();
    let normal = normal.split(' ').next().unwrap_or("");
    NaiveDate::parse_from_str(normal, "%Y-%m-%d").map_err(|_| format!("「{v}」不是有效的日期（如 2026-09-07）"))
}

/// A time of day as `08:30` (or `8:30:00`).
pub fn time(value: &str) -> Result<NaiveTime, String> {
    let v = value.trim();
    NaiveTime::parse_from_str(v, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(v, "%H:%M:%S"))
        .map_err(|_| format!("「{v}」不是有效的时间（如 08:30）"))
}

/// A Shanghai wall-clock date and time as the UTC instant it is (China keeps no summer time).
pub fn shanghai_to_utc(date: NaiveDate, time: NaiveTime) -> Result<NaiveDateTime, String> {
    Ok(crate::web::time::utc(date.and_time(time)))
}

/// `软工2301,软工2302` from any usual separator.
pub fn class_names(v: &str) -> Result<String, String> {
    let names: Vec<&str> =
        v.split([',', '，', '、', ';', '；', ' ']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if names.is_empty() {
        return Err("不能为空".into());
    }
    if names.iter().any(|n| n.chars().count() > 40) || names.len() > 20 {
        return Err("班级名称过长或过多".into());
    }
    Ok(names.join(","))
}

/// 1–7 or 一…日 (周一, 星期日 …).
pub fn day_of_week(v: &str) -> Result<i32, String> {
    let v = v.trim().trim_start_matches("星期").trim_start_matches("周");
    match v {
        "一" | "1" => Ok(1),
        "二" | "2" => Ok(2),
        "三" | "3" => Ok(3),
        "四" | "4" => Ok(4),
        "五" | "5" => Ok(5),
        "六" | "6" => Ok(6),
        "日" | "天" | "7" => Ok(7),
        other => Err(format!("「{other}」不是星期几（1–7 或 一至日）")),
    }
}

/// An office phone (digits, `-`, spaces, extension with `转`), or nothing.
pub fn office_phone(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.chars().count() > 30 || !v.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '转') {
        return Err(format!("「{v}」不是有效的电话号码"));
    }
    Ok(v.to_string())
}

/// An email address, or nothing.
pub fn email(value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(String::new());
    }
    let ok = v.len() <= 80
        && v.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.contains('@'))
        && !v.chars().any(char::is_whitespace);
    if ok { Ok(v.to_string()) } else { Err(format!("「{v}」不是有效的邮箱")) }
}

/// A school year such as `2025-2026` (the second year follows the first).
pub fn school_year(value: &str) -> Result<String, String> {
    let v = value.trim();
    let years = v.split_once(['-', '–']).and_then(|(a, b)| Some((a.parse::<i32>().ok()?, b.parse::<i32>().ok()?)));
    match years {
        Some((a, b)) if (1950..=2100).contains(&a) && b == a + 1 => Ok(format!("{a}-{b}")),
        _ => Err(format!("「{v}」不是学年（应写作 2025-2026）")),
    }
}
