//! The forum's demo data: boards, a few dozen posts of the last week with comments, replies and
//! likes, and one anonymous thread on 表白墙 (whose author answers in it under the same
//! pseudonym), so `/forum` is alive on first start. Plus `bulk`, the generated posts and
//! comments the benchmark needs. `seed.rs` calls these.

mod bulk;
mod content;

pub use bulk::bulk;

use chrono::TimeDelta;

use self::content::{ANONYMOUS, BOARDS, POSTS, REGULARS};

use crate::auth::models::{NewUser, Role};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::forum::comments::queries::{self as comments, NewComment};
use crate::forum::models::{NewPost, PostBody, Title, VISIBLE};
use crate::forum::posts::queries as posts;

fn cast(conn: &mut DbConn, password_hash: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for role in [Role::Student, Role::Teacher, Role::Merchant, Role::Admin] {
        ids.push(crate::auth::service::demo_user(conn, role)?);
    }
    for (username, nickname) in REGULARS {
        // Regulars joined last term: today's sign-ups stay the four demo accounts.
        let now = db::now() - TimeDelta::days(90);
        ids.push(crate::auth::service::create_account(
            conn,
            &crate::auth::service::AccountSpec {
                username,
                password_hash,
                roles: &[Role::Student],
                // Verified students: the forum is a verified space.
                user: NewUser { verified: true, ..NewUser::named(nickname, now) },
            },
        )?);
    }
    Ok(ids)
}

fn new_post(board_id: i64, title: &str, body: &str, anonymous: bool) -> AppResult<NewPost> {
    Ok(NewPost {
        board_id,
        title: Title::parse(title).map_err(AppError::Invalid)?,
        body: PostBody::parse(body).map_err(AppError::Invalid)?,
        anonymous,
        images: Vec::new(),
    })
}

/// A demo comment: author, words, which earlier comment of the post it answers, anonymous,
/// and the name it answers.
type Said<'a> = (i64, &'a str, Option<usize>, bool, Option<String>);

/// Adds comments to a post written `hours` ago, spread over the time since.
fn add_comments(conn: &mut DbConn, post_id: i64, hours: i64, list: &[Said]) -> AppResult<()> {
    let start = db::now() - TimeDelta::hours(hours);
    let mut made: Vec<(i64, Option<i64>)> = Vec::new();
    for (n, (author, text, answers, anonymous, answer_name)) in list.iter().enumerate() {
        let at = start + TimeDelta::minutes(((n as i64 + 1) * hours * 60 / (list.len() as i64 + 2)).max(1));
        let answered = answers.and_then(|i| made.get(i).copied());
        let parent = answered.map(|(id, parent)| parent.unwrap_or(id));
        let id = comments::insert(
            conn,
            &NewComment {
                post_id,
                author_id: *author,
                parent_id: parent,
                reply_to_id: answered.map(|a| a.0),
                reply_to_name: answer_name.as_deref(),
                body: text,
                anonymous: *anonymous,
            },
            at,
        )?;
        posts::count_comment(conn, post_id, at)?;
        if let Some(p) = parent {
            comments::count_reply(conn, p)?;
        }
        made.push((id, parent));
    }
    Ok(())
}

/// Loads the demo boards and posts, once (skipped when boards exist).
pub fn demo(conn: &mut DbConn, password_hash: &str) -> AppResult<()> {
    if !crate::forum::feed::queries::boards(conn, false)?.is_empty() {
        return Ok(());
    }
    let people = cast(conn, password_hash)?;
    let names = |i: usize| REGULARS.get(i.wrapping_sub(4)).map_or("", |r| r.1);
    write_tx(conn, |conn| {
        let mut boards = Vec::new();
        for (i, (icon, name, description, admin_only)) in BOARDS.iter().enumerate() {
            boards.push(crate::forum::boards::service::create(
                conn,
                &crate::forum::boards::service::BoardSpec {
                    name: name.to_string(),
                    description: description.to_string(),
                    icon: icon.to_string(),
                    sort_order: i as i32,
                    admin_only: *admin_only,
                    active: true,
                    open_to_all: false,
                    review_all: false,
                },
            )?);
        }
        let mut study_posts = Vec::new();
        for (board, author, title, body, anonymous, hours, said, likers) in POSTS.iter() {
            let at = db::now() - TimeDelta::hours(*hours);
            let post = new_post(boards[*board], title, body, *anonymous)?;
            let id = posts::insert(conn, people[*author], &post, "[]", VISIBLE, at)?;
            let list: Vec<_> = said
                .iter()
                .map(|(who, text, answers)| {
                    let answer_name = answers.and_then(|i| said.get(i)).map(|(a, _, _)| {
                        let n = names(*a);
                        if n.is_empty() {
                            ["小林同学", "王老师", "校园便利店", "管理员"][*a].to_string()
                        } else {
                            n.to_string()
                        }
                    });
                    (people[*who], *text, *answers, false, answer_name)
                })
                .collect();
            add_comments(conn, id, *hours, &list)?;
            for liker in people.iter().cycle().skip(*author + 1).take(*likers) {
                crate::forum::likes::toggle(conn, *liker, crate::forum::likes::POST, id, |conn, d| {
                    posts::bump_likes(conn, id, d)?.ok_or(AppError::NotFound)
                })?;
            }
            posts::add_views(conn, id, (*likers * 9 + said.len() * 6 + 4) as i64)?;
            if *board == 0 && *author == 3 {
                posts::set_pinned(conn, id, true)?;
            }
            if *board == 1 {
                study_posts.push((id, *title));
            }
        }
        // 学长Leo moderates 学习交流 (版主): he pinned its oldest question; the demo student
        // saved its newest.
        let leo = people[4 + REGULARS.len() - 1];
        crate::forum::stewards::queries::appoint(conn, boards[1], leo, people[3], db::now())?;
        if let Some((id, title)) = study_posts.last() {
            posts::set_pinned(conn, *id, true)?;
            crate::forum::stewards::service::log(conn, boards[1], leo, "置顶", "post", *id, title, "")?;
        }
        if let Some((id, _)) = study_posts.first() {
            crate::forum::saves::set(conn, people[0], *id, true)?;
        }
        // The anonymous thread, and its author answering under her pseudonym.
        let (title, body) = ANONYMOUS;
        let author = people[0];
        let id = posts::insert(
            conn,
            author,
            &new_post(boards[5], title, body, true)?,
            "[]",
            VISIBLE,
            db::now() - TimeDelta::hours(14),
        )?;
        add_comments(
            conn,
            id,
            14,
            &[
                (people[5], "是不是穿灰色外套的那位？我好像也见过", None, false, None),
                (author, "是的！就是他", Some(0), true, Some(REGULARS[1].1.to_string())),
                (people[7], "好甜，祝你成功", None, false, None),
                (people[8], "明天七点二十我去二食堂蹲一下", None, true, None),
            ],
        )?;
        for liker in &people[4..] {
            crate::forum::likes::toggle(conn, *liker, crate::forum::likes::POST, id, |conn, d| {
                posts::bump_likes(conn, id, d)?.ok_or(AppError::NotFound)
            })?;
        }
        Ok::<_, AppError>(())
    })?;
    crate::forum::ranking::refresh(conn)?;
    Ok(())
}
