//! Keeping the academic records in step with the school's system without an admin uploading
//! files. A [`Source`] hands over each kind's records in the documented format (a CSV or XLSX
//! body) and [`sync`] imports them in the order their references need, exactly as an upload
//! would: upsert by natural key, a per-row report, grade alerts. [`Folder`] is the source that
//! exists today — a directory the school's nightly export drops `students.csv`, `grades.xlsx`, …
//! into, synced by `campus sync DIR` from cron. An adapter to a 教务系统's HTTP API implements
//! the same trait and changes nothing else.

use std::path::PathBuf;

use super::{Kind, Report, execute, plan};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Where academic records come from.
pub trait Source {
    /// What the reports call it (`/srv/export`, `正方教务 API`).
    fn describe(&self) -> String;

    /// The records of `kind`: a file name (its extension says CSV or XLSX) and its bytes; `None`
    /// when the source has nothing of that kind this time.
    fn fetch(&self, kind: Kind) -> AppResult<Option<(String, Vec<u8>)>>;
}

/// A directory holding `<kind>.csv` or `<kind>.xlsx` (kinds as `campus import` names them).
pub struct Folder(pub PathBuf);

impl Source for Folder {
    fn describe(&self) -> String {
        self.0.display().to_string()
    }

    fn fetch(&self, kind: Kind) -> AppResult<Option<(String, Vec<u8>)>> {
        for ext in ["csv", "xlsx"] {
            let name = format!("{}.{ext}", kind.as_str());
            let path = self.0.join(&name);
            match std::fs::read(&path) {
                Ok(data) => return Ok(Some((name, data))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(AppError::internal(anyhow::anyhow!("{}: {e}", path.display()))),
            }
        }
        Ok(None)
    }
}

/// The order the kinds' references need: a schedule names its semester, course, teacher and
/// room; a grade its student.
pub const ORDER: [Kind; 10] = [
    Kind::Calendar,
    Kind::Courses,
    Kind::Teachers,
    Kind::Classrooms,
    Kind::Students,
    Kind::Schedules,
    Kind::Grades,
    Kind::Exams,
    Kind::Contacts,
    Kind::Evaluations,
];

/// What one kind's turn came to: its rows and report, or why the whole file was refused.
pub struct Step {
    pub kind: Kind,
    pub file: String,
    pub outcome: Result<(usize, Report), String>,
}

/// Imports every kind `source` has, in [`ORDER`]. A refused file (wrong header, unreadable) is
/// reported and the next kind still runs; a database failure stops the run.
pub fn sync(
    conn: &mut DbConn,
    source: &dyn Source,
    key: &[u8],
    dry: bool,
    progress: &mut dyn FnMut(Kind, usize, usize),
) -> AppResult<Vec<Step>> {
    let mut steps = Vec::new();
    for kind in ORDER {
        let Some((file, data)) = source.fetch(kind)? else { continue };
        let planned = match plan(conn, kind, Some(key), &file, &data) {
            Ok(p) => p,
            Err(AppError::Invalid(why)) => {
                steps.push(Step { kind, file, outcome: Err(why) });
                continue;
            }
            Err(e) => return Err(e),
        };
        let rows = planned.rows;
        let report = execute(conn, planned, dry, &mut |_, done, total| {
            progress(kind, done, total);
            Ok(())
        })?;
        steps.push(Step { kind, file, outcome: Ok((rows, report)) });
    }
    Ok(steps)
}
