//! Dressing errors for whoever asked: the `render_errors` middleware turns any error (ours or
//! actix's) into a friendly Chinese page for a browser, a toast fragment for htmx, or the JSON
//! envelope for `/api/`, and logs internal causes with the request id. The error type itself
//! (`crate::error`) stays below the pages and knows nothing of them.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;

use crate::error::AppError;
use crate::web::api::Envelope;
use crate::web::observe::RequestId;

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
