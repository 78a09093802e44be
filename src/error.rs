//! `AppError`: every way a request can fail, said in words the user understands.
//!
//! Handlers return `Result<_, AppError>`. The error itself answers with a bare status; the
//! `render_errors` middleware then dresses it for whoever asked: a friendly Chinese page for a
//! browser, a toast fragment for htmx, the JSON envelope for `/api/`. Internal causes are logged
//! with the request id and never shown.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;

use crate::web::api::Envelope;
use crate::web::observe::RequestId;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("页面不存在或已被删除")]
    NotFound,
    #[error("没有权限访问此页面")]
    Forbidden,
    /// Forbidden, with the reason the user needs to hear.
    #[error("{0}")]
    Denied(String),
    /// Refused until the user passes 学籍认证: the page says why and links to `/me/verify`.
    #[error("{0}")]
    Unverified(String),
    #[error("请先登录")]
    Unauthorized,
    /// An admin page, when admins must use two-factor sign-in and this one has not enrolled:
    /// people are sent to enrol.
    #[error("管理员需先开启两步验证才能使用管理后台")]
    TwoFactorSetup,
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("页面已过期，请刷新后重试")]
    Csrf,
    #[error("{0}")]
    Upstream(String),
    /// A service this instance depends on (Redis for sessions) is down: 503, try again later.
    #[error("{0}")]
    Unavailable(String),
    /// A unique index refused a second copy of something (a second claim, like, report...). The
    /// service turns the ones it expects into their own answer; any other is a 409, never a 500.
    #[error("这项操作已经完成过了，请刷新页面查看")]
    Duplicate(#[source] diesel::result::Error),
    /// PostgreSQL gave up on a transaction that raced another (serialization failure).
    #[error("当前操作的人较多，请稍后重试")]
    Busy(#[source] diesel::result::Error),
    #[error("服务器开小差了，请稍后再试")]
    Internal(#[source] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(msg: impl Into<String>) -> AppError {
        AppError::Invalid(msg.into())
    }

    pub fn conflict(msg: impl Into<String>) -> AppError {
        AppError::Conflict(msg.into())
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> AppError {
        AppError::Internal(err.into())
    }

    /// Whether a unique index refused the write.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, AppError::Duplicate(_))
    }

    fn title(&self) -> &'static str {
        match self {
            AppError::NotFound => "页面不存在",
            AppError::Forbidden | AppError::Denied(_) => "没有权限",
            AppError::Unverified(_) => "需要学籍认证",
            AppError::Unauthorized => "需要登录",
            AppError::TwoFactorSetup => "需要两步验证",
            AppError::Invalid(_) => "输入有误",
            AppError::Conflict(_) | AppError::Duplicate(_) | AppError::Busy(_) => "操作无法完成",
            AppError::RateLimited(_) => "操作太频繁",
            AppError::Csrf => "页面已过期",
            AppError::Upstream(_) | AppError::Unavailable(_) => "服务暂时不可用",
            AppError::Internal(_) => "服务器错误",
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> AppError {
        match err {
            diesel::result::Error::NotFound => AppError::NotFound,
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                AppError::Duplicate(err)
            }
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::SerializationFailure, _) => {
                AppError::Busy(err)
            }
            other if database_gone(&other) => {
                tracing::error!(error = %other, "database connection lost");
                AppError::Unavailable(DATABASE_DOWN.into())
            }
            other => AppError::Internal(other.into()),
        }
    }
}

const DATABASE_DOWN: &str = "数据库暂时不可用，请稍后再试";

/// Whether the database went away under the statement (a PostgreSQL restart or failover): the
/// request gets the 503 page, and the pool replaces the connection.
pub fn database_gone(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        // SQLSTATE 57P01-57P03 and lost sockets, which libpq reports only as text.
        Error::DatabaseError(_, info) => {
            let m = info.message();
            m.contains("terminating connection")
                || m.contains("server closed the connection")
                || m.contains("the database system is")
                || m.contains("no connection to the server")
                || m.contains("could not receive data from server")
                || m.contains("could not send data to server")
        }
        _ => false,
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    /// No connection within the pool's timeout: the database is down or overloaded.
    fn from(err: diesel::r2d2::PoolError) -> AppError {
        tracing::error!(error = %err, "no database connection");
        AppError::Unavailable(DATABASE_DOWN.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(err: askama::Error) -> AppError {
        AppError::Internal(err.into())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(err: actix_web::error::BlockingError) -> AppError {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Denied(_) | AppError::Unverified(_) | AppError::TwoFactorSetup => {
                StatusCode::FORBIDDEN
            }
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) | AppError::Duplicate(_) | AppError::Busy(_) => StatusCode::CONFLICT,
            AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Upstream(_) => StatusCode::BAD_GATEWAY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The bare answer, used only when the request is not at hand; `render_errors` replaces it.
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code()).content_type("text/plain; charset=utf-8").body(self.to_string())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: String,
    request_id: &'a str,
    home: &'a str,
    /// The step that lifts the refusal (`/me/verify` for [`AppError::Unverified`]).
    next: Option<(&'a str, &'a str)>,
}

impl ErrorPage<'_> {
    fn asset(&self, path: &str) -> std::borrow::Cow<'static, str> {
        crate::web::assets::url(path)
    }
}

#[derive(Template)]
#[template(path = "_toast.html")]
struct Toast<'a> {
    kind: &'a str,
    message: &'a str,
    link: Option<&'a str>,
}

/// What `dress` needs to know of the request; taken before the request moves on (the request
/// itself must not be cloned across routing).
struct Asker {
    request_id: String,
    path: String,
    path_and_query: String,
    htmx: bool,
}

/// Middleware: turns any error into the page, fragment or envelope the caller expects.
pub async fn render_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let asker = Asker {
        request_id: req.extensions().get::<RequestId>().map(|id| id.0.clone()).unwrap_or_default(),
        path: req.path().to_string(),
        path_and_query: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
        htmx: req.headers().contains_key("hx-request"),
    };
    let res = match next.call(req).await {
        Ok(res) => res,
        Err(err) => {
            let unavailable;
            let mut app = err.as_error::<AppError>();
            if app.is_none() && session_store_down(&err) {
                tracing::error!(request_id = %asker.request_id, error = %err, "session store unreachable");
                unavailable = AppError::Unavailable("登录状态服务暂时不可用，请稍后再试".into());
                app = Some(&unavailable);
            }
            let response = dress(&asker, app, err.as_response_error());
            return Err(actix_web::error::InternalError::from_response(err.to_string(), response).into());
        }
    };
    let replacement =
        res.response().error().map(|err| dress(&asker, err.as_error::<AppError>(), err.as_response_error()));
    match replacement {
        Some(response) => Ok(res.into_response(response).map_into_right_body()),
        None => Ok(res.map_into_left_body()),
    }
}

/// Whether `err` is the session middleware failing to reach its store (Redis down): sessions
/// fail closed, and the visitor hears the service is unavailable for now, not a bare 500.
fn session_store_down(err: &actix_web::Error) -> bool {
    use actix_session::storage::{LoadError, SaveError, UpdateError};
    use actix_web::error::InternalError;
    err.as_error::<InternalError<LoadError>>().is_some()
        || err.as_error::<InternalError<SaveError>>().is_some()
        || err.as_error::<InternalError<UpdateError>>().is_some()
        || err.as_error::<InternalError<anyhow::Error>>().is_some()
}

fn dress(asker: &Asker, app: Option<&AppError>, other: &dyn ResponseError) -> HttpResponse<BoxBody> {
    let request_id = asker.request_id.as_str();
    let fallback;
    let err: &AppError = match app {
        Some(err) => err,
        None => {
            // An error from actix or a library: keep its status, say it in our words.
            let status = other.status_code();
            fallback = match status {
                StatusCode::NOT_FOUND => AppError::NotFound,
                StatusCode::FORBIDDEN => AppError::Forbidden,
                StatusCode::PAYLOAD_TOO_LARGE => AppError::invalid("提交的内容太大"),
                s if s.is_client_error() => AppError::invalid("请求格式不正确"),
                _ => AppError::Internal(anyhow::anyhow!("{other}")),
            };
            &fallback
        }
    };
    let status = err.status_code();
    match err {
        AppError::Internal(cause) => tracing::error!(request_id = %request_id, error = ?cause, "request failed"),
        AppError::Duplicate(cause) | AppError::Busy(cause) => {
            tracing::warn!(request_id = %request_id, error = %cause, "write refused by the database")
        }
        _ => {}
    }
    if asker.path.starts_with("/api/") {
        let body = Envelope::<()>::failure(status.as_u16(), &err.to_string());
        return HttpResponse::build(status).json(body);
    }
    let is_htmx = asker.htmx;
    if matches!(err, AppError::Unauthorized) {
        let login = format!("/login?next={}", crate::web::url_encode(&asker.path_and_query));
        if is_htmx {
            return HttpResponse::build(status).insert_header(("HX-Redirect", login)).finish();
        }
        return HttpResponse::SeeOther().insert_header((header::LOCATION, login)).finish();
    }
    if matches!(err, AppError::TwoFactorSetup) {
        let enrol = "/me/2fa?required=1";
        if is_htmx {
            return HttpResponse::build(status).insert_header(("HX-Redirect", enrol)).finish();
        }
        return HttpResponse::SeeOther().insert_header((header::LOCATION, enrol)).finish();
    }
    let message = match err {
        AppError::Internal(_) => format!("{}（请求编号 {request_id}）", err),
        _ => err.to_string(),
    };
    if is_htmx {
        let link = matches!(err, AppError::Unverified(_)).then_some("/me/verify");
        let html = Toast { kind: "error", message: &message, link }.render().unwrap_or_default();
        let mut res = HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html);
        res.headers_mut().insert(header::HeaderName::from_static("hx-retarget"), HeaderValue::from_static("#toast"));
        res.headers_mut().insert(header::HeaderName::from_static("hx-reswap"), HeaderValue::from_static("innerHTML"));
        return res;
    }
    let next = matches!(err, AppError::Unverified(_)).then_some(("/me/verify", "去学籍认证"));
    let page = ErrorPage { status: status.as_u16(), title: err.title(), message, request_id, home: "/", next };
    match page.render() {
        Ok(html) => HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html),
        Err(_) => HttpResponse::build(status).content_type("text/plain; charset=utf-8").body(err.to_string()),
    }
}
