//! `AppError`: every way a request can fail, said in words the user understands.
//!
//! Handlers return `Result<_, AppError>`. The error itself answers with a bare status and knows
//! nothing of pages: `crate::web::errors::render_errors` dresses it for whoever asked (a friendly
//! Chinese page for a browser, a toast fragment for htmx, the JSON envelope for `/api/`).
//! Internal causes are logged with the request id and never shown.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

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

    pub fn title(&self) -> &'static str {
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
