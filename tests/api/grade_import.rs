//! The grade import in bulk (issue 26): a file of a few thousand rows, saved a chunk of a
//! thousand at a time in a few statements each, gives the same report, the same table and the
//! same progress as row by row — on SQLite and on PostgreSQL alike (this test runs on both; the
//! expected table is worked out here from the files, not read back from either database).

use std::collections::BTreeMap;

use campus::db::schema::{academic_imports, courses, grades};
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::academic_import::{counts, finished, import, upload};
use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

const STUDENTS: usize = 400;
const COURSES: [&str; 6] = ["CS101", "CS102", "CS103", "MA101", "MA102", "EN101"];
const HEADER: &str = "学号,学期,课程代码,平时成绩,期中成绩,期末成绩,总评成绩\n";

/// (student, course code) → (regular, midterm, final, total), in tenths as stored.
type Table = BTreeMap<(String, String), (Option<i32>, Option<i32>, Option<i32>, i32)>;

fn no(i: usize) -> String {
    format!("T{i:07}")
}

/// Writes one grade line and records what it should store.
fn line(file: &mut String, want: &mut Table, student: &str, course: &str, score: i32, with_regular: bool) {
    let regular = if with_regular { score.to_string() } else { String::new() };
    file.push_str(&format!("{student},2025-2026-1,{course},{regular},,{score},{score}\n"));
    want.insert(
        (student.to_string(), course.to_string()),
        (with_regular.then_some(score * 10), None, Some(score * 10), score * 10),
    );
}

fn first_file() -> (String, Table) {
    let (mut file, mut want) = (HEADER.to_string(), Table::new());
    for i in 0..STUDENTS {
        for (c, course) in COURSES.iter().enumerate() {
            line(&mut file, &mut want, &no(i), course, 50 + ((i * 7 + c * 13) % 50) as i32, c != 2);
        }
    }
    // Three refused rows: no such student, a score that is not one, a repeated key.
    file.push_str("X9999999,2025-2026-1,CS101,,,,80\n");
    file.push_str(&format!("{},2025-2026-1,CS101,,,,优秀的\n", no(1)));
    file.push_str(&format!("{},2025-2026-1,CS101,,,,70\n", no(0)));
    (file, want)
}

/// Every fifth row changed, the others as before, and a new course for the first 100 students.
fn second_file(before: &Table) -> (String, Table, usize) {
    let (mut file, mut want) = (HEADER.to_string(), before.clone());
    let mut changed = 0;
    for i in 0..STUDENTS {
        for (c, course) in COURSES.iter().enumerate() {
            let old = before[&(no(i), course.to_string())];
            let mut score = old.3 / 10;
            if (i + c) % 5 == 0 {
                score = if score == 99 { 60 } else { score + 1 };
                changed += 1;
            }
            line(&mut file, &mut want, &no(i), course, score, old.0.is_some());
        }
    }
    for i in 0..100 {
        line(&mut file, &mut want, &no(i), "CS201", 75, true);
    }
    (file, want, changed)
}

/// A stored grade: student, course code, scores.
type Stored = (String, String, Option<i32>, Option<i32>, Option<i32>, i32);

/// The bench students' grades as the database holds them.
fn table(app: &TestApp) -> Table {
    let rows: Vec<Stored> = app.db(|c| {
        grades::table
            .inner_join(courses::table)
            .filter(grades::student_no.like("T%"))
            .select((
                grades::student_no,
                courses::code,
                grades::regular,
                grades::midterm,
                grades::final_score,
                grades::total,
            ))
            .load(c)
            .unwrap()
    });
    rows.into_iter().map(|(s, c, r, m, f, t)| ((s, c), (r, m, f, t))).collect()
}

fn created_at(app: &TestApp) -> BTreeMap<(String, i64), NaiveDateTime> {
    let rows: Vec<(String, i64, NaiveDateTime)> = app.db(|c| {
        grades::table
            .filter(grades::student_no.like("T%"))
            .select((grades::student_no, grades::course_id, grades::created_at))
            .load(c)
            .unwrap()
    });
    rows.into_iter().map(|(s, c, t)| ((s, c), t)).collect()
}

#[test]
fn a_large_grade_file_saves_in_chunks_with_the_same_report_and_table_on_either_database() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let mut students = "学号,姓名,学院,专业,班级,入学年份\n".to_string();
    for i in 0..STUDENTS {
        students.push_str(&format!("{},批量{i},计算机学院,软件工程,批量{:02}班,2024\n", no(i), i / 40));
    }
    assert_eq!(counts(&import(&admin, "students", "s.csv", students.as_bytes())), (STUDENTS as i64, 0, 0, 0));

    let (file, first) = first_file();
    let rows = STUDENTS * COURSES.len();
    let r = import(&admin, "grades", "g1.csv", file.as_bytes());
    assert_eq!(counts(&r), (rows as i64, 0, 0, 3), "{}", r.body);
    assert!(r.body.contains("没有学号「X9999999」的学生"), "{}", r.body);
    assert!(r.body.contains("与第 2 行重复"), "{}", r.body);
    assert_eq!(table(&app), first, "the table holds exactly the good rows of the file");
    let born = created_at(&app);

    // A dry run of the second file weighs it over the same chunks and writes nothing.
    let (file, second, changed) = second_file(&first);
    let added = 100;
    let expected = (added, changed as i64, (rows - changed) as i64, 0);
    let dry = finished(&admin, &upload(&admin, "grades", "g2.csv", file.as_bytes(), true));
    assert_eq!(counts(&dry), expected, "{}", dry.body);
    assert_eq!(table(&app), first, "a dry run changes nothing");

    let r = import(&admin, "grades", "g2.csv", file.as_bytes());
    assert_eq!(counts(&r), expected, "{}", r.body);
    assert_eq!(table(&app), second, "new rows added, changed rows updated, the rest as they were");
    let after = created_at(&app);
    assert!(born.iter().all(|(k, t)| after[k] == *t), "an update keeps when the grade was first published");

    // The same file again changes nothing, and the progress counted every row.
    let r = import(&admin, "grades", "g2.csv", file.as_bytes());
    assert_eq!(counts(&r), (0, 0, (rows + added as usize) as i64, 0), "{}", r.body);
    assert_eq!(table(&app), second);
    let runs: Vec<(i64, i64, String)> = app.db(|c| {
        academic_imports::table
            .filter(academic_imports::kind.eq("grades"))
            .order(academic_imports::id)
            .select((academic_imports::total_rows, academic_imports::done_rows, academic_imports::status))
            .load(c)
            .unwrap()
    });
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[0].0, rows as i64 + 3);
    for (total, done, status) in &runs {
        assert_eq!((done, status.as_str()), (total, "done"), "{runs:?}");
    }
}
