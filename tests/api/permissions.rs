//! Admin permissions: each admin role reaches its own pages and actions and gets 403 elsewhere,
//! the nav shows only what the admin may do, only a 超级管理员 assigns admin roles, and the audit
//! log records the permission an action was taken under.

use diesel::prelude::*;

use crate::helpers::{Client, DEMO_PASSWORD, TestApp, spawn_app};

fn user_id(app: &TestApp, username: &str) -> i64 {
    use campus::db::schema::user_auth;
    app.db(|c| user_auth::table.filter(user_auth::auth_key.eq(username)).select(user_auth::user_id).first(c).unwrap())
}

/// The demo admins and the permission groups their role grants.
const ADMINS: [(&str, &[&str]); 6] = [
    ("admin", &["content", "mall", "academic", "events", "support", "super"]),
    ("audit_admin", &["content"]),
    ("mall_admin", &["mall"]),
    ("academic_admin", &["academic"]),
    ("events_admin", &["events"]),
    ("support_admin", &["support"]),
];

/// A representative page of each permission, by the role group that holds it.
const PAGES: [(&str, &str); 17] = [
    ("content", "/admin/moderation"),
    ("content", "/admin/words"),
    ("content", "/admin/second-hand"),
    ("content", "/admin/forum"),
    ("mall", "/admin/mall"),
    ("mall", "/admin/merchants"),
    ("mall", "/admin/refunds"),
    ("academic", "/admin/academic/import"),
    ("academic", "/admin/academic/bookings"),
    ("events", "/activities/manage"),
    ("events", "/admin/news"),
    ("events", "/admin/map"),
    ("support", "/admin/feedback"),
    ("support", "/admin/users"),
    ("super", "/admin/audit"),
    ("super", "/admin/settings"),
    ("support", "/admin/users/1"),
];

/// One representative action per group: path, form fields, and what a permitted admin gets
/// (`None`: anything but 403 and 5xx, for a form that needs an upload to succeed).
struct Action {
    group: &'static str,
    path: String,
    fields: Vec<(&'static str, String)>,
    ok: Option<u16>,
}

fn actions(app: &TestApp, who: &str) -> Vec<Action> {
    use campus::db::schema::{campus_pois, feedback};
    // A different point for each admin who may delete one (deleting twice is a 404).
    let skip = match who {
        "admin" => 0,
        "teacher" => 2,
        _ => 1,
    };
    let poi: i64 = app
        .db(|c| campus_pois::table.select(campus_pois::id).order(campus_pois::id.asc()).offset(skip).first(c).unwrap());
    let thread: i64 = app.db(|c| feedback::table.select(feedback::id).first(c).unwrap());
    vec![
        Action {
            group: "content",
            path: "/admin/words".into(),
            fields: vec![("word", format!("违规词{who}")), ("action", "review".into())],
            ok: Some(303),
        },
        Action {
            group: "mall",
            path: "/admin/mall/categories".into(),
            fields: vec![("name", format!("分类{}", who.len())), ("sort_order", "9".into())],
            ok: Some(303),
        },
        Action { group: "academic", path: "/admin/academic/import".into(), fields: vec![], ok: None },
        Action { group: "events", path: format!("/admin/map/pois/{poi}/delete"), fields: vec![], ok: Some(303) },
        Action {
            group: "support",
            path: format!("/admin/feedback/{thread}/reply"),
            fields: vec![("body", format!("您好，{who} 已收到"))],
            ok: Some(303),
        },
        Action {
            group: "super",
            path: "/admin/settings/pickup-points".into(),
            fields: vec![("name", format!("驿站{}", who.len())), ("address", "南区".into())],
            ok: Some(303),
        },
    ]
}

#[test]
fn each_admin_role_reaches_its_own_pages_and_actions_and_gets_403_elsewhere() {
    let app = spawn_app();
    for (who, groups) in ADMINS {
        let c = app.login(who, DEMO_PASSWORD);
        assert_eq!(c.get("/admin").status, 200, "{who}: every admin role has the overview");
        for (group, path) in PAGES {
            let r = c.get(path);
            if groups.contains(&group) {
                assert_eq!(r.status, 200, "{who} GET {path}");
            } else {
                assert_eq!(r.status, 403, "{who} GET {path}");
                assert!(r.body.contains("没有权限"), "{who} GET {path}: the 403 page");
            }
        }
        let token = c.get("/admin").csrf();
        // Run the permitted action last: a refused one must find everything as it was.
        let mut all = actions(&app, who);
        all.sort_by_key(|a| groups.contains(&a.group));
        for a in all {
            let mut fields: Vec<(&str, &str)> = a.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fields.push(("csrf_token", &token));
            let r = c.post_form(&a.path, &fields);
            match (groups.contains(&a.group), a.ok) {
                (true, Some(status)) => assert_eq!(r.status, status, "{who} POST {}: {}", a.path, r.body),
                (true, None) => assert!(r.status != 403 && r.status < 500, "{who} POST {}: {}", a.path, r.status),
                (false, _) => {
                    assert_eq!(r.status, 403, "{who} POST {}", a.path);
                    assert!(r.body.contains("权限"), "{who} POST {}: says which permission", a.path);
                }
            }
        }
    }
    // Refused actions left nothing behind: only the two permitted admins added their word.
    use campus::db::schema::sensitive_words;
    let words: Vec<String> = app.db(|c| {
        sensitive_words::table
            .filter(sensitive_words::word.like("违规词%"))
            .select(sensitive_words::word)
            .load(c)
            .unwrap()
    });
    assert_eq!(words.len(), 2, "{words:?}");
}

#[test]
fn a_content_moderator_moderates_but_gets_403_on_merchant_review() {
    let app = spawn_app();
    let applicant = app.client();
    let r = applicant.submit(
        "/register",
        "/register",
        &[("username", "fruit_shop"), ("password", "secret123"), ("password2", "secret123"), ("nickname", "店主")],
    );
    assert_eq!(r.status, 303);
    let apply = [
        ("shop_name", "阿强水果店"),
        ("contact_name", "阿强"),
        ("contact_phone", "13600136000"),
        ("location", "学生街 8 号"),
        ("category", "超市便利"),
    ];
    let licence = crate::merchant::png();
    assert_eq!(crate::merchant::upload(&applicant, "/merchant/apply", &apply, &[("licence", licence)]).status, 303);
    use campus::db::schema::merchant_applications as ma;
    let id: i64 = app.db(|c| ma::table.filter(ma::status.eq("pending")).select(ma::id).first(c).unwrap());

    let moderator = app.login("audit_admin", DEMO_PASSWORD);
    let queue = moderator.get("/admin/moderation");
    assert_eq!(queue.status, 200);
    let token = queue.csrf();
    // Moderation: hide a forum post through the forum's own tools.
    use campus::db::schema::forum_posts;
    let post: i64 =
        app.db(|c| forum_posts::table.select(forum_posts::id).order(forum_posts::id.asc()).first(c).unwrap());
    let r = moderator.post_form(
        &format!("/forum/posts/{post}/manage"),
        &[("csrf_token", &token), ("action", "hide"), ("reason", "测试隐藏")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let status: String = app.db(|c| forum_posts::table.find(post).select(forum_posts::status).first(c).unwrap());
    assert_eq!(status, "hidden");
    // Merchant review: 403, with the permission named, and the application still pending.
    assert_eq!(moderator.get("/admin/merchants").status, 403);
    let r = moderator.post_form(&format!("/admin/merchants/applications/{id}/approve"), &[("csrf_token", &token)]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("商家审核"), "{}", r.body);
    let r = moderator.post_form(
        &format!("/admin/merchants/applications/{id}/reject"),
        &[("csrf_token", &token), ("reason", "资料不全")],
    );
    assert_eq!(r.status, 403);
    let status: String = app.db(|c| ma::table.find(id).select(ma::status).first(c).unwrap());
    assert_eq!(status, "pending", "nothing changed");
    // The licence photo is the merchant reviewers' to see.
    let licence: String =
        app.db(|c| ma::table.find(id).select(ma::licence_image).first::<Option<String>>(c).unwrap().unwrap());
    assert_eq!(moderator.get(&licence).status, 404);
    assert_eq!(app.login("mall_admin", DEMO_PASSWORD).get(&licence).status, 200);
    // The hide is in the audit log, under the permission it was taken under.
    use campus::db::schema::audit_log;
    let permission: Option<String> = app.db(|c| {
        audit_log::table.filter(audit_log::action.eq("forum.hide")).select(audit_log::permission).first(c).unwrap()
    });
    assert_eq!(permission.as_deref(), Some("moderation"));
}

fn nav(c: &Client) -> String {
    let body = c.get("/admin").body;
    let start = body.find("<nav class=\"desk-side\"").unwrap();
    let end = body[start..].find("</nav>").unwrap() + start;
    body[start..end].to_string()
}

#[test]
fn the_desk_nav_shows_only_what_the_admin_may_do() {
    let app = spawn_app();
    let c = app.login("audit_admin", DEMO_PASSWORD);
    assert!(c.get("/admin").body.contains("内容审核员（管理员 · 内容审核）"), "the header names the admin role");
    let moderator = nav(&c);
    assert!(moderator.contains("href=\"/admin/moderation\"") && moderator.contains("href=\"/admin/words\""));
    for hidden in ["/admin/merchants", "/admin/mall", "/admin/users", "/admin/settings", "/admin/audit", "/admin/news"]
    {
        assert!(!moderator.contains(&format!("href=\"{hidden}\"")), "{hidden} shown to a moderator");
    }
    let mall = nav(&app.login("mall_admin", DEMO_PASSWORD));
    assert!(mall.contains("href=\"/admin/merchants\"") && mall.contains("href=\"/admin/mall\""));
    assert!(!mall.contains("href=\"/admin/moderation\""));
    let support = nav(&app.login("support_admin", DEMO_PASSWORD));
    assert!(support.contains("href=\"/admin/feedback\"") && support.contains("href=\"/admin/users\""));
    assert!(!support.contains("href=\"/admin/academic/import\""));
    let all = nav(&app.login("admin", DEMO_PASSWORD));
    for shown in ["/admin/moderation", "/admin/merchants", "/admin/settings", "/admin/audit", "/admin/academic/import"]
    {
        assert!(all.contains(&format!("href=\"{shown}\"")), "{shown} hidden from the 超级管理员");
    }
    // 客服 reads users but the list has no role or ban forms, and a ban posted by hand is refused.
    let support = app.login("support_admin", DEMO_PASSWORD);
    let users = support.get("/admin/users");
    assert_eq!(users.status, 200);
    assert!(!users.body.contains("/roles\"") && !users.body.contains("/ban\""));
    let student = user_id(&app, "student");
    let r = support.post_form(&format!("/admin/users/{student}/ban"), &[("csrf_token", &users.csrf())]);
    assert_eq!(r.status, 403);
    assert_eq!(app.client().login("student", DEMO_PASSWORD).status, 303, "not banned");
}

fn set_admin_roles(c: &Client, token: &str, user: i64, roles: &[&str]) -> crate::helpers::Resp {
    let mut body = format!("csrf_token={token}");
    for r in roles {
        body.push_str(&format!("&admin_role={r}"));
    }
    c.post_raw(&format!("/admin/users/{user}/admin-roles"), "application/x-www-form-urlencoded", body.as_bytes())
}

#[test]
fn only_a_super_admin_assigns_admin_roles_and_the_last_one_stays() {
    let app = spawn_app();
    let teacher = user_id(&app, "teacher");
    let me = user_id(&app, "admin");

    let support = app.login("support_admin", DEMO_PASSWORD);
    let page = support.get(&format!("/admin/users/{teacher}"));
    assert_eq!(page.status, 200, "客服 reads a user's page");
    assert!(page.body.contains("只有超级管理员可以分配管理角色"));
    assert!(!page.body.contains("name=\"admin_role\""));
    let r = set_admin_roles(&support, &page.csrf(), teacher, &["super"]);
    assert_eq!(r.status, 403, "客服 cannot hand itself or anyone a role");

    let admin = app.login("admin", DEMO_PASSWORD);
    let page = admin.get(&format!("/admin/users/{teacher}"));
    assert!(page.body.contains("name=\"admin_role\"") && page.body.contains("商城运营"));
    let t = page.csrf();
    // A teacher without the admin account role gets no admin role, and a made-up one is refused.
    let r = set_admin_roles(&admin, &t, teacher, &["mall"]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("管理员"), "{}", r.body);
    assert_eq!(set_admin_roles(&admin, &t, teacher, &["pirate"]).status, 422);
    assert_eq!(set_admin_roles(&admin, &t, 999_999, &[]).status, 404);

    let signed_in = app.login("teacher", DEMO_PASSWORD);
    let body = format!("csrf_token={t}&role=teacher&role=admin");
    let r =
        admin.post_raw(&format!("/admin/users/{teacher}/roles"), "application/x-www-form-urlencoded", body.as_bytes());
    assert_eq!(r.status, 303);
    assert_eq!(signed_in.get("/admin").status, 403, "the admin account role alone opens nothing");
    assert_eq!(set_admin_roles(&admin, &t, teacher, &["mall"]).status, 303);
    // The same signed-in session sees the change at once (the user cache follows updated_at).
    assert_eq!(signed_in.get("/admin/mall").status, 200);
    assert_eq!(signed_in.get("/admin/words").status, 403);

    // The last 超级管理员 cannot drop the role, nor lose the admin account role.
    let r = set_admin_roles(&admin, &t, me, &["content"]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("最后一位超级管理员"), "{}", r.body);
    assert_eq!(admin.get("/admin/settings").status, 200, "still 超级管理员");
    // With a second one, the first may step down to 内容审核.
    assert_eq!(set_admin_roles(&admin, &t, teacher, &["super"]).status, 303);
    assert_eq!(set_admin_roles(&admin, &t, me, &["content"]).status, 303);
    assert_eq!(admin.get("/admin/settings").status, 403);
    assert_eq!(admin.get("/admin/moderation").status, 200);
    let r = signed_in.get(&format!("/admin/users/{me}"));
    let r = set_admin_roles(&signed_in, &r.csrf(), teacher, &[]);
    assert_eq!(r.status, 422, "the new last 超级管理员 cannot drop the role either");

    let log = signed_in.get("/admin/audit?action=user.");
    assert!(log.body.contains("分配管理角色") && log.body.contains("管理角色：内容审核"), "{}", log.body);
    use campus::db::schema::audit_log;
    let permissions: Vec<Option<String>> = app.db(|c| {
        audit_log::table.filter(audit_log::action.eq("user.admin_roles")).select(audit_log::permission).load(c).unwrap()
    });
    assert_eq!(permissions.len(), 3);
    assert!(permissions.iter().all(|p| p.as_deref() == Some("admin_roles")), "{permissions:?}");
}

#[test]
fn the_seeded_admin_is_super_and_an_admin_without_admin_roles_reaches_nothing() {
    let app = spawn_app();
    use campus::db::schema::admin_role_grants as g;
    let admin = user_id(&app, "admin");
    let roles: Vec<String> = app.db(|c| g::table.filter(g::user_id.eq(admin)).select(g::role).load(c).unwrap());
    assert_eq!(roles, vec!["super".to_string()]);
    // An admin account from before admin roles existed (a grant-less row) acts under none.
    let support = user_id(&app, "support_admin");
    app.db(|c| diesel::delete(g::table.filter(g::user_id.eq(support))).execute(c).unwrap());
    let c = app.login("support_admin", DEMO_PASSWORD);
    assert_eq!(c.get("/admin").status, 403);
    assert!(!c.get("/me").body.contains("管理后台"), "no link to a back office that would refuse");
    assert!(app.login("admin", DEMO_PASSWORD).get("/me").body.contains("管理后台"));
}

#[test]
fn two_super_admins_demoting_each_other_at_once_leave_one() {
    let app = spawn_app();
    let (admin, teacher) = (user_id(&app, "admin"), user_id(&app, "teacher"));
    let boss = app.login("admin", DEMO_PASSWORD);
    let t = boss.get("/admin/users").csrf();
    let body = format!("csrf_token={t}&role=teacher&role=admin");
    let r =
        boss.post_raw(&format!("/admin/users/{teacher}/roles"), "application/x-www-form-urlencoded", body.as_bytes());
    assert_eq!(r.status, 303);
    for round in 0..5 {
        assert_eq!(set_admin_roles(&boss, &t, teacher, &["super"]).status, 303, "round {round}");
        let other = app.login("teacher", DEMO_PASSWORD);
        let ot = other.get("/admin/users").csrf();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| set_admin_roles(&boss, &t, teacher, &["content"]).status);
            let b = s.spawn(|| set_admin_roles(&other, &ot, admin, &["content"]).status);
            (a.join().unwrap(), b.join().unwrap())
        });
        // The loser is refused: by the rule (422) or, once the winner's change is in, because it
        // no longer holds the permission to assign roles at all (403).
        assert_eq!([a, b].iter().filter(|s| **s == 303).count(), 1, "round {round}: {a} {b}");
        assert!([a, b].iter().all(|s| [303, 403, 422].contains(s)), "round {round}: {a} {b}");
        use campus::db::schema::admin_role_grants as g;
        let supers: i64 = app.db(|c| g::table.filter(g::role.eq("super")).count().get_result(c).unwrap());
        assert_eq!(supers, 1, "round {round}");
        // Put the demoted one back for the next round.
        let (survivor, token, demoted) = if a == 303 { (&boss, &t, teacher) } else { (&other, &ot, admin) };
        assert_eq!(set_admin_roles(survivor, token, demoted, &["super"]).status, 303);
    }
}

/// Saves the settings with two-factor sign-in mandatory for admins (as a 超级管理员 who has it).
fn require_two_factor(c: &Client) {
    let page = c.get("/admin/settings");
    let r = c.post_form(
        "/admin/settings",
        &[
            ("csrf_token", &page.csrf()),
            ("site_name", "校园助手"),
            ("order_timeout_mins", "30"),
            ("mail_from", "校园助手 <noreply@campus.local>"),
            ("admin_2fa_required", "1"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
}

/// A fresh applicant's licence photo (personal data: the merchant reviewers' to see).
fn new_licence(app: &TestApp) -> String {
    let applicant = app.new_student("licence_owner");
    let apply = [
        ("shop_name", "阿强水果店"),
        ("contact_name", "阿强"),
        ("contact_phone", "13600136000"),
        ("location", "学生街 8 号"),
        ("category", "超市便利"),
    ];
    let r = crate::merchant::upload(&applicant, "/merchant/apply", &apply, &[("licence", crate::merchant::png())]);
    assert_eq!(r.status, 303, "{}", r.body);
    use campus::db::schema::merchant_applications as ma;
    app.db(|c| ma::table.select(ma::licence_image).first::<Option<String>>(c).unwrap().unwrap())
}

const ENROL: &str = "/me/2fa?required=1";

/// The routes that decide inside the handler (not by a route guard) whether an admin may act:
/// an activity's registrants and their export, a message to all of them, a licence photo. Each
/// with the group that opens it and what that group gets.
fn handler_routes(activity: i64, licence: &str) -> Vec<(&'static str, String, u16, u16)> {
    // (group, GET path, permitted status, refused status)
    vec![
        ("events", format!("/activities/{activity}/registrants"), 200, 403),
        ("events", format!("/activities/{activity}/registrants.csv"), 200, 403),
        ("events", format!("/activities/{activity}/registrants.xlsx"), 200, 403),
        ("mall", licence.to_string(), 200, 404),
    ]
}

fn messages_saying(app: &TestApp, text: &str) -> i64 {
    use campus::db::schema::messages;
    let pattern = format!("%{text}%");
    app.db(|c| messages::table.filter(messages::body.like(&pattern)).count().get_result(c).unwrap())
}

/// Walks every page, action and handler-decided route of the matrix as `who`: before enrolling
/// (`enrolled` false) each one sends them to enrol and changes nothing; after, each role reaches
/// its own and is refused elsewhere.
fn walk(app: &TestApp, c: &Client, who: &str, groups: &[&str], enrolled: bool, activity: i64, licence: &str) {
    let token = c.get("/me").csrf();
    let r = c.get("/admin");
    if enrolled {
        assert_eq!(r.status, 200, "{who}: every admin role has the overview");
    } else {
        assert_eq!((r.status, r.location()), (303, Some(ENROL)), "{who} GET /admin");
    }
    for (group, path) in PAGES {
        let r = c.get(path);
        match (enrolled, groups.contains(&group)) {
            (false, _) => assert_eq!((r.status, r.location()), (303, Some(ENROL)), "{who} GET {path}"),
            (true, true) => assert_eq!(r.status, 200, "{who} GET {path}"),
            (true, false) => assert_eq!(r.status, 403, "{who} GET {path}"),
        }
    }
    for (group, path, permitted, refused) in handler_routes(activity, licence) {
        let r = c.get(&path);
        match (enrolled, groups.contains(&group)) {
            (false, _) => assert_eq!((r.status, r.location()), (303, Some(ENROL)), "{who} GET {path}"),
            (true, true) => assert_eq!(r.status, permitted, "{who} GET {path}"),
            (true, false) => assert_eq!(r.status, refused, "{who} GET {path}"),
        }
    }
    // A message to every registrant: sent only by an enrolled events admin (or 超级管理员).
    let text = format!("群发测试{who}{enrolled}");
    let r = c.post_form(&format!("/activities/{activity}/message"), &[("csrf_token", &token), ("body", &text)]);
    match (enrolled, groups.contains(&"events")) {
        (false, _) => assert_eq!((r.status, r.location()), (303, Some(ENROL)), "{who} message"),
        (true, true) => assert_eq!(r.status, 303, "{who} message: {}", r.body),
        (true, false) => assert_eq!(r.status, 403, "{who} message"),
    }
    let sent = messages_saying(app, &text);
    if enrolled && groups.contains(&"events") {
        assert!(sent > 0, "{who}: the message reached the registrants");
    } else {
        assert_eq!(sent, 0, "{who}: nobody was messaged");
    }
    let mut all = actions(app, who);
    all.sort_by_key(|a| groups.contains(&a.group));
    for a in all {
        let mut fields: Vec<(&str, &str)> = a.fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("csrf_token", &token));
        let r = c.post_form(&a.path, &fields);
        match (enrolled, groups.contains(&a.group), a.ok) {
            (false, _, _) => assert_eq!((r.status, r.location()), (303, Some(ENROL)), "{who} POST {}", a.path),
            (true, true, Some(status)) => assert_eq!(r.status, status, "{who} POST {}: {}", a.path, r.body),
            (true, true, None) => assert!(r.status != 403 && r.status < 500, "{who} POST {}: {}", a.path, r.status),
            (true, false, _) => assert_eq!(r.status, 403, "{who} POST {}", a.path),
        }
    }
}

#[test]
fn when_two_factor_is_required_every_route_of_the_matrix_waits_for_it_for_each_admin_role() {
    let app = spawn_app();
    let boss = app.login("admin", DEMO_PASSWORD);
    crate::two_factor::enrol(&boss);
    require_two_factor(&boss);
    // A second 超级管理员 without two-factor, so that every role is walked before enrolling too.
    let second = user_id(&app, "teacher");
    app.db(|c| {
        campus::auth::service::grant_role(c, second, campus::auth::models::Role::Admin).unwrap();
        campus::auth::staff::grant_super(c, second).unwrap();
    });
    use campus::db::schema::activity_registrations as ar;
    let activity: i64 =
        app.db(|c| ar::table.filter(ar::status.eq("registered")).select(ar::activity_id).first(c).unwrap());
    let licence = new_licence(&app);
    let mut admins: Vec<(&str, &[&str])> = ADMINS.iter().filter(|(who, _)| *who != "admin").copied().collect();
    admins.push(("teacher", ADMINS[0].1));
    for (who, groups) in admins {
        let c = app.login(who, DEMO_PASSWORD);
        walk(&app, &c, who, groups, false, activity, &licence);
        crate::two_factor::enrol(&c);
        walk(&app, &c, who, groups, true, activity, &licence);
    }
    walk(&app, &boss, "admin", ADMINS[0].1, true, activity, &licence);
    // Refused actions left nothing behind: only the two enrolled 超级管理员 and the enrolled
    // 内容审核 added their word.
    use campus::db::schema::sensitive_words;
    let words: Vec<String> = app.db(|c| {
        sensitive_words::table
            .filter(sensitive_words::word.like("违规词%"))
            .select(sensitive_words::word)
            .load(c)
            .unwrap()
    });
    assert_eq!(words.len(), 3, "{words:?}");
    // Without the requirement, an admin without two-factor works as before (the first test).
}

#[test]
fn the_dashboard_shows_audit_lines_and_addresses_only_to_who_may_read_the_audit_log() {
    let app = app_with_proxy();
    // Something in the audit log, with an address: a 超级管理员's sign-in from 198.51.100.23.
    let boss = app.client();
    let page = boss.get("/login");
    let r = boss.post_form_with(
        "/login",
        &[("csrf_token", &page.csrf()), ("username", "admin"), ("password", DEMO_PASSWORD)],
        &[("X-Forwarded-For", "198.51.100.23")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let all = boss.get("/admin");
    assert!(all.body.contains("最近操作") && all.body.contains("198.51.100.23"), "the 超级管理员 sees the lines");
    for (who, _) in ADMINS.iter().filter(|(who, _)| *who != "admin") {
        let c = app.login(who, DEMO_PASSWORD);
        let r = c.get("/admin");
        assert_eq!(r.status, 200, "{who}");
        assert!(!r.body.contains("最近操作") && !r.body.contains("198.51.100.23"), "{who} sees no audit line");
        assert_eq!(c.get("/admin/audit").status, 403, "{who}");
    }
}

fn app_with_proxy() -> TestApp {
    crate::helpers::app().trust_proxy().start()
}
