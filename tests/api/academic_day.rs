//! A student's day (issue 35): the today card on `/`, holidays and make-up days (调休) in the
//! grid, the card, the feed and the free-room finder, her own timetable entries, the feed with
//! everything, the GPA planner and grades since the last visit. Days that matter are fixed
//! (`now` passed to the service) or computed from today, so the tests hold on any date of the
//! demo semester.

use campus::db::schema::{course_schedules, courses, exams, grades, schedule_entries, semesters};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};

use crate::forum::user_id;

/// A Shanghai wall-clock time as the stored UTC.
fn at(date: &str, time: &str) -> NaiveDateTime {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    campus::web::time::utc(d.and_time(NaiveTime::parse_from_str(time, "%H:%M").unwrap()))
}

fn day_of(app: &TestApp, user: i64, now: NaiveDateTime) -> campus::academic::today::AcademicDay {
    app.db(|c| campus::home::today::academic_day_at(c, user, now).unwrap().expect("a linked student"))
}

fn classes(day: &campus::academic::today::AcademicDay) -> Vec<String> {
    day.slots.iter().filter(|s| !s.own).map(|s| s.title.clone()).collect()
}

#[test]
fn the_today_card_has_the_class_on_now_the_rest_of_the_day_and_the_next_exam() {
    let app = spawn_app();
    let student = user_id(&app, "student");
    // Wednesday of week 13, 09:30: 计算机网络 (1-2节, A203) is on; 软工导论 (odd weeks) follows.
    let now = at("2026-12-02", "09:30");
    let day = day_of(&app, student, now);
    assert_eq!(day.heading, "12月2日 周三 · 第13周");
    assert_eq!(classes(&day), ["计算机网络", "软件工程导论"]);
    let local = campus::web::time::local(now).time();
    let (on, ongoing) = day.now_or_next(local).unwrap();
    assert!(ongoing);
    assert_eq!(on.title, "计算机网络");
    assert_eq!(on.room.as_deref(), Some("A203"));
    assert_eq!(on.building.as_deref(), Some("第一教学楼"));
    assert!(on.teacher.is_some());
    let later: Vec<&str> = day.later(local).iter().filter(|s| !s.own).map(|s| s.title.as_str()).collect();
    assert_eq!(later.first(), Some(&"软件工程导论"), "{later:?}");
    // The 12-10 evening exam of Web 开发实践 is within 14 days: countdown, room and seat.
    let exam = day.exam.as_ref().expect("an exam within 14 days");
    assert_eq!(exam.exam.row.course_name, "Web 开发实践");
    assert_eq!(exam.exam.countdown, "还有 8 天");
    assert_eq!((exam.exam.row.room.as_str(), exam.exam.row.seat.as_str()), ("C110", "31"));
    // Three weeks earlier that exam is beyond the window.
    assert!(day_of(&app, student, at("2026-11-11", "09:30")).exam.is_none());
}

#[test]
fn a_holiday_has_no_classes_and_names_the_next_class_day_and_a_makeup_day_keeps_the_followed_timetable() {
    let app = spawn_app();
    let student = user_id(&app, "student");
    let holiday = day_of(&app, student, at("2026-10-01", "10:00"));
    assert_eq!(holiday.note.as_deref(), Some("国庆节放假"));
    assert!(classes(&holiday).is_empty(), "no class on 国庆节");
    let (date, next) = holiday.next_day.as_ref().expect("the next class day");
    assert_eq!(*date, NaiveDate::from_ymd_opt(2026, 10, 8).unwrap(), "10-02..10-07 are holidays; 10-08 is the next");
    let titles: Vec<&str> = next.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["马克思主义基本原理", "操作系统", "概率论与数理统计"]);
    // Saturday 10-10 makes up Friday 10-02 (week 4, an even week: 英语 meets too).
    let makeup = day_of(&app, student, at("2026-10-10", "07:00"));
    assert!(makeup.note.as_deref().unwrap().contains("调休"), "{:?}", makeup.note);
    assert_eq!(classes(&makeup), ["计算机网络", "大学英语（三）"]);

    // The grid: week 4 shows the holiday on Thursday and Friday and nothing in them; week 5's
    // Saturday has Friday's classes.
    let s = app.login("student", DEMO_PASSWORD);
    let week4 = s.get("/academic/schedule?week=4").body;
    assert_eq!(week4.matches("day-tag--holiday").count(), 4, "Thursday 10-01 to Sunday 10-04");
    let week5 = s.get("/academic/schedule?week=5").body;
    assert_eq!(week5.matches("day-tag--holiday").count(), 3, "Monday 10-05 to Wednesday 10-07");
    assert!(week5.contains("day-tag--makeup"));
    let grid_cells = |body: &str| body.matches("<details class=\"class-cell\">").count();
    assert_eq!(grid_cells(&s.get("/academic/schedule?week=13").body), 13);
    // Week 4 (even) has 12 meetings; Thursday's two and Friday's two fall on the holiday.
    assert_eq!(grid_cells(&week4), 8);
    // Week 5: Thursday's three and Friday's one, and Saturday 10-10 keeps Friday 10-02's two.
    assert_eq!(grid_cells(&week5), 6);

    // The free-room finder: on the holiday A203 has no class; on an ordinary Wednesday it does.
    let free = |day: &str| -> Vec<String> {
        app.db(|c| {
            let slot = campus::academic::rooms::service::Slot {
                day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
                from: 1,
                to: 2,
            };
            campus::academic::rooms::service::free_rooms(c, Some("第一教学楼"), &slot)
                .unwrap()
                .into_iter()
                .map(|r| r.code)
                .collect()
        })
    };
    assert!(!free("2026-12-02").contains(&"A203".to_string()), "计算机网络 there");
    assert!(!free("2026-09-25").contains(&"A203".to_string()), "an ordinary Friday: 计算机网络 there");
    assert!(free("2026-10-02").contains(&"A203".to_string()), "Friday 10-02 is a holiday");
    assert!(!free("2026-10-10").contains(&"A203".to_string()), "Saturday 10-10 keeps Friday's 计算机网络 in A203");
}

/// The feed of `s`, parsed by the `ical` crate.
fn feed(s: &Client, app: &TestApp) -> ical::parser::ical::component::IcalCalendar {
    let r = s.submit("/academic/schedule", "/academic/schedule.ics/token", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("webcal://"), "a webcal link");
    assert!(r.body.contains("data-copy=\"feed-url\""), "a copy button");
    let at = r.body.find("/academic/schedule.ics?token=").unwrap() + "/academic/schedule.ics?token=".len();
    let token = &r.body[at..at + r.body[at..].find(['"', '<']).unwrap()];
    let ics = app.client().get(&format!("/academic/schedule.ics?token={token}"));
    assert_eq!(ics.status, 200);
    for line in ics.body.split("\r\n") {
        assert!(line.len() <= 75, "folded at 75 octets: {line}");
    }
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.body.as_bytes()));
    parser.next().expect("one calendar").expect("a valid iCalendar")
}

fn prop(e: &ical::parser::ical::component::IcalEvent, name: &str) -> Option<String> {
    e.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone())
}

#[test]
fn the_feed_holds_classes_without_holidays_exams_with_seats_holidays_activities_and_own_entries() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    // An own entry whose title needs escaping.
    let r = s.submit(
        "/academic/schedule/entries/new",
        "/academic/schedule/entries",
        &[
            ("title", "读书会; 第一期, 共读"),
            ("place", "图书馆"),
            ("day", "2"),
            ("mode", "time"),
            ("starts_at", "19:30"),
            ("ends_at", "21:00"),
            ("weeks", "13"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    // A registered activity: the first upcoming one that takes her.
    let upcoming: Vec<(i64, String)> = app.db(|c| {
        use campus::db::schema::activities;
        activities::table
            .filter(activities::starts_at.gt(campus::db::now()))
            .filter(activities::status.eq("published"))
            .order(activities::id)
            .select((activities::id, activities::title))
            .load(c)
            .unwrap()
    });
    let title = upcoming
        .iter()
        .find(|(id, _)| crate::activity::signup(&s, *id, "林晓", &[("q0", "计算机学院"), ("q1", "无")]).status == 303)
        .map(|(_, t)| t.clone())
        .expect("an activity to register for");
    let cal = feed(&s, &app);
    let starts: Vec<String> = cal.events.iter().filter_map(|e| prop(e, "DTSTART")).collect();
    assert!(!starts.iter().any(|d| d.starts_with("20261001T") || d.starts_with("20261002T")), "no class on 国庆节");
    assert!(starts.contains(&"20261010T080000".to_string()), "the make-up Saturday keeps Friday's first class");
    let holiday =
        cal.events.iter().find(|e| prop(e, "SUMMARY").as_deref() == Some("国庆节（放假）")).expect("the holiday");
    assert_eq!(prop(holiday, "DTSTART").as_deref(), Some("20261001"));
    assert_eq!(prop(holiday, "DTEND").as_deref(), Some("20261008"), "all-day, end exclusive");
    let exam =
        cal.events.iter().find(|e| prop(e, "SUMMARY").as_deref() == Some("考试：Web 开发实践")).expect("the exam");
    assert_eq!(prop(exam, "DTSTART").as_deref(), Some("20261210T110000Z"));
    assert!(prop(exam, "DESCRIPTION").unwrap().contains("座位号 31"));
    let own = cal
        .events
        .iter()
        .find(|e| prop(e, "DTSTART").as_deref() == Some("20261201T193000"))
        .expect("the own entry, Tuesday of week 13");
    assert_eq!(prop(own, "SUMMARY").as_deref(), Some("读书会\\; 第一期\\, 共读"), "escaped as RFC 5545 text");
    assert!(
        cal.events.iter().any(|e| prop(e, "SUMMARY").as_deref() == Some(title.as_str())),
        "the registered activity"
    );
    assert!(
        cal.timezones
            .iter()
            .any(|tz| tz.properties.iter().any(|p| p.name == "TZID" && p.value.as_deref() == Some("Asia/Shanghai")))
    );
}

fn entries_of(app: &TestApp, user: i64) -> Vec<(i64, String)> {
    app.db(|c| {
        schedule_entries::table
            .filter(schedule_entries::user_id.eq(user))
            .order(schedule_entries::id)
            .select((schedule_entries::id, schedule_entries::title))
            .load(c)
            .unwrap()
    })
}

#[test]
fn a_student_adds_edits_and_deletes_her_own_entries_marked_on_the_grid_with_conflicts() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let me = user_id(&app, "student");
    let before = entries_of(&app, me).len();
    let timetable = s.get("/academic/schedule").body;
    assert!(timetable.contains("href=\"/academic/schedule/entries/new\""), "linked from the timetable");
    // Monday 第1-2节 is 数据结构's time: a conflict.
    let r = s.submit(
        "/academic/schedule/entries/new",
        "/academic/schedule/entries",
        &[
            ("title", "社团值班"),
            ("place", "学生活动中心"),
            ("day", "1"),
            ("mode", "periods"),
            ("period_start", "1"),
            ("period_end", "2"),
            ("weeks", "13-14"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(r.location().unwrap().starts_with("/academic/schedule?week="));
    let mine = entries_of(&app, me);
    assert_eq!(mine.len(), before + 1);
    let (id, _) = mine.last().unwrap().clone();
    let week13 = s.get("/academic/schedule?week=13").body;
    assert!(week13.contains("社团值班</span><span class=\"own-tag\">我的</span>"), "marked as hers");
    assert!(week13.contains("conflict-tag"), "the clash with 数据结构 is marked");
    assert!(week13.contains("本周你的日程有 1 处和课程时间冲突"));
    assert!(!s.get("/academic/schedule?week=15").body.contains("社团值班"), "only weeks 13-14");

    // Edit it to Saturday by clock time.
    let edit = format!("/academic/schedule/entries/{id}/edit");
    let r = s.submit(
        &edit,
        &format!("/academic/schedule/entries/{id}"),
        &[
            ("title", "社团值班（改）"),
            ("place", "学生活动中心"),
            ("day", "6"),
            ("mode", "time"),
            ("starts_at", "14:00"),
            ("ends_at", "16:30"),
            ("weeks", "13"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let week13 = s.get("/academic/schedule?week=13").body;
    assert!(week13.contains("社团值班（改）") && !week13.contains("conflict-tag"), "moved off the class");
    assert!(week13.contains("14:00–16:30"));

    // Someone else's id is not found, and nothing changes.
    let other = app.new_student("other_student");
    assert_eq!(other.get(&edit).status, 404);
    let r = other.submit(
        "/academic/schedule/entries/new",
        &format!("/academic/schedule/entries/{id}"),
        &[("title", "偷改"), ("day", "1"), ("mode", "periods"), ("period_start", "1"), ("period_end", "2")],
    );
    assert_eq!(r.status, 404);
    let r = other.submit("/academic/schedule/entries/new", &format!("/academic/schedule/entries/{id}/delete"), &[]);
    assert_eq!(r.status, 404);
    assert_eq!(entries_of(&app, me).last().unwrap().1, "社团值班（改）");

    // Bad input: a Chinese message, 422, nothing stored.
    let count = entries_of(&app, me).len();
    for (fields, message) in [
        (
            vec![("title", "自习"), ("day", "3"), ("mode", "periods"), ("period_start", "5"), ("period_end", "3")],
            "结束节次不能早于开始节次",
        ),
        (
            vec![("title", "自习"), ("day", "3"), ("mode", "time"), ("starts_at", "20:00"), ("ends_at", "19:00")],
            "结束时间必须晚于开始时间",
        ),
        (
            vec![
                ("title", "自习"),
                ("day", "3"),
                ("mode", "periods"),
                ("period_start", "1"),
                ("period_end", "2"),
                ("weeks", "1-25"),
            ],
            "超出了本学期的 20 个教学周",
        ),
        (
            vec![("title", " "), ("day", "3"), ("mode", "periods"), ("period_start", "1"), ("period_end", "2")],
            "请填写名称",
        ),
        (
            vec![("title", "自习"), ("day", "9"), ("mode", "periods"), ("period_start", "1"), ("period_end", "2")],
            "请选择星期几",
        ),
    ] {
        let r = s.submit("/academic/schedule/entries/new", "/academic/schedule/entries", &fields);
        assert_eq!(r.status, 422, "{message}: {}", r.body);
        assert!(r.body.contains(message), "{message}");
        assert!(r.body.contains("自习"), "the form keeps what was typed");
    }
    assert_eq!(entries_of(&app, me).len(), count);

    // Export and forget.
    let exported = app.db(|c| campus::academic::entries::export_user(c, me).unwrap());
    assert!(exported["schedule_entries"].as_array().unwrap().iter().any(|e| e["title"] == "社团值班（改）"));

    // Delete.
    let r = s.submit(&edit, &format!("/academic/schedule/entries/{id}/delete"), &[]);
    assert_eq!(r.status, 303);
    assert!(!entries_of(&app, me).iter().any(|(i, _)| *i == id));
    app.db(|c| campus::academic::entries::forget_user(c, me).unwrap());
    assert!(entries_of(&app, me).is_empty());
}

/// A late class of 软工2301 every day of every week in A101 (第一教学楼, a map point), so the
/// card has a room to link at any hour: today's, or the next class day's.
pub fn a_late_class_every_day(app: &TestApp) {
    app.db(|c| {
        let semester: i64 =
            semesters::table.filter(semesters::code.eq("2026-2027-1")).select(semesters::id).first(c).unwrap();
        let course: i64 = courses::table.filter(courses::code.eq("MA102")).select(courses::id).first(c).unwrap();
        let room: i64 = {
            use campus::db::schema::classrooms;
            classrooms::table.filter(classrooms::code.eq("A101")).select(classrooms::id).first(c).unwrap()
        };
        let now = campus::db::now();
        for day in 1..=7 {
            diesel::insert_into(course_schedules::table)
                .values((
                    course_schedules::semester_id.eq(semester),
                    course_schedules::course_id.eq(course),
                    course_schedules::class_names.eq("软工2301"),
                    course_schedules::day_of_week.eq(day),
                    course_schedules::period_start.eq(12),
                    course_schedules::period_end.eq(12),
                    course_schedules::weeks.eq("1-20"),
                    course_schedules::week_mask.eq((1i64 << 20) - 1),
                    course_schedules::classroom_id.eq(room),
                    course_schedules::created_at.eq(now),
                    course_schedules::updated_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
    });
}

#[test]
fn the_home_page_has_the_today_card_for_a_student_and_a_teacher_and_none_for_others() {
    let app = spawn_app();
    a_late_class_every_day(&app);
    let s = app.login("student", DEMO_PASSWORD);
    let home = s.get("/").body;
    let card = &home[home.find("<section id=\"today\"").expect("the card")..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(card.contains("今天"));
    assert!(card.contains("线性代数"), "{card}");
    let poi: i64 = app.db(|c| {
        use campus::db::schema::campus_pois;
        campus_pois::table.filter(campus_pois::name.eq("第一教学楼")).select(campus_pois::id).first(c).unwrap()
    });
    assert!(card.contains(&format!("<a class=\"today-room\" href=\"/campus/map?poi={poi}\">A101</a>")), "{card}");
    let map = s.get(&format!("/campus/map?poi={poi}"));
    assert_eq!(map.status, 200);
    assert!(map.body.contains("第一教学楼"));
    let t = app.login("teacher", DEMO_PASSWORD);
    let home = t.get("/").body;
    assert!(home.contains("<section id=\"today\""));
    assert!(home.contains("授课周表"));
    let m = app.login("merchant", DEMO_PASSWORD);
    assert!(!m.get("/").body.contains("<section id=\"today\""), "no linked record, no card");
    assert!(!app.client().get("/").body.contains("<section id=\"today\""));
}

#[test]
fn exams_that_overlap_each_other_or_a_class_are_flagged_on_the_card_and_the_exams_page() {
    let app = spawn_app();
    let today = campus::web::time::date(campus::db::now());
    // A day three days ahead: a class of 软工2301 at 1-2节 every week, and two exams 08:30-10:00
    // and 09:30-11:00 on it.
    let day = today + chrono::TimeDelta::days(3);
    let weekday = chrono::Datelike::weekday(&day).number_from_monday() as i32;
    app.db(|c| {
        let semester: i64 =
            semesters::table.filter(semesters::code.eq("2026-2027-1")).select(semesters::id).first(c).unwrap();
        let mut course = |code: &str| courses::table.filter(courses::code.eq(code)).select(courses::id).first::<i64>(c);
        let (cs101, ma102, cs102) = (course("CS101").unwrap(), course("MA102").unwrap(), course("CS102").unwrap());
        let now = campus::db::now();
        diesel::insert_into(course_schedules::table)
            .values((
                course_schedules::semester_id.eq(semester),
                course_schedules::course_id.eq(cs101),
                course_schedules::class_names.eq("软工2301"),
                course_schedules::day_of_week.eq(weekday),
                course_schedules::period_start.eq(1),
                course_schedules::period_end.eq(2),
                course_schedules::weeks.eq("1-20"),
                course_schedules::week_mask.eq((1i64 << 20) - 1),
                course_schedules::created_at.eq(now),
                course_schedules::updated_at.eq(now),
            ))
            .execute(c)
            .unwrap();
        for (course, from, to, seat) in [(ma102, "08:30", "10:00", "07"), (cs102, "09:30", "11:00", "09")] {
            diesel::insert_into(exams::table)
                .values((
                    exams::student_no.eq("2023010101"),
                    exams::semester_id.eq(semester),
                    exams::course_id.eq(course),
                    exams::starts_at.eq(at(&day.to_string(), from)),
                    exams::ends_at.eq(at(&day.to_string(), to)),
                    exams::room.eq("A105"),
                    exams::seat.eq(seat),
                    exams::created_at.eq(now),
                    exams::updated_at.eq(now),
                ))
                .execute(c)
                .unwrap();
        }
    });
    let s = app.login("student", DEMO_PASSWORD);
    let page = s.get("/academic/exams").body;
    assert!(page.contains("与「离散数学」考试时间重叠"), "{page}");
    assert!(page.contains("与「线性代数」考试时间重叠"));
    assert!(page.contains("与「程序设计基础」上课时间冲突（08:00–09:40）"));
    let day_view = day_of(&app, user_id(&app, "student"), campus::db::now());
    assert!(day_view.clashes >= 2, "both exams clash");
}

#[test]
fn the_gpa_planner_computes_hypothetical_and_target_gpas_and_refuses_a_target_above_the_scale() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let page = s.get("/academic/gpa");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("name=\"s_CS201\""), "数据结构 has no grade this semester");
    let current = page.body[page.body.find("当前累计绩点 ").unwrap() + "当前累计绩点 ".len()..][..4].to_string();
    // Full marks in every course raise the cumulative GPA; the semester GPA is 4.00.
    let codes: Vec<String> = page
        .body
        .match_indices("name=\"s_")
        .map(|(i, _)| {
            let rest = &page.body[i + 8..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect();
    assert!(codes.len() >= 5, "{codes:?}");
    let query: String = codes.iter().map(|c| format!("s_{c}=95&")).collect();
    let r = s.get(&format!("/academic/gpa?{query}"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<p class=\"gpa-summary__value\" id=\"plan-semester\">4.00</p>"), "{}", r.body);
    let cumulative: f64 = {
        let at = r.body.find("id=\"plan-cumulative\">").unwrap() + "id=\"plan-cumulative\">".len();
        r.body[at..at + 4].parse().unwrap()
    };
    assert!(cumulative > current.parse::<f64>().unwrap());
    // A target: the average the remaining courses need; htmx gets the result fragment alone.
    let r = s.get_with("/academic/gpa?target=3.5", &[("HX-Request", "true")]);
    assert_eq!(r.status, 200);
    assert!(r.body.trim_start().starts_with("<section id=\"gpa-result\""), "{}", r.body);
    assert!(r.body.contains("平均绩点需要") || r.body.contains("已经达到目标"), "{}", r.body);
    let r = s.get("/academic/gpa?target=4.0");
    assert!(r.body.contains("即使全部满分也达不到") || r.body.contains("平均绩点需要 4.00"), "{}", r.body);
    // A plain form POST works the same.
    let r = s.submit("/academic/gpa", "/academic/gpa", &[("target", "3.2")]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"plan-needed\""));
    // Bad input: Chinese message, 422.
    let r = s.get("/academic/gpa?target=4.5");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("超过了本校绩点满分 4"), "{}", r.body);
    let r = s.get("/academic/gpa?s_CS201=120");
    assert_eq!(r.status, 422);
    assert!(r.body.contains("「数据结构」的分数应是 0 到 100 之间的数"));
    // Nothing saved: the grades are untouched.
    let count: i64 =
        app.db(|c| grades::table.filter(grades::student_no.eq("2023010101")).count().get_result(c).unwrap());
    let page = s.get("/academic/grades").body;
    assert_eq!(page.matches("class=\"weui-cell grade").count() as i64, count);
}

#[test]
fn new_and_changed_grades_are_marked_until_seen() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let first = s.get("/academic/grades").body;
    assert!(first.contains("class=\"new-tag\">新</span>"), "never seen: every grade is new: {first}");
    let second = s.get("/academic/grades").body;
    assert!(!second.contains("new-tag"), "seen now");
    // The school changes a grade (数据结构, first semester it appears) and adds one.
    let (semester, course, total): (i64, i64, i32) = app.db(|c| {
        grades::table
            .inner_join(courses::table)
            .filter(grades::student_no.eq("2023010101"))
            .order(grades::id)
            .select((grades::semester_id, grades::course_id, grades::total))
            .first(c)
            .unwrap()
    });
    app.db(|c| {
        diesel::update(
            grades::table
                .filter(grades::student_no.eq("2023010101"))
                .filter(grades::semester_id.eq(semester))
                .filter(grades::course_id.eq(course)),
        )
        .set(grades::total.eq(if total == 1000 { 990 } else { total + 10 }))
        .execute(c)
        .unwrap();
    });
    let third = s.get("/academic/grades").body;
    let new_total = if total == 1000 { 990 } else { total + 10 };
    let t = |n: i32| campus::academic::service::tenths(n);
    assert!(third.contains(&format!("class=\"new-tag\">{} → {}</span>", t(total), t(new_total))), "{third}");
    assert_eq!(third.matches("new-tag").count(), 1);
    assert!(third.contains("有 1 门成绩新出或有变动"));
    assert!(!s.get("/academic/grades").body.contains("new-tag"), "seen after the visit");
    // Another student's visits are her own.
    let other = app.new_student("other_student");
    assert!(!other.get("/academic/grades").body.contains("new-tag"));
}

#[test]
fn the_today_card_lists_what_waits_on_her_and_the_home_page_counts_her_messages_by_kind() {
    use campus::academic::rooms::queries::{NewBooking, insert};
    use campus::db::schema::{classroom_bookings, classrooms, messages, orders, product_skus as skus};
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let student = user_id(&app, "student");
    let now = campus::db::now();
    let today = campus::academic::service::today(now);
    let (room, code): (i64, String) = app
        .db(|c| classrooms::table.order(classrooms::id).select((classrooms::id, classrooms::code)).first(c).unwrap());
    // Waiting on her: one undecided today, one approved today. Not yet: undecided in three days,
    // refused today.
    let book = |day: NaiveDate, from: i32, purpose: &str, status: &str| {
        app.db(|c| {
            let b = NewBooking { room, user: student, day, from, to: from + 1, purpose, attendees: 4 };
            let id = insert(c, &b, now).unwrap();
            diesel::update(classroom_bookings::table.find(id))
                .set(classroom_bookings::status.eq(status))
                .execute(c)
                .unwrap();
        })
    };
    book(today, 1, "小组讨论", "pending");
    book(today, 3, "社团例会", "approved");
    book(today + chrono::TimeDelta::days(3), 5, "读书会", "pending");
    book(today, 7, "被拒的预约", "rejected");
    // A parcel at the pickup point.
    let sku: i64 = app.db(|c| skus::table.filter(skus::stock.gt(5)).order(skus::id).select(skus::id).first(c).unwrap());
    crate::mall::add_to_cart(&s, sku, "1");
    let order_no = crate::mall::checkout(&s);
    app.db(|c| {
        diesel::update(orders::table.filter(orders::order_no.eq(&order_no)))
            .set((orders::status.eq("shipped"), orders::pickup_code.eq("8520")))
            .execute(c)
            .unwrap()
    });

    let home = s.get("/").body;
    let card = &home[home.find("<section id=\"today\"").expect("the card")..];
    let card = &card[..card.find("</section>").unwrap()];
    assert_eq!(card.matches("的预约还在等审批").count(), 1, "one undecided: {card}");
    assert!(card.contains(&format!("教室 {code} ")), "{card}");
    assert_eq!(card.matches("已批准，记得按时使用").count(), 1, "{card}");
    assert!(card.contains("社团例会"), "{card}");
    assert!(!card.contains("读书会") && !card.contains("被拒的预约"), "{card}");
    assert!(card.contains("取件码 8520"), "{card}");
    assert!(card.contains(&format!("href=\"/mall/orders/{order_no}\"")), "{card}");

    // The message counts by kind beside the card match the table.
    app.db(|c| {
        diesel::insert_into(messages::table)
            .values((
                messages::user_id.eq(student),
                messages::kind.eq("order"),
                messages::title.eq("订单已发货"),
                messages::body.eq("到自提点取件"),
                messages::created_at.eq(now),
            ))
            .execute(c)
            .unwrap()
    });
    let home = s.get("/").body;
    let unread_orders: i64 = app.db(|c| {
        messages::table
            .filter(messages::user_id.eq(student))
            .filter(messages::kind.eq_any(["order", "shop_order"]))
            .filter(messages::read_at.is_null())
            .count()
            .get_result(c)
            .unwrap()
    });
    let kinds = &home[home.find("<nav class=\"unread-kinds\"").expect("the counts")..];
    let kinds = &kinds[..kinds.find("</nav>").unwrap()];
    let orders_tab = &kinds[kinds.find("category=order").expect("the order tab")..];
    let orders_tab = &orders_tab[..orders_tab.find("</a>").unwrap()];
    assert!(unread_orders >= 1);
    assert!(orders_tab.contains(&format!("<span class=\"weui-badge\">{unread_orders}</span>")), "{orders_tab}");
}

/// The probe's course name: a bare CR, LFs and CRLFs that would end the SUMMARY line early and
/// open events of their own, with RFC 5545's special characters.
const HOSTILE: &str = "注入,课;程\\X\r\nEND:VEVENT\r\nBEGIN:VEVENT\nX:1\rBEGIN:VEVENT";

#[test]
fn an_import_refuses_control_characters_naming_row_and_column() {
    let app = spawn_app();
    let admin = app.login("admin", DEMO_PASSWORD);
    let file = format!(
        "课程代码,课程名称,学分,课程性质\nXX1,\"{HOSTILE}\",3,必修\nXX2,正常课程,2,必修\nXX3,带\u{8}退格的课,2,选修\u{1b}\n"
    );
    let report = crate::academic_import::import(&admin, "courses", "courses.csv", file.as_bytes());
    assert_eq!(crate::academic_import::counts(&report), (1, 0, 0, 2), "{}", report.body);
    assert!(report.body.contains("第 2 行「课程名称」列含有换行、回车等控制字符"), "{}", report.body);
    assert!(report.body.contains("「课程名称」列含有换行、回车等控制字符"), "{}", report.body);
    let stored: Vec<String> = app.db(|c| {
        courses::table.filter(courses::code.like("XX%")).select(courses::code).order(courses::code).load(c).unwrap()
    });
    assert_eq!(stored, vec!["XX2".to_string()], "nothing of a refused row is saved");
}

#[test]
fn the_feed_escapes_hostile_names_so_every_event_is_its_own() {
    let app = spawn_app();
    let s = app.login("student", DEMO_PASSWORD);
    let upcoming: Vec<i64> = app.db(|c| {
        use campus::db::schema::activities;
        activities::table
            .filter(activities::starts_at.gt(campus::db::now()))
            .filter(activities::status.eq("published"))
            .order(activities::id)
            .select(activities::id)
            .load(c)
            .unwrap()
    });
    let activity = *upcoming
        .iter()
        .find(|id| crate::activity::signup(&s, **id, "林晓", &[("q0", "计算机学院"), ("q1", "无")]).status == 303)
        .expect("an activity to register for");
    // Names stored before imports refused control characters (or typed by an organizer).
    app.db(|c| {
        use campus::db::schema::activities;
        diesel::update(activities::table.find(activity)).set(activities::title.eq(HOSTILE)).execute(c).unwrap();
        diesel::update(exams::table).set(exams::room.eq("A\u{7}101\u{b}\u{1}\u{85}\u{2028};x")).execute(c).unwrap();
    });
    let r = s.submit("/academic/schedule", "/academic/schedule.ics/token", &[]);
    let at = r.body.find("/academic/schedule.ics?token=").unwrap() + "/academic/schedule.ics?token=".len();
    // The link page shows the token in attributes too (the webcal link, the copy button).
    let token =
        &r.body[at..at + r.body[at..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap()];
    let body = app.client().get(&format!("/academic/schedule.ics?token={token}")).body;
    // Between the CRLFs that end content lines there is no line break and no control character
    // but HTAB: a reader splitting on any line break sees the same events as a strict one.
    let lines: Vec<&str> = body.split("\r\n").collect();
    for line in &lines {
        assert!(!line.chars().any(|c| c.is_control() && c != '\t'), "a control character in {line:?}");
    }
    let cal = feed(&s, &app);
    let loose = body.split(['\r', '\n']).filter(|l| *l == "BEGIN:VEVENT").count();
    assert_eq!(loose, cal.events.len(), "as many events split on any line break as parsed");
    assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), cal.events.len());
    let event =
        cal.events.iter().find(|e| prop(e, "SUMMARY").is_some_and(|s| s.starts_with("注入"))).expect("the activity");
    assert_eq!(
        prop(event, "SUMMARY").as_deref(),
        Some(r"注入\,课\;程\\X\nEND:VEVENT\nBEGIN:VEVENT\nX:1\nBEGIN:VEVENT"),
        "one escaped TEXT value"
    );
    assert!(cal.events.iter().all(|e| prop(e, "X").is_none()), "no property smuggled in");
    let exam =
        cal.events.iter().find(|e| prop(e, "SUMMARY").is_some_and(|s| s.starts_with("考试："))).expect("an exam");
    assert!(prop(exam, "DESCRIPTION").unwrap().contains(r"考场 A101\n\n\;x"), "{:?}", prop(exam, "DESCRIPTION"));
}
