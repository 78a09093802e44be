//! Login limits across instances: counted in Redis when `CAMPUS_REDIS_URL` is set (the real
//! Redis at `TEST_REDIS_URL`), per instance in memory otherwise; with Redis gone, sign-in fails
//! closed with a clear 503 page and `/ready` says why.

use std::process::{Child, Command};
use std::time::Duration;

use campus::web::ratelimit::{RateLimiter, Refusal, connect_redis};

use crate::helpers::{DEMO_PASSWORD, app};

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

fn secret() -> String {
    "l".repeat(64) + &rand::random::<u64>().to_string()
}

#[test]
fn two_instances_sharing_redis_share_the_login_limit() {
    let secret = secret();
    let first = app().redis(&redis_url(), &secret).start();
    let second = app().redis(&redis_url(), &secret).same_database_as(&first).start();
    // Five wrong passwords, spread over both instances.
    for i in 0..5 {
        let instance = if i % 2 == 0 { &first } else { &second };
        let r = instance.client().login("student", "wrong-password-9");
        assert_eq!(r.status, 401, "attempt {i}: {}", r.body);
    }
    // The limit is used up on both: even the right password waits.
    for instance in [&first, &second] {
        let r = instance.client().login("student", DEMO_PASSWORD);
        assert_eq!(r.status, 429, "{}", r.body);
        assert!(r.body.contains("登录失败次数过多"), "{}", r.body);
    }
}

#[test]
fn without_redis_each_instance_counts_for_itself() {
    let first = app().start();
    let second = app().same_database_as(&first).start();
    for _ in 0..5 {
        assert_eq!(first.client().login("student", "wrong-password-9").status, 401);
    }
    assert_eq!(first.client().login("student", DEMO_PASSWORD).status, 429);
    assert_eq!(second.client().login("student", DEMO_PASSWORD).status, 303, "memory is per instance");
}

/// A Redis of this test's own, on a free port, so it can be stopped.
struct OwnRedis {
    child: Child,
    url: String,
}

impl OwnRedis {
    fn start() -> OwnRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        // Owned (and so stopped on drop) from here on.
        let redis = OwnRedis { child, url: format!("redis://127.0.0.1:{port}") };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("redis-server did not start on {port}");
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[test]
fn with_redis_down_sign_in_fails_closed_with_a_clear_page_and_ready_says_so() {
    let mut redis = OwnRedis::start();
    let app = app().redis(&redis.url, &secret()).start();
    let c = app.client();
    let page = c.get("/login");
    assert_eq!(page.status, 200);
    let token = page.csrf();
    assert_eq!(c.get("/ready").status, 200);

    redis.stop();
    let r = c.post_form("/login", &[("username", "student"), ("password", DEMO_PASSWORD), ("csrf_token", &token)]);
    assert_eq!(r.status, 503, "{}", r.body);
    assert!(r.body.contains("暂时不可用"), "{}", r.body);
    assert!(r.header("set-cookie").is_none(), "no session was made");
    // A signed-in visitor hears the same on any page.
    let r = c.get("/me");
    assert_eq!(r.status, 503, "{}", r.body);
    // Probes carry no cookie: they reach the checks themselves.
    let probe = app.client();
    let r = probe.get("/ready");
    assert_eq!(r.status, 503);
    assert_eq!(r.body, "redis unavailable");
    assert_eq!(probe.get("/health").status, 200, "the process itself is up");
    assert!(probe.get("/metrics").body.contains("campus_ready 0"));
}

#[test]
fn the_limiter_refuses_when_its_redis_is_unreachable() {
    let mut redis = OwnRedis::start();
    actix_web::rt::System::new().block_on(async {
        let limiter = RateLimiter::new(5, Duration::from_secs(900));
        limiter.share_through(connect_redis(&redis.url).await.unwrap(), &format!("t{}:", rand::random::<u32>()));
        assert_eq!(limiter.take(&["ip:10.0.0.1"]).await, Ok(()));
        redis.stop();
        assert_eq!(limiter.take(&["ip:10.0.0.1"]).await, Err(Refusal::Unavailable));
        // The older call refuses too, for a whole window.
        assert_eq!(limiter.try_take(&["ip:10.0.0.1"]).await, Err(Duration::from_secs(900)));
    });
}

#[test]
fn redis_counts_all_or_none_in_fixed_windows() {
    actix_web::rt::System::new().block_on(async {
        let limiter = RateLimiter::new(2, Duration::from_millis(700));
        limiter.share_through(connect_redis(&redis_url()).await.unwrap(), &format!("t{}:", rand::random::<u32>()));
        assert!(limiter.take(&["a", "b"]).await.is_ok());
        assert!(limiter.take(&["a"]).await.is_ok());
        // "a" is used up: taking "a" and "b" together takes neither.
        let Err(Refusal::Wait(wait)) = limiter.take(&["a", "b"]).await else { panic!("a is used up") };
        assert!(wait <= Duration::from_millis(700));
        assert!(limiter.take(&["b"]).await.is_ok(), "b still had its second attempt");
        assert!(limiter.take(&["b"]).await.is_err());
        // A returned attempt can be used again.
        limiter.give_back("b");
        tokio_sleep(Duration::from_millis(100)).await;
        assert!(limiter.take(&["b"]).await.is_ok());
        // The window passes.
        tokio_sleep(Duration::from_millis(800)).await;
        assert!(limiter.take(&["a", "b"]).await.is_ok());
    });
}

async fn tokio_sleep(d: Duration) {
    actix_web::rt::time::sleep(d).await;
}
