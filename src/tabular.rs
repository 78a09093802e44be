//! Reading an uploaded table: CSV (UTF-8, with or without a BOM) or XLSX (its first sheet), as
//! rows of text cells numbered the way the uploader sees them (the CSV line, the sheet's row).
//!
//! Every bulk import (the merchant's products, the academic records) reads its file here, so the
//! same rules hold everywhere: old `.xls` is refused with a hint, a file over [`MAX_FILE_BYTES`]
//! is refused, and an XLSX (a zip archive) is refused before it is unpacked when it would unpack
//! to more than [`MAX_XLSX_UNPACKED`] bytes or into too many parts — a zip bomb must not take the
//! server's memory. Error messages are the Chinese the uploader reads.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::error::{AppError, AppResult};

/// The largest file an import accepts.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// The most an XLSX may unpack to (its XML parts together).
pub const MAX_XLSX_UNPACKED: u64 = 100 * 1024 * 1024;
/// The most parts an XLSX may hold (a real workbook has a few dozen).
const MAX_XLSX_PARTS: usize = 1_000;

/// A CSV row that could not be parsed holds this one cell: kept so its line is reported.
pub const BROKEN: &str = "\u{0}";

/// One row: its line (spreadsheet row number) and its cells as text.
pub type Record = (usize, Vec<String>);

/// A read file: its header row and the rows below it (blank rows dropped).
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Record>,
}

/// A column an importer knows: the key it is read by, and the header names it goes by
/// (the first is the one documented; the others are accepted too).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub key: &'static str,
    pub names: &'static [&'static str],
    pub required: bool,
}

impl Table {
    /// Where each of `columns` sits in the header (`None` for an optional column not there).
    /// Header names match without regard to case, spaces or a trailing `(说明)`. A missing
    /// required column refuses the file, naming every required header.
    pub fn locate(&self, columns: &[Column]) -> AppResult<Vec<Option<usize>>> {
        let normal = |s: &str| -> String {
            let s = s.split(['(', '（']).next().unwrap_or(s);
            s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase()
        };
        let header: Vec<String> = self.header.iter().map(|h| normal(h)).collect();
        let mut at = Vec::with_capacity(columns.len());
        let mut missing = Vec::new();
        for col in columns {
            let found = header.iter().position(|h| col.names.iter().any(|n| normal(n) == *h));
            if found.is_none() && col.required {
                missing.push(col.names[0]);
            }
            at.push(found);
        }
        if !missing.is_empty() {
            let required: Vec<&str> = columns.iter().filter(|c| c.required).map(|c| c.names[0]).collect();
            return Err(AppError::invalid(format!(
                "缺少列：{}。必需的列为：{}",
                missing.join("、"),
                required.join(",")
            )));
        }
        Ok(at)
    }
}

/// The first cell of a row whose text holds a control character (a line break, a carriage return,
/// an escape …), by index. Readers trim the whitespace around a cell's text, so only what stays
/// counts: such a character would reach pages, exports and the calendar feed inside a name.
pub fn control_cell(cells: &[String]) -> Option<usize> {
    cells.iter().position(|c| c.trim().chars().any(char::is_control))
}

/// What the uploader calls column `index`: the importer's name for it when it is one of
/// `columns` (found at `at`), else its place ("第 3 列").
pub fn column_name(columns: &[Column], at: &[Option<usize>], index: usize) -> String {
    match at.iter().position(|a| *a == Some(index)).and_then(|i| columns.get(i)) {
        Some(c) => c.names[0].to_string(),
        None => format!("第 {} 列", index + 1),
    }
}

/// Reads `data` (named `file_name` on the uploader's machine) as a table. An empty file or one
/// with only a header gives a table with no rows; callers say what that means for them.
pub fn read(file_name: &str, data: &[u8]) -> AppResult<Table> {
    if data.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid(format!("文件不能超过 {} MB", MAX_FILE_BYTES / 1024 / 1024)));
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xls") || data.starts_with(b"\xd0\xcf\x11\xe0") {
        return Err(AppError::invalid("不支持旧版 .xls 文件，请另存为 .xlsx 或 CSV 后再导入"));
    }
    let records = if data.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        check_archive(data)?;
        read_xlsx(data)?
    } else {
        read_csv(data)?
    };
    let mut records = records.into_iter();
    let header = records.next().map(|(_, cells)| cells).unwrap_or_default();
    // Blank rows (a spreadsheet's trailing ones) are not rows.
    let rows = records.filter(|(_, cells)| cells.iter().any(|c| !c.is_empty())).collect();
    Ok(Table { header, rows })
}

fn read_csv(data: &[u8]) -> AppResult<Vec<Record>> {
    let data = data.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(data);
    if std::str::from_utf8(data).is_err() {
        return Err(AppError::invalid("CSV 需为 UTF-8 编码（Excel 中选择“CSV UTF-8”另存），或直接上传 .xlsx"));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(data);
    let mut records = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 1;
        match record {
            Ok(r) => records.push((line, r.iter().map(str::to_string).collect())),
            Err(_) if line == 1 => return Err(AppError::invalid("文件不是有效的 CSV")),
            // Kept as a row that cannot be parsed: reported with its line, the rest goes on.
            Err(_) => records.push((line, vec![BROKEN.to_string()])),
        }
    }
    Ok(records)
}

/// Refuses an archive that would unpack past the limits: first by the sizes its directory
/// declares, then by unpacking each part into nothing while counting, since a crafted archive
/// can declare small sizes and still inflate to gigabytes.
fn check_archive(data: &[u8]) -> AppResult<()> {
    let not_xlsx = |_| AppError::invalid("文件不是有效的 XLSX 表格");
    let bomb =
        || AppError::invalid(format!("XLSX 解压后超过 {} MB，可能已损坏，拒绝导入", MAX_XLSX_UNPACKED / 1024 / 1024));
    let mut archive = zip::ZipArchive::new(Cursor::new(data)).map_err(not_xlsx)?;
    if archive.len() > MAX_XLSX_PARTS {
        return Err(bomb());
    }
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(not_xlsx)?;
        declared = declared.saturating_add(part.size());
    }
    if declared > MAX_XLSX_UNPACKED {
        return Err(bomb());
    }
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let part = archive.by_index(i).map_err(not_xlsx)?;
        let budget = MAX_XLSX_UNPACKED - unpacked + 1;
        let n = std::io::copy(&mut part.take(budget), &mut std::io::sink()).map_err(|_| bomb())?;
        unpacked += n;
        if unpacked > MAX_XLSX_UNPACKED {
            return Err(bomb());
        }
    }
    Ok(())
}

fn read_xlsx(data: &[u8]) -> AppResult<Vec<Record>> {
    let not_xlsx = |_| AppError::invalid("文件不是有效的 XLSX 表格");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(data)).map_err(not_xlsx)?;
    let sheet = book.worksheet_range_at(0).ok_or_else(|| AppError::invalid("表格里没有工作表"))?.map_err(not_xlsx)?;
    // Line numbers are the sheet's own row numbers, as the uploader sees them in Excel.
    let first = sheet.start().map_or(0, |(row, _)| row as usize);
    Ok(sheet.rows().enumerate().map(|(i, cells)| (first + i + 1, cells.iter().map(cell_text).collect())).collect())
}

/// A cell as the text a CSV would hold: numbers without a spurious `.0`, dates as
/// `2026-09-07` (with ` 08:30` when the cell has a time), times alone as `08:30`.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => format!("{f}"),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => {
            let (y, mo, day, h, mi, _, _) = d.to_ymd_hms_milli();
            if d.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}")
            } else if h == 0 && mi == 0 {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}")
            }
        }
        other => other.to_string(),
    }
}

/// The `status` of a background import run (products, academic records) still going.
pub const RUNNING: &str = "running";
/// A run marked running that has not written its progress for this long was cut off (the
/// server stopped under it).
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(120);

/// Whether a run with `status`, last heard of at `updated_at`, was cut off.
pub fn stale(status: &str, updated_at: chrono::NaiveDateTime) -> bool {
    status == RUNNING && crate::db::now().signed_duration_since(updated_at).to_std().is_ok_and(|d| d > STALE_AFTER)
}

/// Whether a run is still going.
pub fn running(status: &str, updated_at: chrono::NaiveDateTime) -> bool {
    status == RUNNING && !stale(status, updated_at)
}

/// How far a run has got, in percent.
pub fn percent(done: i64, total: i64) -> i64 {
    if total == 0 { 100 } else { done * 100 / total }
}
