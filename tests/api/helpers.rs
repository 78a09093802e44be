//! Test harness: the real app on a random port against a fresh database (SQLite always,
//! PostgreSQL when `TEST_PG_URL` is set), an HTTP client that keeps cookies, fake WeChat.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use campus::config::Config;
use campus::db::DbConn;
use campus::state::AppState;
use diesel::Connection;
use diesel::connection::SimpleConnection;

pub const DEMO_PASSWORD: &str = campus::seed::DEMO_PASSWORD;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), rand::random::<u32>())
}

/// A running server, its own database and data dir; all torn down on drop.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// The payment module's state, for tests that call its service directly.
    pub pay: std::sync::Arc<campus::pay::State>,
    /// What holds the instance back from `/ready` (draining, search index building).
    pub readiness: std::sync::Arc<campus::web::readiness::Readiness>,
    pub data_dir: PathBuf,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
    pg: Option<(String, String)>,
}

pub struct Builder {
    seed: bool,
    dev_login: bool,
    wx_base: Option<String>,
    redis_url: Option<String>,
    secret: Option<String>,
    smtp_url: Option<String>,
    ticket_ttl: Option<Duration>,
    share_db_with: Option<String>,
    database_url: Option<String>,
    trust_proxy: bool,
    cookie_secure: bool,
    metrics_token: Option<String>,
    order_timeout: Option<Duration>,
    wxpay: Option<campus::pay::wechat::WxPayConfig>,
    templates: Vec<(String, String)>,
    msg_sec_check: bool,
    job_poll: Option<Duration>,
    job_lease: Option<Duration>,
    school_mail_domain: Option<String>,
    data_key: Option<String>,
    sms: Option<campus::config::SmsConfig>,
    media_s3: Option<campus::config::MediaS3>,
    pdf_font: Option<PathBuf>,
}

pub fn app() -> Builder {
    Builder {
        seed: true,
        dev_login: false,
        wx_base: None,
        redis_url: None,
        secret: None,
        smtp_url: None,
        ticket_ttl: None,
        share_db_with: None,
        database_url: None,
        trust_proxy: false,
        cookie_secure: false,
        metrics_token: None,
        order_timeout: None,
        wxpay: None,
        templates: Vec::new(),
        msg_sec_check: false,
        job_poll: None,
        job_lease: None,
        school_mail_domain: None,
        data_key: None,
        sms: None,
        media_s3: None,
        pdf_font: None,
    }
}

/// The default test app: fresh database with the demo accounts.
pub fn spawn_app() -> TestApp {
    app().start()
}

impl Builder {
    pub fn dev_login(mut self) -> Self {
        self.dev_login = true;
        self
    }
    pub fn wechat(mut self, base: &str) -> Self {
        self.wx_base = Some(base.to_string());
        self
    }
    pub fn redis(mut self, url: &str, secret: &str) -> Self {
        self.redis_url = Some(url.to_string());
        self.secret = Some(secret.to_string());
        self
    }
    pub fn smtp(mut self, url: &str) -> Self {
        self.smtp_url = Some(url.to_string());
        self
    }
    pub fn ticket_ttl(mut self, ttl: Duration) -> Self {
        self.ticket_ttl = Some(ttl);
        self
    }
    /// Serve the same database as `other` (a second instance).
    pub fn same_database_as(mut self, other: &TestApp) -> Self {
        self.share_db_with = Some(other.state.config.database_url.clone());
        // Instances of one site share the data key, as they share the database.
        self.data_key = std::fs::read_to_string(other.data_dir.join("data.key")).ok();
        self.seed = false;
        self
    }

    /// Seal with this keyring (`CAMPUS_DATA_KEY`) instead of a new key in the data dir.
    pub fn data_key(mut self, spec: &str) -> Self {
        self.data_key = Some(spec.to_string());
        self
    }

    /// Serve an existing database (made by the CLI, say); nothing is seeded or dropped.
    pub fn database(mut self, url: &str) -> Self {
        self.database_url = Some(url.to_string());
        self.seed = false;
        self
    }
    pub fn wx_templates(mut self, templates: &[(&str, &str)]) -> Self {
        self.templates = templates.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        self
    }
    /// How often the app's own job runner looks for work (default 50 ms in tests).
    pub fn job_poll(mut self, every: Duration) -> Self {
        self.job_poll = Some(every);
        self
    }
    /// `CAMPUS_JOB_LEASE_SECS`, finer: how long a claimed job stays with its runner unrenewed.
    pub fn job_lease(mut self, lease: Duration) -> Self {
        self.job_lease = Some(lease);
        self
    }
    pub fn msg_sec_check(mut self) -> Self {
        self.msg_sec_check = true;
        self
    }
    pub fn wxpay(mut self, config: campus::pay::wechat::WxPayConfig) -> Self {
        self.wxpay = Some(config);
        self
    }
    pub fn order_timeout(mut self, timeout: Duration) -> Self {
        self.order_timeout = Some(timeout);
        self
    }
    pub fn trust_proxy(mut self) -> Self {
        self.trust_proxy = true;
        self
    }
    /// `CAMPUS_METRICS_TOKEN`.
    pub fn metrics_token(mut self, token: &str) -> Self {
        self.metrics_token = Some(token.to_string());
        self
    }
    /// `CAMPUS_SCHOOL_MAIL_DOMAIN`.
    pub fn school_mail_domain(mut self, domain: &str) -> Self {
        self.school_mail_domain = Some(domain.to_string());
        self
    }
    /// `CAMPUS_SMS_PROVIDER` and its settings (default: the outbox).
    pub fn sms(mut self, sms: campus::config::SmsConfig) -> Self {
        self.sms = Some(sms);
        self
    }
    /// `CAMPUS_PDF_FONT`: the font the PDF transcript embeds.
    pub fn pdf_font(mut self, path: &std::path::Path) -> Self {
        self.pdf_font = Some(path.to_path_buf());
        self
    }
    /// As when served over https (`CAMPUS_COOKIE_SECURE=1`).
    pub fn cookie_secure(mut self) -> Self {
        self.cookie_secure = true;
        self
    }

    /// Uploads in `bucket` of the S3 emulator at `endpoint` (`TEST_S3_ENDPOINT`).
    pub fn media_s3(mut self, endpoint: &str, bucket: &str) -> Self {
        self.media_s3 = Some(campus::config::MediaS3 {
            bucket: bucket.into(),
            endpoint: Some(endpoint.into()),
            region: "us-east-1".into(),
            access_key_id: Some("testing".into()),
            secret_access_key: Some(secrecy::SecretString::from("testing")),
            prefix: "site".into(),
        });
        self
    }

    pub fn start(self) -> TestApp {
        let data_dir = std::env::temp_dir().join(unique("campus_test"));
        std::fs::create_dir_all(&data_dir).unwrap();
        let mut pg = None;
        let url = match (&self.share_db_with, std::env::var("TEST_PG_URL").ok().filter(|u| !u.is_empty())) {
            _ if self.database_url.is_some() => self.database_url.clone().unwrap_or_default(),
            (Some(shared), _) => shared.clone(),
            (None, Some(admin)) => {
                let name = unique("campus_t");
                let mut conn = diesel::pg::PgConnection::establish(&admin).expect("TEST_PG_URL reachable");
                conn.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let base = admin.split('?').next().unwrap();
                let url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
                pg = Some((admin, name));
                url
            }
            (None, None) => format!("sqlite://{}", data_dir.join("campus.db").display()),
        };
        let mut config = Config::for_data_dir(&data_dir, &url);
        config.seed_demo = self.seed;
        config.dev_login = self.dev_login;
        config.trust_proxy = self.trust_proxy;
        config.cookie_secure = self.cookie_secure;
        config.metrics_token = self.metrics_token.map(secrecy::SecretString::from);
        if let Some(t) = self.order_timeout {
            config.order_timeout = t;
        }
        config.wxpay = self.wxpay;
        config.wx.templates = self.templates;
        config.wx.msg_sec_check = self.msg_sec_check;
        config.school_mail_domain = self.school_mail_domain;
        config.data_key = self.data_key.map(secrecy::SecretString::from);
        if let Some(sms) = self.sms {
            config.sms = sms;
        }
        config.media_s3 = self.media_s3;
        config.pdf_font = self.pdf_font;
        config.workers = 1;
        config.job_poll = self.job_poll.unwrap_or(Duration::from_millis(50));
        if let Some(lease) = self.job_lease {
            config.job_lease = lease;
        }
        if let Some(base) = self.wx_base {
            config.wx.api_base = base;
        }
        config.wx.timeout = Duration::from_secs(1);
        config.redis_url = self.redis_url;
        if let Some(secret) = &self.secret {
            // Instances that share a secret share their Redis keys (as in a real cluster);
            // other tests' instances keep to their own.
            let digest = <sha2::Sha256 as sha2::Digest>::digest(secret.as_bytes());
            config.redis_prefix = format!("campus-test:{}:", &hex::encode(digest)[..16]);
        }
        if let Some(secret) = self.secret {
            config.secret_key = secrecy::SecretString::from(secret);
        }
        config.smtp_url = self.smtp_url.map(secrecy::SecretString::from);
        if let Some(ttl) = self.ticket_ttl {
            config.ticket_ttl = ttl;
        }
        let application = campus::app::prepare(&config).expect("app prepares");
        let (state, pay) = (application.state.clone(), application.pay.clone());
        let readiness = application.web.readiness.clone();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = campus::app::start(application, listener).await.expect("server starts");
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv_timeout(Duration::from_secs(30)).expect("server started");
        // The product search index catches up in the background; tests start once it has.
        let waited = std::time::Instant::now();
        while readiness.holding_back().is_some() {
            assert!(waited.elapsed() < Duration::from_secs(30), "search index never caught up");
            std::thread::sleep(Duration::from_millis(5));
        }
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            state,
            pay,
            readiness,
            data_dir,
            handle,
            thread: Some(thread),
            pg,
        }
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// A client signed in with a password account.
    pub fn login(&self, username: &str, password: &str) -> Client {
        let c = self.client();
        let r = c.login(username, password);
        assert_eq!(r.status, 303, "login of {username} failed: {}", r.body);
        c
    }

    /// Runs a closure against the app's database.
    pub fn db<T>(&self, f: impl FnOnce(&mut DbConn) -> T) -> T {
        let mut conn = self.state.db.get().expect("db connection");
        f(&mut conn)
    }

    /// A new verified student account `username` (password `buyer-pass-1`), signed in.
    pub fn new_student(&self, username: &str) -> Client {
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let hash = HASH.get_or_init(|| campus::auth::password::hash("buyer-pass-1").unwrap());
        self.db(|conn| {
            let now = campus::db::now();
            campus::auth::service::create_account(
                conn,
                &campus::auth::service::AccountSpec {
                    username,
                    password_hash: hash,
                    roles: &[campus::auth::models::Role::Student],
                    user: campus::auth::models::NewUser {
                        verified: true,
                        ..campus::auth::models::NewUser::named("买家", now)
                    },
                },
            )
            .unwrap();
        });
        self.login(username, "buyer-pass-1")
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some((admin, name)) = self.pg.take()
            && let Ok(mut conn) = diesel::pg::PgConnection::establish(&admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn location(&self) -> Option<&str> {
        self.header("location")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// The CSRF token in the page's forms.
    pub fn csrf(&self) -> String {
        for marker in ["name=\"csrf_token\" value=\"", "\"X-CSRF-Token\": \""] {
            if let Some(at) = self.body.find(marker) {
                let start = at + marker.len();
                let end = self.body[start..].find('"').unwrap() + start;
                return self.body[start..end].to_string();
            }
        }
        panic!("no csrf token in: {}", self.body)
    }
}

/// An HTTP client with a cookie jar; it does not follow redirects.
pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client { base: base.to_string(), agent }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") { path.to_string() } else { format!("{}{}", self.base, path) }
    }

    fn read(res: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Resp {
        let mut res = res.expect("request sent");
        let status = res.status().as_u16();
        let headers =
            res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
        let body = res.body_mut().read_to_string().unwrap_or_default();
        Resp { status, headers, body }
    }

    pub fn get(&self, path: &str) -> Resp {
        Self::read(self.agent.get(self.url(path)).call())
    }

    /// A GET read as bytes (a spreadsheet, an image): status, content type, body.
    pub fn download(&self, path: &str) -> (u16, String, Vec<u8>) {
        let mut res = self.agent.get(self.url(path)).call().expect("request sent");
        let status = res.status().as_u16();
        let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = res.body_mut().read_to_vec().unwrap_or_default();
        (status, ct, body)
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.get(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.call())
    }

    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Resp {
        Self::read(self.agent.post(self.url(path)).send_form(fields.iter().copied()))
    }

    pub fn post_form_with(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Resp {
        let mut req = self.agent.post(self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send_form(fields.iter().copied()))
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Resp {
        Self::read(self.agent.post(self.url(path)).send_json(body))
    }

    pub fn post_raw(&self, path: &str, content_type: &str, body: &[u8]) -> Resp {
        Self::read(self.agent.post(self.url(path)).header("Content-Type", content_type).send(body))
    }

    /// A POST whose body streams from `body` with chunked encoding: no length declared up front.
    pub fn post_chunked(&self, path: &str, content_type: &str, body: &mut dyn std::io::Read) -> Resp {
        let body = ureq::SendBody::from_reader(body);
        Self::read(self.agent.post(self.url(path)).header("Content-Type", content_type).send(body))
    }

    /// A form POST carrying the CSRF token of the page at `form_page`.
    pub fn submit(&self, form_page: &str, action: &str, fields: &[(&str, &str)]) -> Resp {
        let token = self.get(form_page).csrf();
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.post_form(action, &all)
    }

    pub fn login(&self, username: &str, password: &str) -> Resp {
        self.submit("/login", "/login", &[("username", username), ("password", password)])
    }

    /// GET that follows redirects within the app, up to 5.
    pub fn follow(&self, path: &str) -> Resp {
        let mut r = self.get(path);
        for _ in 0..5 {
            match (r.status, r.location()) {
                (301 | 302 | 303 | 307, Some(loc)) => {
                    let loc = loc.to_string();
                    r = self.get(&loc);
                }
                _ => break,
            }
        }
        r
    }
}

/// What the fake WeChat API server saw and how it should behave.
#[derive(Default)]
pub struct WxLedger {
    /// `js_code`s received by jscode2session.
    pub codes: Vec<String>,
    /// Bodies received by stable_token.
    pub token_requests: Vec<serde_json::Value>,
    /// Subscribe messages sent (the request bodies).
    pub sent: Vec<serde_json::Value>,
    /// Texts sent to msgSecCheck.
    pub checked: Vec<String>,
    /// When set, the next call with the current access token answers 42001 (expired).
    pub expire_current_token: bool,
    issued: u32,
    current: String,
}

/// A fake WeChat API server, per the official protocol:
/// `/sns/jscode2session`: `good-*` codes succeed (openid `openid-*`), `bad-code` is errcode
/// 40029, `busy` is -1, `broken` answers HTTP 500, `slow` answers after 3 s;
/// `/cgi-bin/stable_token`, `/cgi-bin/message/subscribe/send`, `/wxa/msg_sec_check` (text with
/// 违规 is risky, 可疑 is review).
pub struct FakeWeChat {
    pub base: String,
    pub ledger: Arc<Mutex<WxLedger>>,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn fake_wechat(
    req: actix_web::HttpRequest,
    body: actix_web::web::Bytes,
    ledger: actix_web::web::Data<Arc<Mutex<WxLedger>>>,
) -> actix_web::HttpResponse {
    use actix_web::HttpResponse;
    let q: std::collections::HashMap<String, String> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let json = |v: serde_json::Value| HttpResponse::Ok().json(v);
    match req.path() {
        "/sns/jscode2session" => {
            let code = q.get("js_code").cloned().unwrap_or_default();
            ledger.lock().unwrap().codes.push(code.clone());
            if q.get("appid").map(String::as_str) != Some("wx-test-appid")
                || q.get("secret").map(String::as_str) != Some("wx-test-secret")
                || q.get("grant_type").map(String::as_str) != Some("authorization_code")
            {
                return json(serde_json::json!({"errcode": 40013, "errmsg": "invalid appid"}));
            }
            match code.as_str() {
                "bad-code" => json(serde_json::json!({"errcode": 40029, "errmsg": "invalid code"})),
                "busy" => json(serde_json::json!({"errcode": -1, "errmsg": "system error"})),
                "broken" => HttpResponse::InternalServerError().finish(),
                "slow" => {
                    actix_web::rt::time::sleep(Duration::from_secs(3)).await;
                    json(serde_json::json!({"openid": "late", "session_key": "k"}))
                }
                c if c.starts_with("good-") => json(serde_json::json!({
                    "openid": format!("openid-{}", &c[5..]),
                    "session_key": "c2Vzc2lvbmtleQ==",
                    "unionid": format!("union-{}", &c[5..]),
                })),
                _ => json(serde_json::json!({"errcode": 40029, "errmsg": "invalid code"})),
            }
        }
        "/cgi-bin/stable_token" => {
            let mut l = ledger.lock().unwrap();
            l.token_requests.push(body.clone());
            if body["appid"] != "wx-test-appid" || body["secret"] != "wx-test-secret" {
                return json(serde_json::json!({"errcode": 40013, "errmsg": "invalid appid"}));
            }
            if l.current.is_empty() || body["force_refresh"] == true {
                l.issued += 1;
                l.current = format!("TOKEN-{}", l.issued);
            }
            json(serde_json::json!({"access_token": l.current, "expires_in": 7200}))
        }
        path @ ("/cgi-bin/message/subscribe/send" | "/wxa/msg_sec_check") => {
            let mut l = ledger.lock().unwrap();
            let token = q.get("access_token").cloned().unwrap_or_default();
            if token != l.current || l.expire_current_token {
                l.expire_current_token = false;
                return json(serde_json::json!({"errcode": 42001, "errmsg": "access_token expired"}));
            }
            if path == "/wxa/msg_sec_check" {
                let content = body["content"].as_str().unwrap_or_default().to_string();
                l.checked.push(content.clone());
                let suggest = if content.contains("违规") {
                    "risky"
                } else if content.contains("可疑") {
                    "review"
                } else {
                    "pass"
                };
                return json(
                    serde_json::json!({"errcode": 0, "errmsg": "ok", "result": {"suggest": suggest, "label": 100}}),
                );
            }
            l.sent.push(body);
            json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
        }
        _ => HttpResponse::NotFound().finish(),
    }
}

impl FakeWeChat {
    pub fn start() -> FakeWeChat {
        use actix_web::{App, HttpServer, web};
        let ledger: Arc<Mutex<WxLedger>> = Arc::default();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = std::sync::mpsc::channel();
        let data = web::Data::new(ledger.clone());
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server =
                    HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::to(fake_wechat)))
                        .workers(1)
                        .listen(listener)
                        .unwrap()
                        .run();
                tx.send(server.handle()).unwrap();
                let _ = server.await;
            })
        });
        let handle = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        FakeWeChat { base: format!("http://127.0.0.1:{port}"), ledger, handle, thread: Some(thread) }
    }

    pub fn codes(&self) -> Vec<String> {
        self.ledger.lock().unwrap().codes.clone()
    }
}

impl Drop for FakeWeChat {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Polls `check` every 50 ms for up to 30 s.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    // Up to 30 s: a busy CI machine running two suites' worth of apps can hold a job-runner tick
    // (the forum's index catch-up, the first load of the word segmenter) for many seconds.
    for _ in 0..600 {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
