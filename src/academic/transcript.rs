//! The unofficial transcript as a download: `/academic/transcript.pdf` (A4, Chinese text in an
//! embedded font subset, `web::pdf`) and `/academic/transcript.xlsx` (`web::xlsx`). Both are the
//! signed-in student's own grades from `service::transcript`: name, 学号, college, every course
//! by semester with credit, score and grade point, semester and cumulative GPA.

use chrono::NaiveDateTime;

use super::models::Student;
use super::service::{Transcript, hundredths, tenths};
use crate::web::pdf::{PAGE_HEIGHT, PAGE_WIDTH, Page, Rule, Text};

const LEFT: f32 = 48.0;
const RIGHT: f32 = PAGE_WIDTH - 48.0;
const TOP: f32 = PAGE_HEIGHT - 56.0;
const BOTTOM: f32 = 64.0;
const SIZE: f32 = 10.0;
const LINE: f32 = 15.0;
/// Course-name characters per line (the rest wraps onto the next line).
const NAME_CHARS: usize = 18;
/// Column x of: code, name, kind, credit, score, point.
const COLUMNS: [f32; 6] = [LEFT, 112.0, 300.0, 350.0, 395.0, 490.0];

/// The transcript laid out on A4 pages.
pub fn pdf_pages(student: &Student, t: &Transcript, now: NaiveDateTime) -> Vec<Page> {
    let mut w = Writer { pages: vec![Page::default()], y: TOP };
    w.text(LEFT, 18.0, "非正式成绩单（Unofficial Transcript）");
    w.y -= 26.0;
    w.text(LEFT, SIZE, "本成绩单由校园助手根据教务系统导入的成绩生成，仅供参考，不作为正式证明。");
    w.y -= LINE * 1.6;
    for line in [
        format!("姓名：{}    学号：{}", student.name, student.student_no),
        format!("学院：{}    专业：{}    班级：{}", student.college, student.major, student.class_name),
        format!("已获学分：{}    累计绩点（GPA）：{}    不及格课程：{}", tenths(t.credits), t.gpa_text(), t.failed),
    ] {
        w.text(LEFT, 11.0, &line);
        w.y -= LINE * 1.2;
    }
    if t.semesters.is_empty() {
        w.y -= LINE;
        w.text(LEFT, 11.0, "还没有成绩。");
    }
    for s in &t.semesters {
        w.need(LINE * 5.0);
        w.y -= LINE * 0.8;
        w.semester_head(&format!("{}（{}）", s.semester.name, s.semester.code));
        for l in &s.lines {
            let name: Vec<char> = l.row.course_name.chars().collect();
            let parts: Vec<String> = name.chunks(NAME_CHARS).map(|c| c.iter().collect()).collect();
            if w.need(LINE * parts.len() as f32) {
                w.semester_head(&format!("{}（续）", s.semester.name));
            }
            let failed = if l.failed() { "（不及格）" } else { "" };
            let cells = [
                l.row.course_code.clone(),
                parts.first().cloned().unwrap_or_default(),
                l.row.kind.clone(),
                tenths(l.row.credit_tenths),
                format!("{}{failed}", tenths(l.row.total)),
                tenths(l.point),
            ];
            for (x, cell) in COLUMNS.iter().zip(cells.iter()) {
                w.text(*x, SIZE, cell);
            }
            for more in parts.iter().skip(1) {
                w.y -= LINE;
                w.text(COLUMNS[1], SIZE, more);
            }
            w.y -= LINE;
        }
        w.rule(w.y + LINE - 4.0);
        w.text(LEFT, SIZE, &format!("本学期获得学分 {}，学期绩点（GPA）{}", tenths(s.credits), s.gpa_text()));
        w.y -= LINE;
    }
    w.need(LINE * 3.0);
    w.y -= LINE;
    w.text(LEFT, 11.0, &format!("累计绩点（GPA）：{}    已获学分：{}", t.gpa_text(), tenths(t.credits)));
    let count = w.pages.len();
    let stamp = crate::web::time::minute(now);
    for (i, page) in w.pages.iter_mut().enumerate() {
        page.texts.push(Text {
            x: LEFT,
            y: 36.0,
            size: 8.0,
            text: format!(
                "{} {}    生成于 {stamp}（北京时间）    第 {}/{count} 页",
                student.name,
                student.student_no,
                i + 1
            ),
        });
    }
    w.pages
}

struct Writer {
    pages: Vec<Page>,
    y: f32,
}

impl Writer {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.page().texts.push(Text { x, y, size, text: text.to_string() });
    }

    fn rule(&mut self, y: f32) {
        self.page().rules.push(Rule { x1: LEFT, x2: RIGHT, y });
    }

    /// Starts a new page unless `height` more fits on this one; whether it did.
    fn need(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.pages.push(Page::default());
            self.y = TOP;
            return true;
        }
        false
    }

    /// A semester's title and the column heads under it.
    fn semester_head(&mut self, title: &str) {
        self.text(LEFT, 12.0, title);
        self.y -= LINE * 1.2;
        for (x, head) in COLUMNS.iter().zip(["课程代码", "课程名称", "类别", "学分", "成绩", "绩点"]) {
            self.text(*x, SIZE, head);
        }
        self.rule(self.y - 4.0);
        self.y -= LINE * 1.1;
    }
}

/// The transcript as spreadsheet rows: the header, one row per course (semester first), then
/// the semester and cumulative figures and who it belongs to.
pub fn xlsx_rows(student: &Student, t: &Transcript) -> Vec<Vec<String>> {
    let mut rows = vec![
        ["学期", "课程代码", "课程名称", "类别", "学分", "成绩", "绩点"]
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
    ];
    for s in &t.semesters {
        for l in &s.lines {
            rows.push(vec![
                s.semester.name.clone(),
                l.row.course_code.clone(),
                l.row.course_name.clone(),
                l.row.kind.clone(),
                tenths(l.row.credit_tenths),
                tenths(l.row.total),
                tenths(l.point),
            ]);
        }
    }
    rows.push(Vec::new());
    for s in &t.semesters {
        rows.push(vec![s.semester.name.clone(), "学期绩点".into(), s.gpa_text(), "获得学分".into(), tenths(s.credits)]);
    }
    rows.push(vec![
        "累计".into(),
        "累计绩点".into(),
        t.gpa.map_or_else(|| "—".into(), hundredths),
        "获得学分".into(),
        tenths(t.credits),
    ]);
    rows.push(Vec::new());
    rows.push(vec!["姓名".into(), student.name.clone(), "学号".into(), student.student_no.clone()]);
    rows.push(vec![
        "学院".into(),
        student.college.clone(),
        "专业".into(),
        student.major.clone(),
        "班级".into(),
        student.class_name.clone(),
    ]);
    rows.push(vec!["说明".into(), "非正式成绩单，仅供参考".into()]);
    rows
}
