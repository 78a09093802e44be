//! Academic import (`/admin/academic/import` and `campus import`): the sample files of
//! `samples/academic/`, per-row reports, dry runs, upserts, and files refused whole.

use campus::db::schema::{academic_imports, course_schedules, courses, grades, students};
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, Resp, TestApp, eventually, spawn_app};
use crate::imports::{xlsx, zip_bomb};

/// The order the sample files' references need.
pub const SAMPLES: [(&str, &str); 10] = [
    ("calendar", "calendar.csv"),
    ("courses", "courses.csv"),
    ("teachers", "teachers.csv"),
    ("classrooms", "classrooms.csv"),
    ("students", "students.csv"),
    ("schedules", "schedules.csv"),
    ("grades", "grades.csv"),
    ("exams", "exams.csv"),
    ("contacts", "contacts.csv"),
    ("evaluations", "evaluations.csv"),
];

pub fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/samples/academic/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Posts `data` as a `kind` file to the import form.
pub fn upload(admin: &Client, kind: &str, file_name: &str, data: &[u8], dry: bool) -> Resp {
    let token = admin.get("/").csrf();
    let boundary = "----academic";
    let mut body = Vec::new();
    let mut field = |name: &str, value: &str| {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        )
    };
    field("kind", kind);
    if dry {
        field("dry_run", "1");
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    admin.post_raw(
        &format!("/admin/academic/import?csrf_token={token}"),
        &format!("multipart/form-data; boundary={boundary}"),
        &body,
    )
}

/// Follows an accepted import to its page and waits for the report.
pub fn finished(admin: &Client, accepted: &Resp) -> Resp {
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let page = accepted.location().unwrap().to_string();
    assert!(page.starts_with("/admin/academic/imports/"));
    assert!(
        eventually(|| {
            let b = admin.get(&page).body;
            b.contains("导入完成") || b.contains("预览完成")
        }),
        "the import finishes"
    );
    admin.get(&page)
}

pub fn import(admin: &Client, kind: &str, file_name: &str, data: &[u8]) -> Resp {
    finished(admin, &upload(admin, kind, file_name, data, false))
}

/// The numbers of a finished report: (created, updated, unchanged, refused rows).
pub fn counts(report: &Resp) -> (i64, i64, i64, i64) {
    let value = |label: &str| -> i64 {
        let at = report.body.find(&format!("stat__label\">{label}</p>")).unwrap_or_else(|| panic!("{label}"));
        let rest = &report.body[at..];
        let start = rest.find("stat__value\">").unwrap() + "stat__value\">".len();
        rest[start..rest[start..].find('<').unwrap() + start].parse().unwrap()
    };
    let dry = report.body.contains("预览完成");
    let (c, u) = if dry { ("将新建", "将更新") } else { ("新建", "更新") };
    (value(c), value(u), value("未变"), value("有问题的行"))
}

fn count_imports(app: &TestApp) -> i64 {
    app.db(|c| academic_imports::table.count().get_result(c).unwrap())
}

#[test]
fn every_sample_file_imports_cleanly_and_a_second_import_changes_nothing() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    for (kind, file) in SAMPLES {
        let r = import(&admin, kind, file, &sample(file));
        assert_eq!(counts(&r).3, 0, "{file}: {}", r.body);
    }
    for (kind, file) in SAMPLES {
        let r = import(&admin, kind, file, &sample(file));
        let (created, updated, unchanged, refused) = counts(&r);
        assert_eq!((created, updated, refused), (0, 0, 0), "{file} again changes nothing");
        assert!(unchanged > 0, "{file}");
    }
    let (schedules, grade_rows) = app.db(|c| {
        (
            course_schedules::table.count().get_result::<i64>(c).unwrap(),
            grades::table.count().get_result::<i64>(c).unwrap(),
        )
    });
    assert_eq!((schedules, grade_rows), (17, 11));
    // The ID fragment is kept only as a keyed hash.
    let hashes: Vec<Option<String>> =
        app.db(|c| students::table.order(students::student_no).select(students::id_hash).load(c).unwrap());
    assert_eq!(hashes.iter().filter(|h| h.is_some()).count(), 3);
    assert!(hashes.iter().flatten().all(|h| h.len() == 64 && !h.contains("12001")));
}

#[test]
fn a_dry_run_counts_what_would_change_and_saves_nothing() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "courses", "courses.csv", &sample("courses.csv"));
    let file = "课程代码,课程名称,学分,课程性质\nTS101,测试课程一,2,选修\nTS102,测试课程二,1.5,选修\nCS201,数据结构,4.5,必修\nCS202,操作系统,3.5,必修\n";
    let before = count_imports(&app);
    let r = finished(&admin, &upload(&admin, "courses", "c.csv", file.as_bytes(), true));
    assert!(r.body.contains("预览完成") && r.body.contains("没有保存任何数据"), "{}", r.body);
    assert_eq!(counts(&r), (2, 1, 1, 0));
    assert_eq!(count_imports(&app), before + 1);
    let credit = |code: &str| -> Option<i32> {
        app.db(|c| {
            courses::table.filter(courses::code.eq(code)).select(courses::credit_tenths).first(c).optional().unwrap()
        })
    };
    assert_eq!((credit("TS101"), credit("CS201")), (None, Some(40)), "nothing saved");
    let r = import(&admin, "courses", "c.csv", file.as_bytes());
    assert_eq!(counts(&r), (2, 1, 1, 0));
    assert_eq!((credit("TS102"), credit("CS201")), (Some(15), Some(45)));
}

#[test]
fn bad_rows_are_reported_by_line_and_column_and_the_good_ones_still_import() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    for (kind, file) in &SAMPLES[..4] {
        import(&admin, kind, file, &sample(file));
    }
    let file = "学期,课程代码,教师工号,上课班级,星期,开始节次,结束节次,周次,教室\n\
        2026-2027-1,CS205,T2001,测试1班,1,1,2,1-16单周,A101\n\
        2026-2027-1,CS205,T2001,测试1班,2,1,2,\"1-8,10-16\",A101\n\
        2026-2027-1,CS205,,测试1班,3,1,2,双周,\n\
        2026-2027-1,CS205,T2001,测试1班,4,1,2,\"3,5,7\",A101\n\
        2026-2027-1,CS205,T2001,测试1班,5,1,2,1-16单双,A101\n\
        2026-2027-1,CS205,T2001,测试1班,5,3,4,1-25,A101\n\
        2026-2027-1,NOPE1,T2001,测试1班,5,5,6,1-16,A101\n\
        2026-2027-1,CS205,T9999,测试1班,5,7,8,1-16,A101\n\
        2026-2027-1,CS205,T2001,测试1班,8,1,2,1-16,A101\n\
        2026-2027-1,CS205,T2001,测试1班,6,4,3,1-16,A101\n\
        2030-1,CS205,T2001,测试1班,6,1,2,1-16,A101\n\
        2026-2027-1,CS205,T2001,测试1班,1,1,2,1-8,A101\n\
        2026-2027-1,CS205,T2001,测试1班,6,5,6,1-16,Z999\n";
    let r = import(&admin, "schedules", "s.csv", file.as_bytes());
    assert_eq!(counts(&r), (4, 0, 0, 9), "{}", r.body);
    for (line, column, why) in [
        (6, "周次", "周次「1-16单双」无法识别"),
        (7, "周次", "周次「1-25」超出了本学期的 20 个教学周"),
        (8, "课程代码", "没有课程代码「NOPE1」"),
        (9, "教师工号", "没有工号「T9999」的教师"),
        (10, "星期", "「8」不是星期几"),
        (11, "结束节次", "结束节次不能早于开始节次"),
        (12, "学期", "没有学期「2030-1」"),
        (13, "", "与第 2 行重复"),
        (14, "教室", "没有教室「Z999」"),
    ] {
        assert!(r.body.contains(&format!("<td>{line}</td><td>{column}</td><td>{why}")), "line {line}: {}", r.body);
    }
    let masks: Vec<(i32, String, i64)> = app.db(|c| {
        course_schedules::table
            .filter(course_schedules::class_names.eq("测试1班"))
            .order(course_schedules::day_of_week)
            .select((course_schedules::day_of_week, course_schedules::weeks, course_schedules::week_mask))
            .load(c)
            .unwrap()
    });
    let weeks = |mask: i64| (1..=20).filter(|w| mask & (1 << (w - 1)) != 0).collect::<Vec<i64>>();
    assert_eq!(masks.len(), 4);
    assert_eq!(masks[0].1, "1-16单周", "the text kept as given");
    assert_eq!(weeks(masks[0].2), vec![1, 3, 5, 7, 9, 11, 13, 15]);
    assert_eq!(weeks(masks[1].2), (1..=16).filter(|w| *w != 9).collect::<Vec<_>>());
    assert_eq!(weeks(masks[2].2), (1..=10).map(|w| w * 2).collect::<Vec<_>>(), "双周 over the 20-week semester");
    assert_eq!(weeks(masks[3].2), vec![3, 5, 7]);

    // Grades: a score out of range and an unknown student are refused; the rest saved.
    let file = "学号,学期,课程代码,平时成绩,期中成绩,期末成绩,总评成绩\n\
        2023010103,2025-2026-1,CS101,80,,,101\n\
        2099999999,2025-2026-1,CS101,80,,,80\n\
        2023010103,2025-2026-1,MA101,,,,优秀\n\
        2023010103,2025-2026-1,EN101,8o,,,70\n";
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let r = import(&admin, "grades", "g.csv", file.as_bytes());
    assert_eq!(counts(&r), (1, 0, 0, 3), "{}", r.body);
    assert!(r.body.contains("<td>2</td><td>总评成绩</td><td>「101」应为 0 到 100 之间的数"));
    assert!(r.body.contains("<td>3</td><td>学号</td><td>没有学号「2099999999」的学生"));
    assert!(r.body.contains("<td>5</td><td>平时成绩</td>"));
    let total: i32 =
        app.db(|c| grades::table.filter(grades::student_no.eq("2023010103")).select(grades::total).first(c).unwrap());
    assert_eq!(total, 950, "优秀 is 95");
}

#[test]
fn a_wrong_header_or_a_broken_file_is_refused_whole_and_nothing_is_saved() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let before = count_imports(&app);
    let r = upload(&admin, "students", "s.csv", "姓名,学院\n张三,计算机学院\n".as_bytes(), false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("缺少列：学号、专业、班级、入学年份"), "{}", r.body);
    let r = upload(&admin, "courses", "c.csv", "课程代码,课程名称,学分\n".as_bytes(), false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("没有要导入的行"));
    let r = upload(&admin, "courses", "c.xlsx", b"PK\x03\x04 not a workbook", false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("文件不是有效的 XLSX 表格"));
    let r = upload(&admin, "courses", "c.xlsx", &zip_bomb(), false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("XLSX 解压后超过"));
    let r = upload(&admin, "courses", "c.csv", b"\xbf\xce\xb3\xcc\xb4\xfa\xc2\xeb\n", false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("UTF-8"));
    let r = upload(&admin, "nothing", "c.csv", b"a\n1\n", false);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("请选择要导入的数据类型"));
    let big = vec![b'a'; 9 * 1024 * 1024];
    let r = upload(&admin, "courses", "c.csv", &big, false);
    assert!((400..500).contains(&r.status));
    assert!(r.body.contains("文件不能超过 8 MB"), "{}", r.status);
    let huge = vec![b'a'; 50 * 1024 * 1024];
    let r = upload(&admin, "courses", "c.csv", &huge, false);
    assert!((400..500).contains(&r.status), "a 50 MB upload: {}", r.status);
    assert_eq!(count_imports(&app), before, "nothing started");
    assert_eq!(admin.get("/admin/academic/import").status, 200, "the server is still up");
}

#[test]
fn an_xlsx_file_with_chinese_headers_imports_like_its_csv() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let book = xlsx(&[
        &["学号", "姓名", "学院", "专业", "班级", "入学年份", "学籍状态", "手机号", "身份证后六位"],
        &["2024990001", "表格同学", "计算机学院", "人工智能", "智能2401", "2024", "在读", "13912345678", "00123x"],
        &["2024990002", "", "计算机学院", "人工智能", "智能2401", "2024", "在读", "", ""],
    ]);
    let r = import(&admin, "students", "学生.xlsx", &book);
    assert!(r.body.contains("学生.xlsx"));
    assert_eq!(counts(&r), (1, 0, 0, 1));
    assert!(r.body.contains("<td>3</td><td>姓名</td><td>不能为空"));
    let (year, class): (i32, String) = app.db(|c| {
        students::table
            .filter(students::student_no.eq("2024990001"))
            .select((students::enrol_year, students::class_name))
            .first(c)
            .unwrap()
    });
    assert_eq!((year, class.as_str()), (2024, "智能2401"), "a number cell read as an integer");
}

#[test]
fn only_admins_reach_the_import_and_its_progress_is_polled() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let student = app.login("student", DEMO_PASSWORD);
    assert_eq!(student.get("/admin/academic/import").status, 403);
    assert_eq!(app.client().get("/admin/academic/import").status, 303);
    let r = upload(&student, "courses", "c.csv", "课程代码,课程名称,学分\nXX1,不该有,1\n".as_bytes(), false);
    assert_eq!(r.status, 403);
    assert_eq!(app.db(|c| courses::table.filter(courses::code.eq("XX1")).count().get_result::<i64>(c).unwrap()), 0);
    assert_eq!(admin.get("/admin/academic/imports/999999").status, 404);

    let page = import(&admin, "courses", "courses.csv", &sample("courses.csv"));
    assert!(page.body.contains("导入完成"));
    let id: i64 = app.db(|c| {
        academic_imports::table.select(academic_imports::id).order(academic_imports::id.desc()).first(c).unwrap()
    });
    assert_eq!(student.get(&format!("/admin/academic/imports/{id}")).status, 403);
    let list = admin.get("/admin/academic/import");
    assert!(list.body.contains(&format!("href=\"/admin/academic/imports/{id}\">courses.csv")));
    assert!(list.body.contains("课程代码*, 课程名称*, 学分*, 课程性质"), "the column formats are documented");
    let now = campus::db::now();
    app.db(|c| {
        diesel::update(academic_imports::table.find(id))
            .set((
                academic_imports::status.eq("running"),
                academic_imports::total_rows.eq(4000),
                academic_imports::done_rows.eq(1000),
                academic_imports::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap()
    });
    let r = admin.get(&format!("/admin/academic/imports/{id}"));
    assert!(r.body.contains("已处理 1000 / 4000 行（25%）"), "{}", r.body);
    assert!(r.body.contains(&format!("hx-get=\"/admin/academic/imports/{id}\"")));
    let fragment = admin.get_with(&format!("/admin/academic/imports/{id}"), &[("HX-Request", "true")]);
    assert!(fragment.body.trim_start().starts_with("<section id=\"import-progress\""));
    assert!(!fragment.body.contains("<html"));
}

#[test]
fn the_command_line_import_prints_progress_and_the_report() {
    let app = spawn_app();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
            .arg("import")
            .args(args)
            .env("DATABASE_URL", &app.state.config.database_url)
            .env("CAMPUS_DATA_DIR", &app.data_dir)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let dir = app.data_dir.join("cli");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("courses.csv");
    std::fs::write(&file, "课程代码,课程名称,学分\nCL101,命令行导入,2\nCL102,,2\n").unwrap();
    let path = file.to_str().unwrap();
    let (ok, out, err) = run(&["courses", path, "--dry-run"]);
    assert!(ok, "{err}");
    assert!(out.contains("预览（未保存）：课程，共 2 行；新建 1，更新 0，未变 0，有问题 1 行"), "{out}");
    assert!(out.contains("第 3 行「课程名称」：不能为空"), "{out}");
    assert!(err.contains("2/2"), "a progress bar: {err}");
    let saved =
        || -> i64 { app.db(|c| courses::table.filter(courses::code.eq("CL101")).count().get_result(c).unwrap()) };
    assert_eq!(saved(), 0);
    let (ok, out, _) = run(&["courses", path]);
    assert!(ok);
    assert!(out.contains("导入完成：课程，共 2 行；新建 1"), "{out}");
    assert_eq!(saved(), 1);
    let (ok, _, err) = run(&["lessons", path]);
    assert!(!ok);
    assert!(err.contains("unknown kind"));
    std::fs::write(&file, "名称\n1\n").unwrap();
    let (ok, _, err) = run(&["courses", path]);
    assert!(!ok);
    assert!(err.contains("缺少列：课程代码"), "{err}");
}

#[test]
fn the_demo_data_is_the_sample_files_and_loading_it_again_changes_nothing() {
    use campus::db::schema::{exams, semesters, teachers};
    let app = spawn_app();
    let counts = || -> (i64, i64, i64, i64) {
        app.db(|c| {
            (
                semesters::table.count().get_result(c).unwrap(),
                course_schedules::table.count().get_result(c).unwrap(),
                grades::table.count().get_result(c).unwrap(),
                exams::table.count().get_result(c).unwrap(),
            )
        })
    };
    assert_eq!(counts(), (3, 17, 11, 7));
    // The demo teacher's name teaches three of the demo student's courses.
    let mut taught: Vec<String> = app.db(|c| {
        course_schedules::table
            .inner_join(teachers::table)
            .inner_join(courses::table)
            .filter(teachers::name.eq("王明"))
            .select(courses::name)
            .distinct()
            .load(c)
            .unwrap()
    });
    taught.sort();
    assert_eq!(taught, vec!["Web 开发实践", "数据结构", "软件工程导论"]);
    let media = campus::web::storage::Storage::local(&app.data_dir);
    let keys = app.state.keys.clone();
    app.db(|c| campus::seed::demo(c, &keys, &media).unwrap());
    assert_eq!(counts(), (3, 17, 11, 7), "seed-demo again adds nothing");
}

#[test]
fn the_nightly_sync_imports_a_folder_in_reference_order_and_reports_each_file() {
    let app = spawn_app();
    let dir = app.data_dir.join("export");
    std::fs::create_dir_all(&dir).unwrap();
    // A grade of a course that only this same drop creates: the sync must take courses first.
    std::fs::write(dir.join("grades.csv"), "学号,学期,课程代码,总评成绩\n2023010101,2025-2026-1,SY101,91\n").unwrap();
    std::fs::write(dir.join("courses.csv"), "课程代码,课程名称,学分\nSY101,同步导入的课程,2\n").unwrap();
    std::fs::write(dir.join("teachers.csv"), "名字,院系\n张三,数学学院\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not an academic file").unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
            .arg("sync")
            .args(args)
            .env("DATABASE_URL", &app.state.config.database_url)
            .env("CAMPUS_DATA_DIR", &app.data_dir)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let path = dir.to_str().unwrap();
    let (ok, out, _) = run(&[path, "--dry-run"]);
    assert!(!ok, "a refused file fails the run: {out}");
    assert!(out.contains("预览（未保存）：课程（courses.csv），共 1 行；新建 1"), "{out}");
    assert!(out.contains("未导入：教师（teachers.csv）"), "{out}");
    let course_count =
        || -> i64 { app.db(|c| courses::table.filter(courses::code.eq("SY101")).count().get_result(c).unwrap()) };
    assert_eq!(course_count(), 0, "a dry run saves nothing");
    std::fs::remove_file(dir.join("teachers.csv")).unwrap();
    let (ok, out, err) = run(&[path]);
    assert!(ok, "{out}{err}");
    let courses_at = out.find("同步完成：课程").unwrap();
    let grades_at = out.find("同步完成：成绩（grades.csv），共 1 行；新建 1").unwrap();
    assert!(courses_at < grades_at, "courses before grades: {out}");
    assert_eq!(course_count(), 1);
    let (ok, out, _) = run(&[path]);
    assert!(ok && out.contains("新建 0，更新 0，未变 1"), "a second sync changes nothing: {out}");
    let empty = app.data_dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (ok, _, err) = run(&[empty.to_str().unwrap()]);
    assert!(!ok && err.contains("no academic file"), "{err}");
}
