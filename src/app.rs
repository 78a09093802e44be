//! Builds the server: state, middleware in the order they must run, every module's routes.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_session::SessionMiddleware;
use actix_session::config::PersistentSession;
use actix_session::storage::{CookieSessionStore, SessionStore};
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use secrecy::ExposeSecret;
use sha2::Digest;

use crate::config::Config;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::jobs::Registry;
use crate::state::AppState;
use crate::web::errors::render_errors;
use crate::web::readiness::Readiness;
use crate::web::redis_store::RedisStore;
use crate::web::timed_store::TimedStore;
use crate::web::{
    WebState, assets, csrf, headers, media, observe,
    ratelimit::{self, RateLimiter},
};
use crate::wechat::WxClient;

/// Everything a running instance holds: the shared state, the plumbing's, each module's own,
/// and the job kinds the modules registered.
#[derive(Clone)]
pub struct Application {
    pub state: AppState,
    pub web: WebState,
    pub mall: Arc<crate::mall::State>,
    pub pay: Arc<crate::pay::State>,
    pub home: Arc<crate::home::State>,
    pub forum: Arc<crate::forum::State>,
    pub jobs: Arc<Registry>,
    /// Every module's personal data: what `/me/export` gives and `/me/delete` forgets.
    pub privacy: Arc<crate::privacy::Registry>,
}

/// Opens the database, applies migrations, loads demo data on a fresh install, builds the state.
pub fn prepare(config: &Config) -> anyhow::Result<Application> {
    crate::academic::gpa::Scale::parse(config.gpa_scale.as_deref()).map_err(|e| anyhow::anyhow!(e))?;
    crate::web::observe::note_memory("start");
    let db = Db::connect(&config.database_url)?;
    let applied = db.migrate()?;
    if applied > 0 {
        tracing::info!(applied, "migrations applied");
    }
    let keys = Arc::new(load_keys(config)?);
    let media = crate::web::storage::Storage::open(config)?;
    tracing::info!(media = %media.describe(), "upload store");
    if config.seed_demo {
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        if crate::seed::demo_if_empty(&mut conn, &keys, &media).map_err(|e| anyhow::anyhow!("seed: {e:?}"))? {
            tracing::info!("demo data loaded (accounts: student, teacher, merchant, admin)");
        }
    }
    {
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        let sealed = crate::db::reseal::reseal_at_start(&mut conn, &keys)?;
        if sealed.total() > 0 {
            tracing::info!(
                values = sealed.total(),
                key = keys.current_id(),
                "personal data sealed under the current data key"
            );
        }
    }
    crate::web::observe::note_memory("database ready");
    // The product index catches up in the background once the server runs (see `start`).
    let search = crate::search::SearchIndex::open(&config.data_dir.join("search"))?;
    {
        let mut conn = db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::forum::service::schedule_ranking(&mut conn).map_err(|e| anyhow::anyhow!("forum ranking: {e}"))?;
        crate::reminders::service::schedule(&mut conn, crate::db::now())
            .map_err(|e| anyhow::anyhow!("reminders: {e}"))?;
    }
    let config = Arc::new(config.clone());
    let settings = Arc::new(crate::settings::Settings::new(&config));
    let state = AppState {
        settings: settings.clone(),
        words: Arc::default(),
        search: Arc::new(search),
        wx: WxClient::new(config.wx.clone()),
        login_limiter: Arc::new(RateLimiter::new(5, Duration::from_secs(15 * 60))),
        code_limiter: Arc::new(RateLimiter::new(10, Duration::from_secs(15 * 60))),
        signup_limiter: Arc::new(RateLimiter::new(20, Duration::from_secs(60 * 60))),
        sms_limiter: Arc::new(RateLimiter::new(20, Duration::from_secs(60 * 60))),
        order_limiter: Arc::new(RateLimiter::new(30, Duration::from_secs(10 * 60))),
        sms: crate::notify::sms::provider(&config),
        keys,
        db: db.clone(),
        config: config.clone(),
        media: media.clone(),
    };
    let web = WebState {
        config: config.clone(),
        media,
        db: db.clone(),
        metrics: Arc::new(observe::Metrics::default()),
        accounts: Arc::new(crate::auth::Directory::default()),
        site_name: Arc::new({
            let settings = settings.clone();
            move || settings.site_name()
        }),
        redis: Arc::default(),
        readiness: Arc::default(),
        admin_2fa_required: Arc::new(move |conn: &mut crate::db::DbConn| -> AppResult<bool> {
            Ok(settings.get(conn)?.admin_2fa_required)
        }),
    };
    crate::pay::declare_metrics(&web.metrics);
    let mall = Arc::new(crate::mall::State::default());
    let pay = Arc::new(crate::pay::State::new(&config, db)?);
    let forum = Arc::new(crate::forum::State::new(&config));
    let mut jobs = Registry::default();
    jobs.set_lease(config.job_lease);
    crate::notify::register_jobs(&mut jobs, config.clone(), state.settings.clone(), state.wx.clone());
    crate::mall::register_jobs(&mut jobs);
    crate::activity::register_jobs(&mut jobs);
    crate::market::expiry::register_jobs(&mut jobs);
    crate::reminders::register_jobs(&mut jobs, config.clone());
    crate::pay::register_jobs(&mut jobs, pay.clone());
    crate::forum::register_jobs(&mut jobs, forum.clone(), state.search.clone());
    let privacy = Arc::new(personal_data());
    crate::privacy::register_jobs(&mut jobs, privacy.clone(), state.media.clone());
    {
        let mut conn = state.db.get().map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::privacy::schedule_sweep(&mut conn).map_err(|e| anyhow::anyhow!("media sweep: {e}"))?;
    }
    let home = Arc::new(crate::home::State::default());
    Ok(Application { state, web, mall, pay, home, forum, jobs: Arc::new(jobs), privacy })
}

/// The personal-data registry: one part per module that stores a person's data, one line per
/// table inside it (see `crate::privacy`). A module added later registers its part here, and
/// the schema test (`every_table_naming_a_user_is_registered`) fails until it does.
pub fn personal_data() -> crate::privacy::Registry {
    let mut registry = crate::privacy::Registry::default();
    registry
        .register(crate::auth::privacy::part())
        .register(crate::notify::privacy::part())
        .register(crate::audit::privacy::part())
        .register(crate::moderation::privacy::part())
        .register(crate::mall::privacy::part())
        .register(crate::merchant::privacy::part())
        .register(crate::market::privacy::part())
        .register(crate::forum::privacy::part())
        .register(crate::forum::privacy::trust_part())
        .register(crate::activity::privacy::part())
        .register(crate::campus::privacy::part())
        .register(crate::feedback::privacy::part())
        .register(crate::academic::privacy::part())
        .register(crate::academic::privacy::own_part())
        .register(crate::identity::privacy::part())
        .register(crate::reminders::privacy::part());
    registry
}

/// The data keyring: `CAMPUS_DATA_KEY`, else `data/data.key` (created on first start).
pub fn load_keys(config: &Config) -> anyhow::Result<crate::db::sealed::Keyring> {
    use secrecy::ExposeSecret;
    crate::db::sealed::Keyring::load(config.data_key.as_ref().map(|k| k.expose_secret()), &config.data_dir)
}

/// Every route of the application. actix tries routes in this order and a route with a `{param}`
/// costs a regex match, so the pages students open most come first; assets last (browsers keep
/// them for a year, so they are asked for rarely).
pub fn routes(cfg: &mut web::ServiceConfig) {
    crate::home::routes(cfg);
    crate::academic::routes(cfg);
    crate::mall::routes(cfg);
    crate::forum::routes(cfg);
    crate::market::routes(cfg);
    crate::activity::routes(cfg);
    crate::campus::routes(cfg);
    crate::reminders::routes(cfg);
    crate::profile::routes(cfg);
    crate::identity::routes(cfg);
    crate::feedback::routes(cfg);
    crate::auth::routes(cfg);
    crate::merchant::routes(cfg);
    crate::admin::routes(cfg);
    crate::pay::routes(cfg);
    crate::notify::routes(cfg);
    crate::ops::routes(cfg);
    cfg.route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/media/licences/{name}", web::get().to(media::serve_licence))
        .route("/favicon.ico", web::get().to(assets::favicon))
        .route("/apple-touch-icon.png", web::get().to(assets::touch_icon))
        .route("/apple-touch-icon-precomposed.png", web::get().to(assets::touch_icon))
        .route("/media/{path:.*}", web::get().to(media::serve));
}

fn extractor_configs(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::FormConfig::default()
            .limit(256 * 1024)
            .error_handler(|_, _| AppError::invalid("表单内容无效，请检查后重新提交").into()),
    )
    .app_data(web::QueryConfig::default().error_handler(|_, _| AppError::invalid("链接参数无效").into()))
    .app_data(
        web::JsonConfig::default()
            .limit(64 * 1024)
            .error_handler(|_, _| AppError::invalid("请求内容不是有效的 JSON").into()),
    )
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound.into()));
}

/// The session cookie key: 64 bytes derived from the secret.
fn session_key(config: &Config) -> Key {
    let digest = sha2::Sha512::digest(config.secret_key.expose_secret().as_bytes());
    Key::from(digest.as_slice())
}

fn server<S, F>(app: Application, listener: TcpListener, make_store: F) -> anyhow::Result<Server>
where
    S: SessionStore + 'static,
    F: Fn() -> S + Send + Clone + 'static,
{
    let key = session_key(&app.state.config);
    let workers = app.state.config.workers;
    let secure = app.state.config.cookie_secure;
    let data = web::Data::new(app.state);
    let web_data = web::Data::new(app.web);
    let (mall, pay) = (web::Data::from(app.mall), web::Data::from(app.pay));
    let (home, forum) = (web::Data::from(app.home), web::Data::from(app.forum));
    let jobs = web::Data::from(app.jobs);
    let privacy = web::Data::from(app.privacy);
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(make_store(), key.clone())
            .cookie_name("campus_session".into())
            .cookie_secure(secure)
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .session_lifecycle(PersistentSession::default().session_ttl(actix_web::cookie::time::Duration::days(14)))
            .build();
        App::new()
            .app_data(data.clone())
            .app_data(web_data.clone())
            .app_data(mall.clone())
            .app_data(pay.clone())
            .app_data(home.clone())
            .app_data(forum.clone())
            .app_data(jobs.clone())
            .app_data(privacy.clone())
            .configure(extractor_configs)
            .configure(routes)
            .default_service(web::to(|| async { Err::<HttpResponse, AppError>(AppError::NotFound) }))
            .wrap(from_fn(media::limit_multipart))
            .wrap(from_fn(csrf::protect))
            .wrap(from_fn(crate::web::guard::scope))
            .wrap(sessions)
            .wrap(from_fn(render_errors))
            .wrap(from_fn(crate::db::counting::count))
            .wrap(headers::security_headers(secure))
            .wrap(Compress::default())
            .wrap(from_fn(observe::observe))
            .wrap(from_fn(crate::web::readiness::close_when_draining))
    })
    .workers(workers)
    .shutdown_timeout(10)
    // Longer than nginx's upstream `keepalive_timeout` (deploy/nginx.conf): nginx closes an idle
    // kept connection before the instance would, so no request is sent on one being closed.
    .keep_alive(Duration::from_secs(15))
    // `main` handles SIGTERM / SIGINT itself: it drains first (see `campus::app::drain_then_stop`).
    .disable_signals()
    .listen(listener)?
    .run();
    Ok(server)
}

/// Starts serving on `listener` and the job runner beside it. Must run inside an actix system.
pub async fn start(app: Application, listener: TcpListener) -> anyhow::Result<Server> {
    let state = &app.state;
    crate::jobs::spawn_runner(app.jobs.clone(), state.db.clone(), state.config.job_poll);
    state.db.watch_refdata()?;
    // Serving starts at once; `/ready` says "search index building" until the product index has
    // caught up with the database (a new instance's first start builds its whole copy).
    let readiness = app.web.readiness.clone();
    readiness.set_building_search(true);
    crate::mall::spawn_search_sync(state.clone(), state.config.job_poll, move || readiness.set_building_search(false));
    match state.config.redis_url.clone() {
        Some(url) => {
            // The limits count in the same Redis, so every instance shares them.
            let shared = ratelimit::connect_redis(&url).await?;
            let prefix = &state.config.redis_prefix;
            state.login_limiter.share_through(shared.clone(), prefix);
            state.code_limiter.share_through(shared.clone(), &format!("{prefix}codes:"));
            state.signup_limiter.share_through(shared.clone(), &format!("{prefix}signup:"));
            state.sms_limiter.share_through(shared.clone(), &format!("{prefix}sms:"));
            state.order_limiter.share_through(shared.clone(), &format!("{prefix}orders:"));
            // Sessions too, through the same connection: quick to fail while Redis is down,
            // and back as soon as it is.
            let store = TimedStore::new(RedisStore::new(shared.clone()), Duration::from_secs(2));
            let _ = app.web.redis.set(shared);
            server(app, listener, move || store.clone())
        }
        None => server(app, listener, CookieSessionStore::default),
    }
}

/// Waits for SIGTERM or SIGINT, then drains: for `drain` `/ready` answers 503 "draining" while
/// requests are still served, so a balancer that polls it stops sending; then the server stops
/// accepting and finishes the requests in flight (up to its 10 s shutdown timeout) and `server`
/// returns. A second signal cuts the drain short.
pub async fn drain_on_signal(handle: ServerHandle, readiness: Arc<Readiness>, drain: Duration) {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(term), Ok(int)) => (term, int),
        _ => {
            tracing::error!("cannot listen for SIGTERM / SIGINT");
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    readiness.start_draining();
    tracing::info!(?drain, "stop asked: draining (/ready answers 503, requests still served)");
    tokio::select! {
        _ = actix_web::rt::time::sleep(drain) => {}
        _ = term.recv() => tracing::info!("second signal: drain cut short"),
        _ = int.recv() => tracing::info!("second signal: drain cut short"),
    }
    tracing::info!("no longer accepting connections; finishing the requests in flight");
    handle.stop(true).await;
}
