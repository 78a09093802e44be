//! The `campus` command line: migrate and create-admin against a real database.

use std::process::Command;

use crate::helpers::app;

#[test]
fn create_admin_makes_an_account_that_reaches_the_back_office() {
    let dir = std::env::temp_dir().join(format!("campus_cli_{}_{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match std::env::var("TEST_PG_URL").ok().filter(|u| !u.is_empty()) {
        // On PostgreSQL the app builder makes the database; the CLI then works on it.
        Some(_) => None,
        None => Some(format!("sqlite://{}", dir.join("cli.db").display())),
    };
    let app = match &url {
        Some(url) => {
            let out = Command::new(env!("CARGO_BIN_EXE_campus"))
                .arg("migrate")
                .env("DATABASE_URL", url)
                .env("CAMPUS_DATA_DIR", &dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(String::from_utf8_lossy(&out.stdout).contains("migration(s)"));
            app().database(url).start()
        }
        None => app().start(),
    };
    let db_url = app.state.config.database_url.clone();
    let run = |password: &str| {
        Command::new(env!("CARGO_BIN_EXE_campus"))
            .args(["create-admin", "--username", "Boss", "--password", password, "--nickname", "教务处"])
            .env("DATABASE_URL", &db_url)
            .env("CAMPUS_DATA_DIR", &dir)
            .output()
            .unwrap()
    };
    let weak = run("short");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("密码需为 8–72 个字符"));
    let out = run("boss-pass-2026");
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let c = app.login("boss", "boss-pass-2026");
    let r = c.get("/admin");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("教务处"));
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn upload_limits_come_from_the_environment_and_a_bad_one_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("campus_cli_env_{}_{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_campus"))
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("env.db").display()))
        .env("CAMPUS_DATA_DIR", &dir)
        .env("CAMPUS_UPLOAD_MAX_BYTES", "5MB")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CAMPUS_UPLOAD_MAX_BYTES must be a number"));
    let _ = std::fs::remove_dir_all(&dir);
}
