//! Who is asking, and what every page's layout needs.
//!
//! `CurrentUser` requires a signed-in, active user (else the login page); `MaybeUser` does not;
//! `RequireRole<R>` also requires a role (else 403); admin pages require a permission instead
//! (`guard::RequirePerm`). The user is loaded once per request and
//! cached in the request's extensions. `Page` carries the layout's needs: CSRF token, user,
//! unread count, flash messages.

use std::marker::PhantomData;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::WebState;
use super::perm::{AdminRole, Permission};
use super::session::{self, Flash};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// What a user may be; a user may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Student,
    Teacher,
    Merchant,
    /// May publish activities and manage their registrations (admins may too).
    Organizer,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Student, Role::Teacher, Role::Merchant, Role::Organizer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Teacher => "teacher",
            Role::Merchant => "merchant",
            Role::Organizer => "organizer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Student => "学生",
            Role::Teacher => "教师",
            Role::Merchant => "商家",
            Role::Organizer => "活动组织者",
            Role::Admin => "管理员",
        }
    }
}

/// How the plumbing finds who is asking; the accounts service (`auth`) implements it and
/// `app.rs` registers it in [`WebState`].
pub trait Accounts: Send + Sync {
    /// The active user of the session whose server-side record is `record`, or `None` when the
    /// record is gone (signed out, expired) or the account is gone or banned. Called on every
    /// signed-in request: it must be cheap.
    fn session_user(&self, conn: &mut DbConn, user_id: i64, record: &str) -> AppResult<Option<CurrentUser>>;
    /// The active user holding the shell's API `token`.
    fn api_user(&self, conn: &mut DbConn, token: &str) -> AppResult<Option<i64>>;
    /// Whether the last `session_user` of `record` found its "last seen" stale (asking forgets it).
    /// `session_user` runs on a read-only connection, so the write waits for [`Accounts::mark_seen`].
    fn seen_due(&self, _record: &str) -> bool {
        false
    }
    /// Moves the "last seen" of session `record` to now, on a writable connection.
    fn mark_seen(&self, _conn: &mut DbConn, _record: &str) -> AppResult<()> {
        Ok(())
    }
}

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub nickname: String,
    pub avatar: Option<String>,
    pub roles: Vec<Role>,
    /// The admin roles granted (meaningful with [`Role::Admin`]).
    pub admin_roles: Vec<AdminRole>,
    /// Whether two-factor sign-in is on for the account.
    pub two_factor: bool,
    /// An admin without two-factor while the settings make it mandatory: every admin permission
    /// waits until they enrol. Set by [`load_user`] (the accounts service leaves it `false`).
    pub second_factor_due: bool,
    pub unread_messages: i64,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    pub fn is_merchant(&self) -> bool {
        self.has(Role::Merchant)
    }

    pub fn is_teacher(&self) -> bool {
        self.has(Role::Teacher)
    }

    /// Granted organizers and admins who manage activities may publish activities.
    pub fn is_organizer(&self) -> bool {
        self.has(Role::Organizer) || self.can(Permission::Activities)
    }

    /// May the user act under admin permission `p` now? The one place that says so: the admin
    /// account role, the two-factor sign-in the settings may make mandatory for admins, and an
    /// admin role granting `p`. Route guards ([`super::guard::RequirePerm`]), handlers that widen
    /// what they show for admins, and private media all ask here.
    pub fn check(&self, p: Permission) -> Result<(), AppError> {
        if !self.is_admin() {
            return Err(AppError::Forbidden);
        }
        if self.second_factor_due {
            return Err(AppError::TwoFactorSetup);
        }
        if !self.admin_roles.iter().any(|r| r.grants(p)) {
            return Err(AppError::Denied(format!("你的管理角色没有「{}」权限，如需要请联系超级管理员", p.label())));
        }
        Ok(())
    }

    /// Whether [`Self::check`] allows `p` now.
    pub fn can(&self, p: Permission) -> bool {
        self.check(p).is_ok()
    }

    /// [`Self::can`] by permission code, for templates: `u.may("moderation")`.
    pub fn may(&self, code: &str) -> bool {
        Permission::parse(code).is_some_and(|p| self.can(p))
    }

    /// Whether the back office is the user's (the desk's brand link, the "管理后台" entry). An
    /// admin who must still enrol in two-factor keeps the link: it leads to the enrolment.
    /// A link only; what may be done is [`Self::check`]'s to say.
    pub fn is_staff(&self) -> bool {
        self.can(Permission::Dashboard)
            || (self.second_factor_due && self.admin_roles.iter().any(|r| r.grants(Permission::Dashboard)))
    }

    /// "学生 · 商家", "管理员 · 内容审核": account roles, then an admin's admin roles.
    pub fn role_labels(&self) -> String {
        let admin_roles = self.admin_roles.iter().filter(|_| self.is_admin()).map(|r| r.label());
        self.roles.iter().map(|r| r.label()).chain(admin_roles).collect::<Vec<_>>().join(" · ")
    }
}

/// The request's user, loaded at most once: actix polls a handler's extractors together, so
/// `RequireMerchant` and `Page` in one handler would otherwise both go to the database.
#[derive(Clone, Default)]
struct CachedUser(std::rc::Rc<tokio::sync::OnceCell<Option<CurrentUser>>>);

fn state(req: &HttpRequest) -> Result<web::Data<WebState>, AppError> {
    req.app_data::<web::Data<WebState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("app state missing")))
}

pub(super) async fn load_user(req: &HttpRequest) -> Result<Option<CurrentUser>, AppError> {
    let cell = req.extensions_mut().get_or_insert_with(CachedUser::default).clone();
    let user = cell
        .0
        .get_or_try_init(|| async {
            let session = req.get_session();
            let Some((id, record)) = session::signed_in(&session) else {
                return Ok(None);
            };
            let state = state(req)?;
            let accounts = state.accounts.clone();
            let seen = record.clone();
            let required = state.admin_2fa_required.clone();
            let user = state
                .db
                .read_here(move |conn| {
                    let mut user = accounts.session_user(conn, id, &record)?;
                    if let Some(u) = user.as_mut()
                        && u.is_admin()
                        && !u.two_factor
                    {
                        // A cached setting: no statement on the page's budget.
                        u.second_factor_due = required(conn)?;
                    }
                    Ok::<_, AppError>(user)
                })
                .await?;
            if user.is_some() && state.accounts.seen_due(&seen) {
                let accounts = state.accounts.clone();
                if let Err(e) = state.db.run(move |conn| accounts.mark_seen(conn, &seen)).await {
                    tracing::warn!("session last-seen not updated: {e}");
                }
            }
            if user.is_none() {
                // Signed out elsewhere, expired, deleted or banned since: the session is over.
                session::sign_out(&session);
            }
            Ok::<_, AppError>(user)
        })
        .await?;
    Ok(user.clone())
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load_user(&req).await?.ok_or(AppError::Unauthorized) })
    }
}

/// The user if signed in.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(load_user(&req).await?)) })
    }
}

/// A role a route requires; see [`RequireRole`].
pub trait RoleGuard {
    const ROLE: Role;
}

pub struct MerchantRole;
impl RoleGuard for MerchantRole {
    const ROLE: Role = Role::Merchant;
}

pub struct TeacherRole;
impl RoleGuard for TeacherRole {
    const ROLE: Role = Role::Teacher;
}

/// A signed-in user holding role `R`; anyone else gets the 403 page.
pub struct RequireRole<R: RoleGuard>(pub CurrentUser, PhantomData<R>);

pub type RequireMerchant = RequireRole<MerchantRole>;

impl<R: RoleGuard + 'static> FromRequest for RequireRole<R> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_user(&req).await?.ok_or(AppError::Unauthorized)?;
            if user.has(R::ROLE) { Ok(RequireRole(user, PhantomData)) } else { Err(AppError::Forbidden) }
        })
    }
}

/// What every layout needs.
pub struct Page {
    pub csrf: String,
    pub user: Option<CurrentUser>,
    pub flashes: Vec<Flash>,
    pub site_name: String,
    pub path: String,
    pub dev_login: bool,
}

impl Page {
    pub fn asset(&self, path: &str) -> std::borrow::Cow<'static, str> {
        super::assets::url(path)
    }

    /// Which tab of the mobile tab bar is lit.
    pub fn tab(&self) -> &'static str {
        let p = self.path.as_str();
        if p.starts_with("/academic") {
            "academic"
        } else if p.starts_with("/forum") {
            "forum"
        } else if p.starts_with("/mall") || p.starts_with("/pay") {
            // The cashier is a step of buying in the mall.
            "mall"
        } else if p.starts_with("/me") {
            "me"
        } else {
            "home"
        }
    }

    /// Where the 教务 tab goes: a teacher's teaching week, a student's (or anyone else's) timetable.
    pub fn academic_home(&self) -> &'static str {
        match &self.user {
            Some(u) if u.is_teacher() && !u.has(Role::Student) => "/academic/teacher-schedule",
            _ => "/academic/schedule",
        }
    }

    pub fn unread(&self) -> i64 {
        self.user.as_ref().map_or(0, |u| u.unread_messages)
    }
}

impl FromRequest for Page {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let user = load_user(&req).await?;
            let state = state(&req)?;
            let session = req.get_session();
            Ok(Page {
                csrf: session::csrf_token(&session)?,
                user,
                flashes: session::take_flashes(&session),
                site_name: (state.site_name)(),
                path: req.path().to_string(),
                dev_login: super::dev_login_allowed(&req, &state.config),
            })
        })
    }
}
