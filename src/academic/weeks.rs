//! Teaching weeks: the rules a timetable writes ("1-16", "1-8,10-16", "1-16单周", "双周",
//! "3,5,7") parsed into a set of weeks, kept as a bitmask (bit n-1 = week n).

/// The longest semester a week rule may speak of.
pub const MAX_WEEKS: i32 = 30;

/// A parsed week rule: which teaching weeks a class meets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekSet(i64);

#[derive(Clone, Copy, PartialEq)]
enum Parity {
    All,
    Odd,
    Even,
}

impl WeekSet {
    pub fn from_mask(mask: i64) -> WeekSet {
        WeekSet(mask)
    }

    pub fn mask(self) -> i64 {
        self.0
    }

    pub fn contains(self, week: i32) -> bool {
        (1..=63).contains(&week) && self.0 & (1i64 << (week - 1)) != 0
    }

    pub fn weeks(self) -> impl Iterator<Item = i32> {
        (1..=MAX_WEEKS).filter(move |w| self.contains(*w))
    }

    /// Parses `text` for a semester of `semester_weeks` weeks. A bare 单周/双周 means every odd
    /// or even week of the semester; a week past the semester's end is an error, not dropped.
    pub fn parse(text: &str, semester_weeks: i32) -> Result<WeekSet, String> {
        let bad = || format!("周次「{text}」无法识别，应写作 1-16、1-8,10-16、1-16单周、双周 或 3,5,7");
        let normal: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '，' | '、' | ';' | '；' => ',',
                '－' | '—' | '–' | '~' | '～' | '至' => '-',
                c => c,
            })
            .filter(|c| !c.is_whitespace() && !matches!(c, '第' | '(' | ')' | '（' | '）' | '[' | ']'))
            .collect();
        if normal.is_empty() {
            return Err("请填写上课周次".to_string());
        }
        let mut mask = 0i64;
        for part in normal.split(',') {
            let (body, parity) = if let Some(b) = part.strip_suffix("单周").or_else(|| part.strip_suffix('单')) {
                (b, Parity::Odd)
            } else if let Some(b) = part.strip_suffix("双周").or_else(|| part.strip_suffix('双')) {
                (b, Parity::Even)
            } else {
                (part.strip_suffix('周').unwrap_or(part), Parity::All)
            };
            let (from, to) = if body.is_empty() {
                if parity == Parity::All {
                    return Err(bad());
                }
                (1, semester_weeks)
            } else if let Some((a, b)) = body.split_once('-') {
                let a: i32 = a.parse().map_err(|_| bad())?;
                let b: i32 = b.parse().map_err(|_| bad())?;
                (a, b)
            } else {
                let n: i32 = body.parse().map_err(|_| bad())?;
                (n, n)
            };
            if from < 1 || from > to {
                return Err(bad());
            }
            if to > semester_weeks {
                return Err(format!("周次「{text}」超出了本学期的 {semester_weeks} 个教学周"));
            }
            for w in from..=to {
                let keep = match parity {
                    Parity::All => true,
                    Parity::Odd => w % 2 == 1,
                    Parity::Even => w % 2 == 0,
                };
                if keep {
                    mask |= 1i64 << (w - 1);
                }
            }
        }
        if mask == 0 {
            return Err(format!("周次「{text}」里没有任何一周"));
        }
        Ok(WeekSet(mask))
    }

    /// The weeks as a short text, e.g. `1-8, 10-16周`.
    pub fn describe(self) -> String {
        let weeks: Vec<i32> = self.weeks().collect();
        let mut parts = Vec::new();
        let mut i = 0;
        while i < weeks.len() {
            let mut j = i;
            while j + 1 < weeks.len() && weeks[j + 1] == weeks[j] + 1 {
                j += 1;
            }
            parts.push(if i == j { weeks[i].to_string() } else { format!("{}-{}", weeks[i], weeks[j]) });
            i = j + 1;
        }
        format!("{}周", parts.join(", "))
    }
}
