//! What an admin may do: named permissions, grouped into the admin roles a 超级管理员 assigns
//! (`admin_role_grants`). Holding the `admin` account role opens the back office; the admin roles
//! say which of its pages and actions. Every admin route takes one `guard::RequirePerm`, so a
//! missing permission is a 403 whether the link was shown or the form posted by hand. This file
//! is the list only: it knows nothing of requests or users.
//!
//! The permission a request acted under travels with it (see [`crate::db::acting`]) to the audit
//! log, which records it beside the action.

/// Declares [`Permission`] (with its code, stored in `audit_log.permission`, and its Chinese
/// name) and, in [`need`], one marker type per permission for `RequirePerm<need::X>`: one list.
macro_rules! permissions {
    ($($(#[doc = $doc:literal])* $name:ident => $code:literal, $label:literal;)*) => {
        /// One thing an admin may do. Each admin route checks exactly one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Permission {
            $($(#[doc = $doc])* $name,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$name),*];

            pub fn code(self) -> &'static str {
                match self {
                    $(Permission::$name => $code,)*
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $(Permission::$name => $label,)*
                }
            }
        }

        /// One marker type per [`Permission`], for `RequirePerm<need::X>`.
        pub mod need {
            $(
                pub struct $name;
                impl super::PermGuard for $name {
                    const PERMISSION: super::Permission = super::Permission::$name;
                }
            )*
        }
    };
}

permissions! {
    /// The back office's overview page.
    Dashboard => "dashboard", "后台概览";
    /// See the user list and a user's page (read only).
    UsersRead => "users.read", "查看用户";
    /// Ban, unban, change a user's account roles.
    UsersManage => "users.manage", "管理用户（封禁、账号角色）";
    /// Assign admin roles, reset another user's two-factor sign-in.
    AdminRoles => "admin_roles", "分配管理角色";
    /// The moderation queue and the forum's post and comment tools.
    Moderation => "moderation", "内容审核";
    SensitiveWords => "words", "敏感词";
    SecondHand => "second_hand", "二手审核";
    ForumBoards => "forum_boards", "论坛版块";
    /// Mall categories and banners.
    MallCatalog => "mall.catalog", "商城分类与横幅";
    /// Take a product off the shelves.
    Takedowns => "mall.takedown", "下架商品";
    /// Merchant applications and shops (and applicants' licence photos).
    Merchants => "merchants", "商家审核";
    Refunds => "refunds", "退款异常";
    /// Academic imports (timetable, grades, exams, calendar, classrooms, contacts, 综测).
    Academic => "academic", "教务数据导入";
    /// Approve or reject classroom bookings.
    ClassroomBookings => "classroom_bookings", "教室预约审批";
    /// Student-card reviews of 学籍认证; unverify and rebind a school number.
    Verifications => "verifications", "学籍认证审核";
    Activities => "activities", "活动管理";
    News => "news", "新闻管理";
    Map => "map", "校园地图";
    Feedback => "feedback", "意见反馈";
    AuditLog => "audit", "操作日志";
    Settings => "settings", "系统设置";
}

impl Permission {
    pub fn parse(code: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|p| p.code() == code)
    }
}

/// The Chinese name of a stored permission code (the audit log's column); an unknown code shows
/// as itself.
pub fn permission_label(code: &str) -> &str {
    match Permission::parse(code) {
        Some(p) => p.label(),
        None => code,
    }
}

/// A named set of permissions that a 超级管理员 grants to an admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AdminRole {
    /// Everything, and the only one that assigns admin roles.
    Super,
    Content,
    Mall,
    Academic,
    Events,
    Support,
}

impl AdminRole {
    pub const ALL: [AdminRole; 6] = [
        AdminRole::Super,
        AdminRole::Content,
        AdminRole::Mall,
        AdminRole::Academic,
        AdminRole::Events,
        AdminRole::Support,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AdminRole::Super => "super",
            AdminRole::Content => "content",
            AdminRole::Mall => "mall",
            AdminRole::Academic => "academic",
            AdminRole::Events => "events",
            AdminRole::Support => "support",
        }
    }

    pub fn parse(code: &str) -> Option<AdminRole> {
        AdminRole::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AdminRole::Super => "超级管理员",
            AdminRole::Content => "内容审核",
            AdminRole::Mall => "商城运营",
            AdminRole::Academic => "教务管理",
            AdminRole::Events => "活动与资讯",
            AdminRole::Support => "客服",
        }
    }

    /// The permissions the role grants (超级管理员: all of them).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission as P;
        match self {
            AdminRole::Super => Permission::ALL,
            AdminRole::Content => &[P::Dashboard, P::Moderation, P::SensitiveWords, P::SecondHand, P::ForumBoards],
            AdminRole::Mall => &[P::Dashboard, P::MallCatalog, P::Takedowns, P::Merchants, P::Refunds],
            AdminRole::Academic => &[P::Dashboard, P::Academic, P::ClassroomBookings, P::Verifications],
            AdminRole::Events => &[P::Dashboard, P::Activities, P::News, P::Map],
            AdminRole::Support => &[P::Dashboard, P::Feedback, P::UsersRead],
        }
    }

    pub fn grants(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// "内容审核、敏感词、二手审核…", for the page that assigns roles.
    pub fn summary(self) -> String {
        if self == AdminRole::Super {
            return "全部权限，并可分配管理角色".into();
        }
        self.permissions()
            .iter()
            .filter(|p| **p != Permission::Dashboard)
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// A permission a route requires, as a type; see `guard::RequirePerm`.
pub trait PermGuard {
    const PERMISSION: Permission;
}
