//! Importing academic records from the school's own system (教务系统, the source of truth) as
//! CSV or XLSX files, read by the shared [`crate::tabular`] reader.
//!
//! A file is read and every row checked at once ([`plan`]): a missing column refuses the whole
//! file; a bad row is kept in the report with its line, column and reason, and the good rows go
//! on. Saving ([`execute`]) upserts by each kind's natural key in transactions of a few hundred
//! rows, so re-importing the same file changes nothing; a dry run asks the same questions and
//! writes nothing. The admin page runs it in the background and records progress in
//! `academic_imports`; the CLI runs it in place and prints progress.

pub mod bulk;
pub mod cells;
pub mod check;
pub mod jobs;
pub mod kinds;
pub mod save;
pub mod sync;

use std::collections::HashMap;

use check::{Cells, Item, Lookups};
pub use kinds::Kind;
use save::Outcome;

use crate::db::{DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::tabular;

/// At most this many data rows per file.
pub const MAX_ROWS: usize = 250_000;
/// Rows saved per transaction.
const CHUNK: usize = 200;
/// Grade rows saved per transaction: a multi-row statement each ([`bulk`]), so a chunk costs
/// about the same whatever its size, and the progress page still moves every few hundredths.
const GRADE_CHUNK: usize = 1_000;

/// A refused row: its line, the column at fault (empty when the whole row is), the reason.
pub type RowError = (usize, String, String);

/// A checked file: the good rows in file order, and the refused ones.
pub struct Plan {
    pub kind: Kind,
    items: Vec<(usize, Item)>,
    pub errors: Vec<RowError>,
    pub rows: usize,
    /// Whether a new or changed grade tells its student (`academic::alerts`); the demo data
    /// loads quietly.
    pub alerts: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub errors: Vec<RowError>,
}

/// Reads `data` as a `kind` file and checks every row. `key` is the server secret the
/// students' ID fragments are hashed with.
pub fn plan(conn: &mut DbConn, kind: Kind, key: Option<&[u8]>, file_name: &str, data: &[u8]) -> AppResult<Plan> {
    let table = tabular::read(file_name, data)?;
    let columns = kind.columns();
    let at = table.locate(columns)?;
    if table.rows.is_empty() {
        return Err(AppError::invalid("文件里只有表头，没有要导入的行"));
    }
    let mut plan =
        Plan { kind, items: Vec::new(), errors: Vec::new(), rows: table.rows.len().min(MAX_ROWS), alerts: true };
    let mut look = Lookups::default();
    if matches!(kind, Kind::Grades | Kind::Exams | Kind::Evaluations) {
        // One question per thousand student numbers instead of one per student.
        let nos =
            table.rows.iter().filter_map(|(_, row)| Cells { columns, at: &at, cells: row }.get("no", cells::code).ok());
        look.know_students(conn, nos.collect())?;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (n, (line, cells)) in table.rows.into_iter().enumerate() {
        if n == MAX_ROWS {
            plan.errors.push((line, String::new(), format!("一次最多导入 {MAX_ROWS} 行，其余未处理")));
            break;
        }
        if cells.first().map(String::as_str) == Some(tabular::BROKEN) {
            plan.errors.push((line, String::new(), "这一行无法解析".into()));
            continue;
        }
        if let Some(j) = tabular::control_cell(&cells) {
            let column = tabular::column_name(columns, &at, j);
            let why = format!("第 {line} 行「{column}」列含有换行、回车等控制字符，请删除后再导入");
            plan.errors.push((line, column, why));
            continue;
        }
        match check::check(kind, conn, &mut look, key, &Cells { columns, at: &at, cells: &cells }) {
            Ok(item) => {
                let k = item.key();
                if let Some(first) = seen.get(&k) {
                    plan.errors.push((line, String::new(), format!("与第 {first} 行重复")));
                } else {
                    seen.insert(k, line);
                    plan.items.push((line, item));
                }
            }
            Err(Ok((column, reason))) => plan.errors.push((line, column.to_string(), reason)),
            Err(Err(e)) => return Err(e),
        }
    }
    Ok(plan)
}

/// Saves (or, when `dry`, only weighs) the plan's good rows, calling
/// `progress(conn, done, total)` between chunks (outside their transactions). A chunk whose
/// transaction fails is retried row by row, so one bad row costs only itself; a failing row
/// leaves nothing of itself behind.
pub fn execute(
    conn: &mut DbConn,
    plan: Plan,
    dry: bool,
    progress: &mut dyn FnMut(&mut DbConn, usize, usize) -> AppResult<()>,
) -> AppResult<Report> {
    let total = plan.rows;
    let mode = save::Mode { dry, alerts: plan.alerts && !dry };
    let mut report = Report { errors: plan.errors, ..Report::default() };
    let mut done = report.errors.len();
    let count = |report: &mut Report, outcome: Outcome| match outcome {
        Outcome::Created => report.created += 1,
        Outcome::Updated => report.updated += 1,
        Outcome::Unchanged => report.unchanged += 1,
    };
    let size = if plan.kind == Kind::Grades { GRADE_CHUNK } else { CHUNK };
    for chunk in plan.items.chunks(size) {
        let whole = write_tx(conn, |conn| match bulk::grades(conn, chunk, mode)? {
            Some(outcomes) => Ok(outcomes),
            None => chunk.iter().map(|(_, item)| save::save(conn, item, mode)).collect::<AppResult<Vec<Outcome>>>(),
        });
        match whole {
            Ok(outcomes) => outcomes.into_iter().for_each(|o| count(&mut report, o)),
            Err(_) => {
                for (line, item) in chunk {
                    match write_tx(conn, |conn| save::save(conn, item, mode)) {
                        Ok(o) => count(&mut report, o),
                        Err(e) => {
                            tracing::warn!(line, error = %e, "academic import row failed");
                            report.errors.push((*line, String::new(), "保存失败（与已有数据冲突）".into()));
                        }
                    }
                }
            }
        }
        done += chunk.len();
        progress(conn, done, total)?;
    }
    report.errors.sort();
    Ok(report)
}
