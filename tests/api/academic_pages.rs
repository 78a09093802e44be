//! The student's academic pages over the demo data (the sample files, loaded on a fresh
//! database): timetable, grades and GPA, exams, record card, calendar, and linking a record.

use campus::db::schema::{messages, users};
use chrono::Datelike;
use diesel::prelude::*;

use crate::academic_import::{import, sample};
use crate::helpers::{DEMO_PASSWORD, spawn_app};

/// Today in Shanghai, and its teaching week of the demo semester (from 2026-09-07, 20 weeks).
fn today_and_week() -> (chrono::NaiveDate, i64) {
    let today = campus::web::time::date(campus::db::now());
    let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 7).unwrap();
    (today, (today - start).num_days().div_euclid(7) + 1)
}

/// The course names of the grid's class cells (not the student's own entries), in page order.
fn cells(body: &str) -> Vec<String> {
    body.split("<details class=\"class-cell\">")
        .skip(1)
        .map(|s| {
            let open = "<summary><span class=\"class-cell__name\">";
            let s = &s[s.find(open).unwrap() + open.len()..];
            s[..s.find('<').unwrap()].to_string()
        })
        .collect()
}

#[test]
fn the_demo_student_sees_a_full_week_with_week_rules_applied() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/schedule?week=13");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("第13周课表"));
    assert!(r.body.contains("2026-2027学年第一学期"));
    let week13 = cells(&r.body);
    assert_eq!(week13.len(), 13, "{week13:?}");
    assert!(week13.contains(&"软件工程导论".to_string()), "odd weeks (1-15单周)");
    assert!(!r.body.contains("conflict-tag"), "no conflict in the demo week");
    // The cell's details: teacher, room, weeks, time.
    assert!(r.body.contains("<dt>教师</dt><dd>王明</dd><dt>教室</dt><dd>A203</dd><dt>时间</dt><dd>第1-2节 08:00–09:40</dd><dt>周次</dt><dd>1-16（1-16周）</dd>"));
    assert!(r.body.contains("<dd>1-8,10-16（1-8, 10-16周）</dd>"));
    let week12 = cells(&s.get("/academic/schedule?week=12").body);
    assert!(
        !week12.contains(&"软件工程导论".to_string()) && week12.iter().filter(|c| *c == "数据结构").count() == 2,
        "the even-week lab: {week12:?}"
    );
    let week9 = cells(&s.get("/academic/schedule?week=9").body);
    assert_eq!(week9.iter().filter(|c| *c == "Web 开发实践").count(), 0, "1-8,10-16 skips week 9; 10-16 has not begun");
    let week18 = s.get("/academic/schedule?week=18");
    assert!(week18.body.contains("第18周没有课"));
    // Other classes' meetings never show (软工2302 has its own 数据结构 on Monday).
    assert!(!r.body.contains("<dd>软工2302</dd>") && !r.body.contains("<dd>数学2301</dd>"));
}

#[test]
fn the_current_week_is_the_default_and_today_is_highlighted() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let (today, week) = today_and_week();
    let r = s.get("/academic/schedule");
    assert_eq!(r.status, 200);
    let shown = week.clamp(1, 20);
    assert!(r.body.contains(&format!("第{shown}周课表")), "{}", r.body);
    if (1..=20).contains(&week) {
        assert!(r.body.contains("<th scope=\"col\" class=\"today\">"), "today's column is marked");
        let label =
            ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][today.weekday().num_days_from_monday() as usize];
        assert!(r.body.contains(&format!("class=\"today\">{label}<span class=\"timetable__date\">今天")));
        let other = if week == 20 { 19 } else { week + 1 };
        let r = s.get(&format!("/academic/schedule?week={other}"));
        assert!(!r.body.contains("class=\"today\""), "another week has no today");
        assert!(r.body.contains(&format!("回到本周（第{week}周）")));
    }
}

#[test]
fn a_week_out_of_range_is_a_clear_error() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    for bad in ["0", "21", "-3"] {
        let r = s.get(&format!("/academic/schedule?week={bad}"));
        assert!((400..500).contains(&r.status), "{bad}: {}", r.status);
        assert!(r.body.contains("周次应在 1 到 20 之间"), "{bad}");
    }
    let r = s.get("/academic/schedule?week=abc");
    assert!((400..500).contains(&r.status));
    assert!(r.body.contains("链接参数无效"));
    assert_eq!(app.client().get("/academic/schedule").status, 303, "signed out: to the login page");
}

#[test]
fn overlapping_classes_are_shown_as_a_conflict() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let file = "学期,课程代码,教师工号,上课班级,星期,开始节次,结束节次,周次,教室\n2026-2027-1,MA102,T2003,软工2301,1,2,3,13,D201\n";
    import(&admin, "schedules", "extra.csv", file.as_bytes());
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/schedule?week=13");
    assert!(r.body.contains("本周有 1 处上课时间冲突"), "{}", r.body);
    assert!(r.body.contains("conflict-tag"));
    let week13 = cells(&r.body);
    assert!(week13.contains(&"线性代数".to_string()) && week13.contains(&"数据结构".to_string()));
    assert!(r.body.contains("rowspan=\"4\""), "the block spans periods 1-4");
    assert!(!s.get("/academic/schedule?week=14").body.contains("时间冲突"));
}

#[test]
fn grades_show_points_and_credit_weighted_gpa_per_semester_and_overall() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/grades");
    assert_eq!(r.status, 200);
    // 2025-2026-1: (4×4.0 + 5×3.0 + 2×3.7 + 2.5×3.7 + 1×3.7) / 14.5 = 3.54
    assert!(r.body.contains("2025-2026学年第一学期 · 学期绩点 3.54 · 学分 14.5"), "{}", r.body);
    // 2025-2026-2: (3×0 + 3×3.0 + 3×4.0) / 9 = 2.33; the failed course earns no credit.
    assert!(r.body.contains("2025-2026学年第二学期 · 学期绩点 2.33 · 学分 6"));
    assert!(r.body.contains("<p class=\"gpa-summary__value\">3.08</p><p class=\"muted\">累计绩点（4.0）</p>"));
    assert!(r.body.contains("<p class=\"gpa-summary__value\">20.5</p>"));
    assert!(r.body.contains("离散数学 <span class=\"fail-tag\">不及格</span>"));
    assert_eq!(r.body.matches("fail-tag").count(), 1);
    assert!(r.body.contains("高等数学（上）") && r.body.contains("<strong class=\"grade__total\">78.5</strong>"));
    assert!(r.body.contains("90 分及以上 4.0"), "the mapping is shown");
    // Newest semester first.
    assert!(r.body.find("第二学期").unwrap() < r.body.find("第一学期").unwrap());
    // 张伟's 93 in 高等数学 is his alone.
    assert!(!r.body.contains(">93</strong>") && !r.body.contains(">66</strong>"));
}

#[test]
fn exams_to_come_are_listed_with_a_countdown() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let (today, _) = today_and_week();
    let in3 = today + chrono::Days::new(3);
    let past = today - chrono::Days::new(2);
    let file = format!(
        "学号,学期,课程代码,考试日期,开始时间,结束时间,考场,座位号\n\
         2023010101,2026-2027-1,CS203,{in3},09:00,11:00,A203,17\n\
         2023010101,2026-2027-1,PO201,{past},09:00,11:00,D201,3\n\
         2023010102,2026-2027-1,PE201,{in3},14:00,15:00,GYM1,99\n"
    );
    import(&admin, "exams", "exams.csv", file.as_bytes());
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/exams");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("计算机网络"));
    assert!(r.body.contains(&format!("{in3} 09:00–11:00 · A203 · 座位 17")), "{}", r.body);
    assert!(r.body.contains("还有 3 天"));
    assert!(!r.body.contains("马克思主义基本原理"), "an exam already over is not listed");
    assert!(!r.body.contains("座位 99"), "another student's exam");
    let starts: Vec<usize> = ["计算机网络", "数据结构"].iter().filter_map(|n| r.body.find(n)).collect();
    if starts.len() == 2 && in3 < chrono::NaiveDate::from_ymd_opt(2027, 1, 11).unwrap() {
        assert!(starts[0] < starts[1], "soonest first");
    }
}

#[test]
fn the_record_card_keeps_no_roster_phone_and_never_shows_the_id_number() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/student-info");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("软工2301") && r.body.contains("计算机学院") && r.body.contains("2023"));
    // The roster's phone numbers are not imported (the account's own phone is on 我的).
    assert!(!r.body.contains("手机号") && !r.body.contains("13800138000"));
    assert!(r.body.contains("未登记"), "demo data carries no ID hash");
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let r = s.get("/academic/student-info");
    assert!(r.body.contains("******（已登记，仅保存加密摘要）"));
    assert!(!r.body.contains("12001X"));
}

#[test]
fn the_calendar_lists_weeks_holidays_and_exam_weeks() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/calendar?semester=2026-2027-1");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("2026-2027学年第一学期 · 共 20 周"));
    assert!(r.body.contains("第1周") && r.body.contains("第20周"));
    assert!(r.body.contains("9月7日–9月13日"));
    assert!(
        r.body.contains("假期：国庆节") && r.body.contains("考试周：期末考试") && r.body.contains("重要日期：校运动会")
    );
    let r = s.get("/academic/calendar?semester=2025-2026-2");
    assert!(r.body.contains("劳动节") && !r.body.contains("国庆节"));
    assert_eq!(s.get("/academic/calendar?semester=1999-2000-9").status, 404);
    assert_eq!(s.get("/academic/calendar").status, 200);
}

#[test]
fn a_user_without_a_record_learns_how_to_link_and_links_with_the_id_fragment() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let c = app.new_student("linker");
    for page in ["/academic/schedule", "/academic/grades", "/academic/exams", "/academic/student-info"] {
        let r = c.get(page);
        assert_eq!(r.status, 200, "{page}");
        assert!(r.body.contains("还没有关联学籍") && r.body.contains("身份证号后六位"), "{page}");
    }
    let student_no = |name: &str| -> Option<String> {
        app.db(|conn| {
            users::table
                .inner_join(campus::db::schema::user_auth::table)
                .filter(campus::db::schema::user_auth::auth_key.eq(name))
                .select(users::student_no)
                .first(conn)
                .unwrap()
        })
    };
    let r = c.submit("/academic/grades", "/academic/link", &[("student_no", "2023010201"), ("id_last6", "999999")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("学号与身份证后六位不匹配"));
    let r = c.submit("/academic/grades", "/academic/link", &[("student_no", "2023010103"), ("id_last6", "123456")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("没有登记你的身份证信息"));
    let r = c.submit("/academic/grades", "/academic/link", &[("student_no", "20230102"), ("id_last6", "12")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("身份证号的后六位"));
    assert_eq!(student_no("linker"), None, "nothing linked");

    let r = c.submit("/academic/grades", "/academic/link", &[("student_no", "2023010201"), ("id_last6", "051236")]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(student_no("linker").as_deref(), Some("2023010201"));
    let g = c.get("/academic/grades");
    assert!(g.body.contains("李娜") && g.body.contains("离散数学") && g.body.contains(">91</strong>"));
    assert!(!g.body.contains("程序设计基础"), "林晓's courses are not hers");
    let t = c.get("/academic/schedule?week=13");
    assert!(t.body.contains("软工2302"));
    assert!(cells(&t.body).len() < 5, "软工2302's own timetable");

    let other = app.new_student("second");
    let r = other.submit("/academic/grades", "/academic/link", &[("student_no", "2023010201"), ("id_last6", "051236")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("已关联到另一个账号"));
}

#[test]
fn a_bad_gpa_scale_stops_the_start_with_its_name() {
    let dir = std::env::temp_dir().join(format!("campus_gpa_{}_{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut config = campus::config::Config::for_data_dir(&dir, &format!("sqlite://{}", dir.join("gpa.db").display()));
    for bad in ["90:4.0,95:3.0", "ninety:4", "90:6.0", ""] {
        config.gpa_scale = Some(bad.into());
        let err = campus::app::prepare(&config).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("CAMPUS_GPA_SCALE"), "{bad:?}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_timetable_feed_parses_as_icalendar_and_a_new_token_revokes_the_old_url() {
    use campus::db::schema::course_schedules;
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let token_of = |r: &crate::helpers::Resp| -> String {
        assert_eq!(r.status, 200, "{}", r.body);
        let at = r.body.find("/academic/schedule.ics?token=").unwrap() + "/academic/schedule.ics?token=".len();
        r.body[at..at + r.body[at..].find(['"', '<']).unwrap()].to_string()
    };
    let first = token_of(&s.submit("/academic/schedule", "/academic/schedule.ics/token", &[]));
    let r = app.client().get(&format!("/academic/schedule.ics?token={first}"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/calendar"));
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(r.body.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("a valid iCalendar");
    // One event per actual meeting: every week of every 软工2301 meeting's rule.
    let masks: Vec<(String, i64)> = app.db(|c| {
        course_schedules::table.select((course_schedules::class_names, course_schedules::week_mask)).load(c).unwrap()
    });
    let all: u32 =
        masks.iter().filter(|(cls, _)| cls.split(',').any(|x| x == "软工2301")).map(|(_, m)| m.count_ones()).sum();
    // Less the 12 meetings on 国庆节 (Thu 10-01 2, Fri 10-02 2, Mon 10-05 3, Tue 10-06 3, Wed
    // 10-07 2), plus Friday 10-02's two on the make-up Saturday 10-10.
    let expected = all - 12 + 2;
    let classes = calendar
        .events
        .iter()
        .filter(|e| {
            let uid = e.properties.iter().find(|p| p.name == "UID").and_then(|p| p.value.clone()).unwrap();
            uid.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .count();
    assert_eq!(classes as u32, expected);
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties.iter().find(|p| p.name == name).cloned().unwrap()
    };
    let monday = calendar
        .events
        .iter()
        .find(|e| prop(e, "DTSTART").value.as_deref() == Some("20261130T080000"))
        .expect("week 13's Monday 08:00 class");
    assert_eq!(prop(monday, "SUMMARY").value.as_deref(), Some("数据结构"));
    assert_eq!(prop(monday, "LOCATION").value.as_deref(), Some("A203"));
    assert_eq!(prop(monday, "DTEND").value.as_deref(), Some("20261130T094000"));
    let tz = prop(monday, "DTSTART").params.unwrap();
    assert!(tz.iter().any(|(k, v)| k == "TZID" && v == &vec!["Asia/Shanghai".to_string()]));
    assert!(
        !calendar.events.iter().any(|e| prop(e, "DTSTART").value.as_deref() == Some("20261103T140000")),
        "no week-9 Web class"
    );

    assert!(
        calendar.events.iter().any(|e| prop(e, "DTSTART").value.as_deref() == Some("20261110T140000")),
        "week 10's"
    );

    let second = token_of(&s.submit("/academic/schedule", "/academic/schedule.ics/token", &[]));
    assert_ne!(first, second);
    assert_eq!(app.client().get(&format!("/academic/schedule.ics?token={first}")).status, 404, "revoked");
    assert_eq!(app.client().get(&format!("/academic/schedule.ics?token={second}")).status, 200);
    assert_eq!(app.client().get("/academic/schedule.ics?token=guess").status, 404);
    assert_eq!(app.client().get("/academic/schedule.ics").status, 404);
    // The token is stored only as a hash.
    let stored: String = app.db(|c| {
        campus::db::schema::calendar_feeds::table
            .select(campus::db::schema::calendar_feeds::token_hash)
            .first(c)
            .unwrap()
    });
    assert_ne!(stored, second);
}

/// Twenty new accounts claim one student number at the same moment: exactly one holds it, every
/// other one is told it is taken (never a 500), whichever database runs underneath — or, past the
/// five tries one student's number allows in 15 minutes (from any accounts), to wait.
#[test]
fn twenty_accounts_claiming_one_student_number_at_once_leave_exactly_one_owner() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    import(&admin, "students", "students.csv", &sample("students.csv"));
    let clients: Vec<_> = (0..20).map(|i| app.new_student(&format!("claimer{i}"))).collect();
    let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .map(|c| {
                s.spawn(move || {
                    let r = c.submit(
                        "/academic/grades",
                        "/academic/link",
                        &[("student_no", "2023010201"), ("id_last6", "051236")],
                    );
                    (r.status, r.body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        statuses.iter().filter(|(s, _)| *s == 303).count(),
        1,
        "{:?}",
        statuses.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    for (status, body) in statuses.iter().filter(|(s, _)| *s != 303) {
        match status {
            422 => assert!(body.contains("已关联到另一个账号"), "{body}"),
            429 => assert!(body.contains("尝试次数过多"), "{body}"),
            _ => panic!("{status}: {body}"),
        }
    }
    let reached = statuses.iter().filter(|(s, _)| *s != 429).count();
    assert_eq!(reached, 5, "five tries at one number reach the database, all at once");
    let owners: i64 =
        app.db(|conn| users::table.filter(users::student_no.eq("2023010201")).count().get_result(conn).unwrap());
    assert_eq!(owners, 1);
}

#[test]
fn a_new_or_changed_grade_tells_its_student_once() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let student: i64 =
        app.db(|c| users::table.filter(users::student_no.eq("2023010101")).select(users::id).first(c).unwrap());
    let told = || -> Vec<(String, String)> {
        app.db(|c| {
            messages::table
                .filter(messages::kind.eq("academic"))
                .filter(messages::link.eq("/academic/grades"))
                .order(messages::id)
                .select((messages::title, messages::body))
                .load(c)
                .unwrap()
        })
    };
    assert!(told().is_empty(), "the demo data loads quietly");
    import(&admin, "grades", "grades.csv", &sample("grades.csv"));
    assert!(told().is_empty(), "the same file again changes nothing and says nothing");

    let file = "学号,学期,课程代码,平时成绩,期中成绩,期末成绩,总评成绩\n\
        2023010101,2025-2026-1,CS101,95,90,91,93.5\n\
        2023010101,2026-2027-1,CS201,88,85,90,89\n\
        2023010101,2025-2026-1,MA101,80,75,78,78.5\n\
        2023010102,2025-2026-1,CS101,70,65,62,67\n";
    import(&admin, "grades", "changed.csv", file.as_bytes());
    let said = told();
    assert_eq!(said.len(), 2, "one per changed course of the linked student: {said:?}");
    assert!(said[0].0.starts_with("成绩有更新") && said[0].1.contains("总评 93.5 分"), "{said:?}");
    assert!(said[1].0.starts_with("新成绩已发布") && said[1].1.contains("总评 89 分"), "{said:?}");
    let owners: Vec<i64> =
        app.db(|c| messages::table.filter(messages::kind.eq("academic")).select(messages::user_id).load(c).unwrap());
    assert!(owners.iter().all(|o| *o == student), "only the linked student hears");
    import(&admin, "grades", "changed.csv", file.as_bytes());
    assert_eq!(told().len(), 2, "re-importing the changed file says nothing new");
}

#[test]
fn the_evaluation_card_weighs_the_categories_and_ranks_within_the_class() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let r = s.get("/academic/evaluation");
    assert_eq!(r.status, 200);
    let body = &r.body;
    // 88.5×70% + 92×15% + 85×10% + 80×5% = 88.25; classmates 87.75 and 80.5 (软工2302 not counted).
    let this_year = &body[body.find("2025-2026 学年").unwrap()..body.find("2024-2025 学年").unwrap()];
    assert!(this_year.contains("88.5") && this_year.contains("计 61.95"), "{this_year}");
    assert!(this_year.contains("<strong>88.25</strong>"), "{this_year}");
    assert!(this_year.contains("第 1 名") && this_year.contains("/ 3 人"), "{this_year}");
    let last_year = &body[body.find("2024-2025 学年").unwrap()..];
    assert!(last_year.contains("<strong>84.95</strong>") && last_year.contains("第 2 名"), "{last_year}");
    // A changed import moves the rank at once.
    let admin = app.login("admin", DEMO_PASSWORD);
    let file = "学号,学年,学业,德育,体育,其他\n2023010103,2025-2026,95,95,95,95\n";
    import(&admin, "evaluations", "up.csv", file.as_bytes());
    assert!(s.get("/academic/evaluation").body.contains("第 2 名"));
    // Bad cells are reported by line and column.
    let bad = "学号,学年,学业,德育,体育\n2023010101,2025/2026,90,90,90\n2023010101,2025-2026,101,90,90\n9999,2025-2026,90,90,90\n";
    let report = import(&admin, "evaluations", "bad.csv", bad.as_bytes());
    assert!(report.body.contains("不是学年"), "{}", report.body);
    assert!(report.body.contains("没有学号「9999」的学生"), "{}", report.body);
    // Someone with no record learns how to link it.
    let other = app.new_student("nobody");
    assert!(other.get("/academic/evaluation").body.contains("身份证"));
}

#[test]
fn the_directory_lists_offices_and_searches_them() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let all = s.get("/academic/contacts");
    assert_eq!(all.status, 200);
    assert!(all.body.contains("教务处") && all.body.contains("考试中心"));
    assert!(all.body.contains("href=\"tel:057188201002\""), "dial digits only");
    let found = s.get(&format!("/academic/contacts?q={}", campus::web::url_encode("图书馆")));
    assert!(found.body.contains("借阅服务台") && !found.body.contains("考试中心"));
    let by_place = s.get(&format!("/academic/contacts?q={}", campus::web::url_encode("行政楼")));
    assert!(
        by_place.body.contains("教务科") && by_place.body.contains("学费与报销") && !by_place.body.contains("宿舍报修")
    );
    let none = s.get("/academic/contacts?q=%25_%5C");
    assert_eq!(none.status, 200);
    assert!(none.body.contains("没有找到"), "LIKE wildcards are taken literally");
    let script = s.get("/academic/contacts?q=%3Cscript%3E");
    assert!(!script.body.contains("<script>") && script.body.contains("没有找到"));
    // No student phone ever: the directory holds staff offices only.
    assert!(!all.body.contains("138"));
    assert_eq!(app.client().get("/academic/contacts").status, 303, "signed-in users only");
}
