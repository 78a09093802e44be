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
