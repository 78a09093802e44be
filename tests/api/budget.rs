//! The statement budget (DESIGN §4): every main student page costs at most 3 statements signed
//! in and at most 2 anonymously, counting everything the request runs (pool pings, the session
//! check, `BEGIN`/`COMMIT`, the page). Each pooled connection counts through diesel's
//! instrumentation (`campus::db::counting`); debug builds report the count and the statements in
//! the `x-db-statements` and `x-db-sql` response headers.
//!
//! A new page joins by a line in [`PAGES`].

use crate::helpers::{DEMO_PASSWORD, TestApp, spawn_app};

/// Signed in.
const IN: usize = 3;
/// Anonymous.
const ANON: usize = 2;

/// A page and its budgets: signed in as the demo student, and anonymously (a page that sends a
/// visitor to the login page must still stay inside the anonymous budget).
struct Page {
    path: &'static str,
    signed_in: usize,
    anonymous: usize,
}

const fn page(path: &'static str) -> Page {
    Page { path, signed_in: IN, anonymous: ANON }
}

/// The pages of `benches/all.sh`, the forum post, the classrooms, the exams and the home page.
const PAGES: &[Page] = &[
    page("/"),
    page("/me"),
    page("/me/messages"),
    page("/mall"),
    page("/mall/categories/1"),
    page("/mall/categories/2?sort=price_asc"),
    page("/mall/products/5"),
    page("/mall/search?q=%E5%85%85%E7%94%B5%E5%AE%9D"),
    page("/mall/search?q=%E5%85%85%E7%94%B5%E5%AE%9D&sort=price_asc&min=10&max=100"),
    page("/mall/cart"),
    page("/mall/orders"),
    page("/mall/coupons"),
    page("/mall/second-hand"),
    page("/forum"),
    page("/forum/ranking"),
    page("/forum/posts/1"),
    page("/activities"),
    page("/campus/news"),
    page("/campus/map"),
    page("/academic/schedule"),
    page("/academic/grades"),
    page("/academic/exams"),
    page("/academic/classrooms"),
];

/// The statements a GET of `path` ran, as the response reports them: status, count, SQL.
fn statements(client: &crate::helpers::Client, path: &str) -> (u16, usize, String) {
    let r = client.get(path);
    let count = r
        .header("x-db-statements")
        .unwrap_or_else(|| panic!("{path}: no x-db-statements header (a debug build counts statements)"))
        .parse()
        .unwrap();
    (r.status, count, r.header("x-db-sql").unwrap_or_default().replace(" ;; ", "\n    "))
}

/// Every page of [`PAGES`], twice (the first fills this instance's caches, as the first visitor
/// after a start does; the budget is for the requests after it); returns the pages over budget.
fn over_budget(app: &TestApp) -> Vec<String> {
    let student = app.login("student", DEMO_PASSWORD);
    let visitor = app.client();
    let mut over = Vec::new();
    for p in PAGES {
        for (who, client, budget) in [("signed in", &student, p.signed_in), ("anonymous", &visitor, p.anonymous)] {
            let (status, _, _) = statements(client, p.path);
            assert!(status < 500, "{} ({who}) answered {status}", p.path);
            let (status, count, sql) = statements(client, p.path);
            // The table `benches/RESULTS.md` records (`--nocapture`).
            println!("budget: {:<60} {who:<9} {count}", p.path);
            if who == "signed in" {
                assert_eq!(status, 200, "{} (signed in) answered {status}", p.path);
                // The session check alone is one: a zero would mean the counting is broken.
                assert!(count >= 1, "{}: no statement counted for a signed-in page", p.path);
            }
            if count > budget {
                over.push(format!("{} ({who}): {count} statements, budget {budget}:\n    {sql}", p.path));
            }
        }
    }
    over
}

#[test]
fn every_main_page_keeps_its_statement_budget() {
    let app = spawn_app();
    let over = over_budget(&app);
    assert!(over.is_empty(), "pages over their statement budget:\n{}", over.join("\n"));
}

#[test]
fn no_page_pings_the_pool_on_check_out() {
    let app = spawn_app();
    let student = app.login("student", DEMO_PASSWORD);
    for p in PAGES {
        let (_, _, sql) = statements(&student, p.path);
        assert!(!sql.lines().any(|s| s.trim() == "SELECT 1"), "{} pinged its connection:\n    {sql}", p.path);
    }
}

/// Reference data changed through one instance (an academic import) is fresh at once there and
/// on a second instance of the same database, without a restart.
#[test]
fn reference_data_changed_on_one_instance_is_fresh_on_every_instance() {
    use crate::academic_import::{import, sample};
    let one = spawn_app();
    let two = crate::helpers::app().same_database_as(&one).start();
    let student_one = one.login("student", DEMO_PASSWORD);
    let student_two = two.login("student", DEMO_PASSWORD);
    for s in [&student_one, &student_two] {
        // Read, so both instances hold the semesters and the classrooms in their caches.
        assert!(!s.get("/academic/schedule").body.contains("（新）"));
        assert!(!s.get("/academic/classrooms").body.contains("第九教学楼"));
    }
    let admin = one.login("admin", DEMO_PASSWORD);
    let renamed = String::from_utf8(sample("calendar.csv")).unwrap().replace("学年第", "学年（新）第");
    import(&admin, "calendar", "calendar.csv", renamed.as_bytes());
    let rooms = "教室,教学楼,座位数\nZ901,第九教学楼,40\n";
    import(&admin, "classrooms", "classrooms.csv", rooms.as_bytes());
    // The instance that changed them: at once.
    assert!(student_one.get("/academic/schedule").body.contains("（新）"));
    assert!(student_one.get("/academic/classrooms").body.contains("第九教学楼"));
    // The other one: as soon as its watcher hears of it (a notification, or its next look).
    let waited = std::time::Instant::now();
    assert!(
        crate::helpers::eventually(|| student_two.get("/academic/schedule").body.contains("（新）")),
        "the second instance kept the old semester name"
    );
    assert!(waited.elapsed() < std::time::Duration::from_secs(2), "took {:?}", waited.elapsed());
    assert!(crate::helpers::eventually(|| student_two.get("/academic/classrooms").body.contains("第九教学楼")));
}

/// Connections the server closed (here by `pg_terminate_backend`, as a restart or a failover
/// does) are dropped and replaced without a ping on every check-out: at most the request that
/// meets a dead connection fails (with the 503 page), the pool then checks the others once.
#[test]
fn connections_closed_by_the_server_are_replaced() {
    use diesel::prelude::*;
    let app = spawn_app();
    if !app.is_postgres() {
        return; // SQLite has no server to close them.
    }
    let student = app.login("student", DEMO_PASSWORD);
    // Several pooled connections in use at once, so several are open.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(app.client().get("/mall").status, 200));
        }
    });
    assert_eq!(student.get("/academic/grades").status, 200);
    let mut admin = diesel::pg::PgConnection::establish(&app.state.config.database_url).unwrap();
    let killed: Vec<bool> = diesel::sql_query(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .load::<Killed>(&mut admin)
    .unwrap()
    .into_iter()
    .map(|k| k.killed)
    .collect();
    assert!(killed.iter().filter(|k| **k).count() >= 2, "the app's connections were terminated: {killed:?}");
    let statuses: Vec<u16> = (0..6).map(|_| student.get("/academic/grades").status).collect();
    let failed = statuses.iter().filter(|s| **s != 200).count();
    assert!(failed <= 1, "more than the first request failed: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 503), "{statuses:?}");
    assert_eq!(statuses[1..], [200; 5], "{statuses:?}");
    // And the pool is whole again: parallel requests all succeed.
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| assert_eq!(app.client().get("/mall").status, 200));
        }
    });
    assert_eq!(app.client().get("/ready").status, 200);
}

#[derive(diesel::QueryableByName)]
struct Killed {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    killed: bool,
}
