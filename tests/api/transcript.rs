//! The unofficial transcript downloads: the PDF read back with poppler's `pdftotext` (the
//! Chinese course names must come back, so the embedded font subset and its ToUnicode map are
//! right) and `pdffonts` (embedded, subset), the XLSX read back with calamine, a clear page
//! without a font, and only one's own record.

use campus::db::schema::{courses, grades};
use diesel::prelude::*;

use crate::helpers::{DEMO_PASSWORD, app, spawn_app};

/// The demo student's course names, as the grades table holds them.
fn demo_course_names(app: &crate::helpers::TestApp) -> Vec<String> {
    app.db(|c| {
        grades::table
            .inner_join(courses::table)
            .filter(grades::student_no.eq("2023010101"))
            .select(courses::name)
            .load::<String>(c)
            .unwrap()
    })
}

fn run(tool: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} not runnable ({e}); install poppler-utils"));
    assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_transcript_pdf_embeds_a_font_subset_and_gives_back_every_course_name() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let (status, content_type, pdf) = s.download("/academic/transcript.pdf");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(content_type, "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    // A subset, not the 16 MB font.
    assert!(pdf.len() < 300_000, "{} bytes", pdf.len());
    let file = app.data_dir.join("transcript.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let path = file.to_str().unwrap();

    let text = run("pdftotext", &["-enc", "UTF-8", path, "-"]);
    let names = demo_course_names(&app);
    assert!(names.len() >= 6, "{names:?}");
    for name in &names {
        assert!(text.contains(name.as_str()), "{name} missing from:\n{text}");
    }
    for expected in ["非正式成绩单", "林晓", "2023010101", "计算机", "学分", "绩点", "GPA"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // The cumulative GPA is the grades page's.
    let page = s.get("/academic/grades").body;
    let gpa = page.split("gpa-summary__value\">").nth(1).unwrap().split('<').next().unwrap();
    assert!(text.contains(&format!("累计绩点（GPA）：{gpa}")), "GPA {gpa} missing from:\n{text}");

    // One Type0/CIDFontType2 font, embedded as a subset, with a ToUnicode map.
    let fonts = run("pdffonts", &[path]);
    let line = fonts.lines().find(|l| l.contains("CAMPUS+")).unwrap_or_else(|| panic!("{fonts}"));
    assert!(line.contains("CID TrueType"), "{line}");
    assert!(line.contains("Identity-H"), "{line}");
    let flags: Vec<&str> = line.split_whitespace().rev().take(5).collect();
    // columns: emb sub uni object ID → reversed: ID, object, uni, sub, emb
    assert_eq!(flags[2..5], ["yes", "yes", "yes"], "{line}");
}

#[test]
fn the_transcript_xlsx_lists_every_course_with_its_score_and_the_gpa() {
    use calamine::{Reader, Xlsx};
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let (status, content_type, bytes) = s.download("/academic/transcript.xlsx");
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("成绩单").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0], ["学期", "课程代码", "课程名称", "类别", "学分", "成绩", "绩点"]);
    for name in demo_course_names(&app) {
        assert!(rows.iter().any(|r| r.get(2) == Some(&name)), "{name} missing");
    }
    let page = s.get("/academic/grades").body;
    let gpa = page.split("gpa-summary__value\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert!(rows.iter().any(|r| r.first().map(String::as_str) == Some("累计") && r.get(2) == Some(&gpa)), "{rows:?}");
    assert!(rows.iter().any(|r| r.get(1).map(String::as_str) == Some("林晓") && r.get(3).map(String::as_str) == Some("2023010101")));
}

#[test]
fn without_a_usable_font_the_pdf_page_says_so_and_the_xlsx_still_works() {
    let missing = std::env::temp_dir().join("no-such-font-campus.ttc");
    let app = app().pdf_font(&missing).start();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/transcript.pdf");
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("没有找到中文字体"), "{}", r.body);
    assert!(r.body.contains("CAMPUS_PDF_FONT"));
    assert_eq!(s.download("/academic/transcript.xlsx").0, 200);

    // A file that is not a TrueType font: said too, not a 500.
    let junk = app.data_dir.join("junk.ttf");
    std::fs::write(&junk, b"not a font at all, just text").unwrap();
    let app = crate::helpers::app().pdf_font(&junk).start();
    let r = app.login("student", DEMO_PASSWORD).get("/academic/transcript.pdf");
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("字体文件无法读取"), "{}", r.body);
}

#[test]
fn only_a_student_with_a_linked_record_gets_a_transcript_and_only_her_own() {
    let app = spawn_app();
    let other = app.new_student("no_record");
    assert_eq!(other.get("/academic/transcript.pdf").status, 404);
    assert_eq!(other.get("/academic/transcript.xlsx").status, 404);
    assert_eq!(app.client().get("/academic/transcript.pdf").status, 303, "signed out: to the login page");
    // Query parameters name nobody else's record: the download is the signed-in student's.
    let s = app.login("student", DEMO_PASSWORD);
    let (status, _, pdf) = s.download("/academic/transcript.pdf?student_no=2023010102");
    assert_eq!(status, 200);
    let file = app.data_dir.join("own.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8", file.to_str().unwrap(), "-"]);
    assert!(text.contains("2023010101") && !text.contains("2023010102"), "{text}");
}

#[test]
fn a_long_transcript_runs_onto_more_pages_and_every_name_still_comes_back() {
    use campus::academic::models::{GradeRow, Semester, Student};
    use campus::academic::service::{GradeLine, SemesterGrades, Transcript};
    let font = campus::web::pdf::find_font(None).expect("a CJK font (fonts-wqy-zenhei)");
    let student = Student {
        student_no: "2023019999".into(),
        name: "欧阳长名字".into(),
        college: "外国语学院".into(),
        major: "日语".into(),
        class_name: "日语2301".into(),
        enrol_year: 2023,
        status: "在读".into(),
        id_hash: None,
    };
    // Four semesters of 25 courses, some names longer than a line (they wrap), rare characters.
    let names: Vec<String> = (0..100)
        .map(|i| match i % 4 {
            0 => format!("高级日语精读与写作实践（第{i}部分）：古典文学选读与翻译鉴赏"),
            1 => format!("龘靐齉爩课程{i}"),
            2 => format!("Web 开发实践 {i}"),
            _ => format!("数据结构{i}"),
        })
        .collect();
    let semesters = (0..4)
        .map(|s| SemesterGrades {
            semester: Semester {
                id: s,
                code: format!("2024-2025-{s}"),
                name: format!("第{s}学期"),
                starts_on: chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap(),
                weeks: 20,
            },
            lines: (0..25)
                .map(|i| GradeLine {
                    point: 37,
                    row: GradeRow {
                        semester_id: s,
                        course_code: format!("C{s}{i:02}"),
                        course_name: names[(s * 25 + i) as usize].clone(),
                        kind: "必修".into(),
                        credit_tenths: 20,
                        regular: None,
                        midterm: None,
                        final_score: None,
                        total: 860,
                    },
                })
                .collect(),
            credits: 500,
            gpa: Some(370),
        })
        .collect();
    let t = Transcript { semesters, credits: 2000, gpa: Some(370), failed: 0 };
    let pages = campus::academic::transcript::pdf_pages(&student, &t, campus::db::now());
    assert!(pages.len() >= 3, "{} pages", pages.len());
    let data = std::fs::read(&font).unwrap();
    let pdf = campus::web::pdf::document(&data, 0, "成绩单", &pages).unwrap();
    let file = std::env::temp_dir().join(format!("long-transcript-{}.pdf", std::process::id()));
    std::fs::write(&file, &pdf).unwrap();
    let text = run("pdftotext", &["-enc", "UTF-8", file.to_str().unwrap(), "-"]);
    let _ = std::fs::remove_file(&file);
    // Wrapped names come back in their pieces (each line's part whole).
    let flat: String = text.split_whitespace().collect();
    for name in &names {
        let chars: Vec<char> = name.chars().filter(|c| !c.is_whitespace()).collect();
        for piece in chars.chunks(16) {
            let piece: String = piece.iter().collect();
            assert!(flat.contains(&piece), "{piece} of {name} missing");
        }
    }
    assert!(text.contains(&format!("第 {}/{} 页", pages.len(), pages.len())));
    // A semester that runs onto the next page says so there, with the column heads again.
    assert!(text.contains("（续）"), "{text}");
}
