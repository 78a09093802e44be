//! Job leases: a job claimed by a runner that dies is run again by another after the lease, once;
//! a live runner renews its lease, and no second runner takes a job whose lease is live.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use campus::db::schema::jobs;
use campus::jobs::{Registry, claim, enqueue, finish, run_due};
use diesel::prelude::*;

use crate::helpers::{TestApp, app};

const KIND: &str = "test.lease";

/// An app whose own runner stays out of the way (it looks once at start, then after an hour),
/// with an empty queue: the demo data's jobs are not this test's.
fn quiet_app() -> TestApp {
    let app = app().job_poll(Duration::from_secs(3600)).start();
    // Its one look happens right after start; let it pass before the queue is emptied.
    std::thread::sleep(Duration::from_millis(500));
    app.db(|c| diesel::delete(jobs::table).execute(c).unwrap());
    app
}

/// A worker: a registry whose one job kind counts its runs (after `takes`, if given).
fn worker(lease: Duration, runs: Arc<AtomicUsize>, takes: Option<Duration>) -> Registry {
    let mut registry = Registry::default();
    registry.set_lease(lease);
    registry.register(KIND, move |_, _, _| {
        if let Some(takes) = takes {
            std::thread::sleep(takes);
        }
        runs.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    registry
}

fn queue_one(app: &TestApp) -> i64 {
    app.db(|c| {
        enqueue(c, KIND, &serde_json::json!({}), campus::db::now() - chrono::TimeDelta::seconds(1)).unwrap();
        jobs::table.filter(jobs::kind.eq(KIND)).select(jobs::id).order(jobs::id.desc()).first(c).unwrap()
    })
}

fn status_of(app: &TestApp, id: i64) -> (String, i32) {
    app.db(|c| jobs::table.find(id).select((jobs::status, jobs::attempts)).first(c).unwrap())
}

#[test]
fn a_job_whose_runner_died_runs_elsewhere_once_after_the_lease() {
    let app = quiet_app();
    let id = queue_one(&app);
    let lease = Duration::from_millis(800);

    // The first runner claims the job and dies before finishing it.
    let dead = app.db(|c| claim(c, lease).unwrap()).expect("the job is claimed");
    assert_eq!(dead.id, id);

    // While its lease lasts, nobody else takes the job.
    let runs = Arc::new(AtomicUsize::new(0));
    let second = worker(lease, runs.clone(), None);
    assert_eq!(run_due(&second, &app.state.db).unwrap(), 0, "the lease is live");
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    // After it, the second runner runs it, once.
    std::thread::sleep(lease + Duration::from_millis(200));
    assert_eq!(run_due(&second, &app.state.db).unwrap(), 1);
    assert_eq!(run_due(&second, &app.state.db).unwrap(), 0, "done is done");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(status_of(&app, id), ("done".to_string(), 2), "two claims, one run");

    // The first runner coming back to life cannot overwrite what the second decided.
    let late = app.db(|c| finish(c, &dead, Err("came back too late".into())).unwrap());
    assert!(!late, "its lease was lost");
    assert_eq!(status_of(&app, id).0, "done");
}

#[test]
fn a_live_runner_renews_its_lease_and_keeps_its_job() {
    let app = quiet_app();
    let id = queue_one(&app);
    // Long enough that a renewal (every third of it) is never late on a busy machine.
    let lease = Duration::from_millis(1500);
    let runs = Arc::new(AtomicUsize::new(0));
    // The job takes three leases' time; its runner renews meanwhile.
    let slow = worker(lease, runs.clone(), Some(lease * 3));
    let other = worker(lease, runs.clone(), None);
    std::thread::scope(|s| {
        let running = s.spawn(|| run_due(&slow, &app.state.db).unwrap());
        for _ in 0..6 {
            std::thread::sleep(lease / 2);
            assert_eq!(run_due(&other, &app.state.db).unwrap(), 0, "the job is held");
        }
        assert_eq!(running.join().unwrap(), 1);
    });
    assert_eq!(runs.load(Ordering::SeqCst), 1, "run once");
    assert_eq!(status_of(&app, id), ("done".to_string(), 1));
}

#[test]
fn runners_claiming_at_once_take_a_job_exactly_once() {
    let app = quiet_app();
    let id = queue_one(&app);
    let claims: Vec<Option<i64>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                s.spawn(|| {
                    let mut conn = campus::db::connect_one(&app.state.config.database_url).unwrap();
                    claim(&mut conn, Duration::from_secs(60)).unwrap().map(|j| j.id)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let won: Vec<i64> = claims.into_iter().flatten().collect();
    assert_eq!(won, vec![id], "one runner holds it");
    assert_eq!(status_of(&app, id), ("pending".to_string(), 1));
}

/// An SMTP server that takes connections and never says a word: a send through it hangs.
fn silent_smtp() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

/// A `campus serve` process of its own on `app`'s database; killed (SIGKILL) on drop.
struct Instance(std::process::Child);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_job_held_by_a_killed_instance_is_sent_once_by_another_after_the_lease() {
    use campus::db::schema::email_outbox as outbox;
    let first = quiet_app();
    let data_dir = first.data_dir.join("killed-instance");
    std::fs::create_dir_all(&data_dir).unwrap();
    let mut instance = Instance(
        std::process::Command::new(env!("CARGO_BIN_EXE_campus"))
            .arg("serve")
            .env("DATABASE_URL", &first.state.config.database_url)
            .env("CAMPUS_DATA_DIR", &data_dir)
            // A second instance of the same site: the same data key as the first.
            .env("CAMPUS_DATA_KEY", std::fs::read_to_string(first.data_dir.join("data.key")).unwrap())
            .env("CAMPUS_BIND", "127.0.0.1:0")
            .env("CAMPUS_SEED_DEMO", "0")
            .env("CAMPUS_SMTP_URL", silent_smtp())
            .env("CAMPUS_JOB_LEASE_SECS", "1")
            .env("CAMPUS_JOB_POLL_MS", "100")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let outbox_id = first
        .db(|c| campus::notify::service::queue_email(c, None, "lease@campus.edu", "租约测试", "只应送达一次").unwrap());
    let job = first.db(|c| jobs::table.select(jobs::id).order(jobs::id.desc()).first::<i64>(c).unwrap());
    let held = |app: &TestApp| {
        app.db(|c| {
            jobs::table
                .find(job)
                .select((jobs::attempts, jobs::locked_until))
                .first::<(i32, Option<chrono::NaiveDateTime>)>(c)
                .unwrap()
        })
    };
    // The instance claims the job and hangs in the SMTP conversation.
    assert!(crate::helpers::eventually(|| held(&first).0 == 1), "the instance claimed the job");
    let (_, first_until) = held(&first);
    // Alive, it keeps the job past its one-second lease by renewing it.
    std::thread::sleep(Duration::from_millis(2500));
    let (attempts, until) = held(&first);
    assert_eq!(attempts, 1, "nobody else claimed it");
    assert!(until > first_until, "the lease was renewed: {first_until:?} → {until:?}");

    // The instance dies mid-job; another, with a working mail server, takes over after the lease.
    let _ = instance.0.kill();
    let _ = instance.0.wait();
    let (smtp, inbox) = crate::email::smtp_sink();
    let second = app().same_database_as(&first).smtp(&smtp).job_lease(Duration::from_secs(1)).start();
    assert!(crate::helpers::eventually(|| !inbox.lock().unwrap().is_empty()), "the email went out");
    // The message is in the sink a moment before the job marks its outbox row sent.
    let status = || second.db(|c| outbox::table.find(outbox_id).select(outbox::status).first::<String>(c).unwrap());
    assert!(crate::helpers::eventually(|| status() == "sent"), "marked sent: {}", status());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(inbox.lock().unwrap().len(), 1, "sent once");
    let (attempts, until) = held(&second);
    assert_eq!((attempts, until), (2, None), "claimed twice, finished once");
    let done: String = second.db(|c| jobs::table.find(job).select(jobs::status).first(c).unwrap());
    assert_eq!(done, "done");
}
