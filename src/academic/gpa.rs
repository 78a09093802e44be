//! Grade points on the 4.0 scale: the one place the score → point mapping lives.
//!
//! The default is the mapping most Chinese universities publish (北大 4.0 算法):
//! 90–100 → 4.0, 85–89 → 3.7, 82–84 → 3.3, 78–81 → 3.0, 75–77 → 2.7, 72–74 → 2.3,
//! 68–71 → 2.0, 64–67 → 1.5, 60–63 → 1.0, below 60 → 0 (failed). A school with another
//! table sets `CAMPUS_GPA_SCALE` to the same form: `90:4.0,85:3.7,…,60:1.0` (lowest score of
//! each band, then its point; below the last band is 0). GPA is credit-weighted:
//! Σ(credit × point) / Σ credit, over every graded course (a failed course counts with 0).

/// The default mapping, in `CAMPUS_GPA_SCALE` form.
pub const DEFAULT_SCALE: &str = "90:4.0,85:3.7,82:3.3,78:3.0,75:2.7,72:2.3,68:2.0,64:1.5,60:1.0";

/// The score a course needs to pass, in tenths.
pub const PASS_TENTHS: i32 = 600;

/// Score bands, highest first: (lowest score, point), both in tenths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale(Vec<(i32, i32)>);

impl Scale {
    /// Parses `CAMPUS_GPA_SCALE` (unset = [`DEFAULT_SCALE`]).
    pub fn parse(text: Option<&str>) -> Result<Scale, String> {
        let text = text.unwrap_or(DEFAULT_SCALE);
        let bad = || format!("CAMPUS_GPA_SCALE must look like {DEFAULT_SCALE} (highest band first)");
        let mut bands = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (score, point) = part.split_once(':').ok_or_else(bad)?;
            let score = tenths(score).ok_or_else(bad)?;
            let point = tenths(point).ok_or_else(bad)?;
            if !(0..=1000).contains(&score) || !(0..=50).contains(&point) {
                return Err(bad());
            }
            if bands.last().is_some_and(|&(s, p)| s <= score || p < point) {
                return Err(bad());
            }
            bands.push((score, point));
        }
        if bands.is_empty() {
            return Err(bad());
        }
        Ok(Scale(bands))
    }

    /// The table in words: `90 分及以上 4.0，85–89.9 分 3.7，…，60 分以下 0`.
    pub fn describe(&self) -> String {
        let t = |n: i32| if n % 10 == 0 { (n / 10).to_string() } else { format!("{}.{}", n / 10, n % 10) };
        let mut parts = Vec::new();
        for (i, (score, point)) in self.0.iter().enumerate() {
            let p = format!("{}.{}", point / 10, point % 10);
            parts.push(if i == 0 {
                format!("{} 分及以上 {p}", t(*score))
            } else {
                format!("{} 分起 {p}", t(*score))
            });
        }
        if let Some((lowest, _)) = self.0.last() {
            parts.push(format!("{} 分以下 0（不及格）", t(*lowest)));
        }
        parts.join("，")
    }

    /// The highest point (tenths) the scale gives.
    pub fn max_point(&self) -> i32 {
        self.0.first().map_or(0, |(_, p)| *p)
    }

    /// The lowest score (tenths) whose point reaches `point` (tenths), `None` above the scale.
    pub fn score_for(&self, point: i32) -> Option<i32> {
        if point <= 0 {
            return Some(0);
        }
        self.0.iter().filter(|(_, p)| *p >= point).map(|(s, _)| *s).min()
    }

    /// The point (tenths) of a total score (tenths).
    pub fn point(&self, total: i32) -> i32 {
        self.0.iter().find(|(s, _)| total >= *s).map_or(0, |(_, p)| *p)
    }
}

impl Default for Scale {
    fn default() -> Scale {
        Scale::parse(None).unwrap_or(Scale(vec![(600, 10)]))
    }
}

fn tenths(s: &str) -> Option<i32> {
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), "0"));
    let frac = frac.trim_end_matches('0');
    if frac.len() > 1 {
        return None;
    }
    Some(whole.parse::<i32>().ok()? * 10 + if frac.is_empty() { 0 } else { frac.parse::<i32>().ok()? })
}

/// Credit-weighted GPA in hundredths (3.52 → 352), `None` without credits. `courses` are
/// (credit tenths, point tenths).
pub fn weighted(courses: impl IntoIterator<Item = (i32, i32)>) -> Option<i64> {
    let (mut sum, mut credits) = (0i64, 0i64);
    for (credit, point) in courses {
        sum += i64::from(credit) * i64::from(point);
        credits += i64::from(credit);
    }
    // sum / credits is in tenths of a point; ×10 for hundredths, rounded half up.
    (credits > 0).then(|| (sum * 10 * 2 + credits) / (credits * 2))
}
