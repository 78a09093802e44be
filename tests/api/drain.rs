//! Graceful stop for rolling restarts: on SIGTERM `/ready` turns 503 ("draining") while requests
//! are still served for `CAMPUS_DRAIN_SECS`, then the server stops accepting and exits; and
//! `/ready` says "search index building" while the instance's index catches up.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::app;

#[test]
fn ready_names_what_holds_the_instance_back() {
    let app = app().start();
    let c = app.client();
    assert_eq!(c.get("/ready").status, 200);

    app.readiness.set_building_search(true);
    let r = c.get("/ready");
    assert_eq!((r.status, r.body.as_str()), (503, "search index building"));
    // Pages are served meanwhile: only balancers are told to wait.
    assert_eq!(c.get("/mall").status, 200);
    app.readiness.set_building_search(false);
    assert_eq!(c.get("/ready").status, 200);

    app.readiness.start_draining();
    let r = c.get("/ready");
    assert_eq!((r.status, r.body.as_str()), (503, "draining"));
    assert_eq!(c.get("/health").status, 200);
    assert_eq!(c.get("/mall").status, 200);
}

/// `GET path` on a fresh connection: the status, or `None` when nothing accepts the connection.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let status = out.get(9..12)?.parse().ok()?;
    let body = out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

#[test]
fn sigterm_drains_then_stops_accepting_and_exits() {
    // The test app makes the database (SQLite, or a fresh PostgreSQL one); the real binary runs
    // on it as its own process with its own data dir.
    let db = app().start();
    let dir = std::env::temp_dir().join(format!("campus_drain_{}_{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    // Instances of one site share the data key, as they share the database.
    std::fs::copy(db.data_dir.join("data.key"), dir.join("data.key")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_campus"))
        .arg("serve")
        .env("DATABASE_URL", &db.state.config.database_url)
        .env("CAMPUS_DATA_DIR", &dir)
        .env("CAMPUS_BIND", format!("127.0.0.1:{port}"))
        .env("CAMPUS_DRAIN_SECS", "2")
        .env("CAMPUS_SEED_DEMO", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while get(port, "/ready").map(|r| r.0) != Some(200) {
        assert!(started.elapsed() < Duration::from_secs(60), "the server never became ready");
        std::thread::sleep(Duration::from_millis(50));
    }

    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let signalled = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    // Draining: /ready says so, everything else is still served.
    assert_eq!(get(port, "/ready"), Some((503, "draining".to_string())));
    assert_eq!(get(port, "/health").map(|r| r.0), Some(200));
    assert_eq!(get(port, "/login").map(|r| r.0), Some(200));
    assert!(child.try_wait().unwrap().is_none(), "still running during the drain");

    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(15), "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(signalled.elapsed() >= Duration::from_secs(2), "the drain lasted CAMPUS_DRAIN_SECS");
    assert_eq!(get(port, "/health"), None, "no longer accepting");
    let _ = std::fs::remove_dir_all(&dir);
}
