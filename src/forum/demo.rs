//! The forum's demo data: boards, a few dozen posts of the last week with comments, replies and
//! likes, and one anonymous thread on 表白墙 (whose author answers in it under the same
//! pseudonym), so `/forum` is alive on first start. Plus `bulk`, the generated posts and
//! comments the benchmark needs. `seed.rs` calls these.

use chrono::TimeDelta;

use super::comments::queries::{self as comments, NewComment};
use super::models::{NewPost, PostBody, Title};
use super::posts::queries as posts;
use crate::auth::models::{NewUser, Role, STATUS_ACTIVE};
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// (icon, name, description, admin only)
const BOARDS: [(&str, &str, &str, bool); 7] = [
    ("📢", "校园公告", "学校与学生会的通知，仅管理员发布", true),
    ("📚", "学习交流", "课程、考试、考研、竞赛，互相帮助", false),
    ("🔍", "失物招领", "丢了东西、捡到东西都来这里", false),
    ("🌸", "校园生活", "食堂、宿舍、社团、周末去哪儿", false),
    ("🛍️", "二手闲聊", "闲置交流、求购、砍价经验", false),
    ("💌", "表白墙", "说出你的心里话，可以匿名", false),
    ("💼", "实习就业", "实习、校招、简历互助", false),
];

/// Forum regulars besides the four demo accounts: (username, nickname).
const REGULARS: [(&str, &str); 6] = [
    ("demo_chen", "小陈"),
    ("demo_jie", "阿杰"),
    ("demo_zhou", "周周"),
    ("demo_juzi", "橘子汽水"),
    ("demo_dabai", "大白"),
    ("demo_leo", "学长Leo"),
];

/// A demo post: board, author (index into the cast), title, body, anonymous, hours ago,
/// comments as (author, text, answers comment n of this post), likers.
type DemoPost =
    (usize, usize, &'static str, &'static str, bool, i64, &'static [(usize, &'static str, Option<usize>)], usize);

const POSTS: [DemoPost; 30] = [
    (
        0,
        3,
        "期末考试安排已发布",
        "各位同学：本学期期末考试安排已在教务系统发布，请登录“教务 › 考试安排”查看考场和座位号。\n考试期间图书馆延长开放至 23:00。祝大家考试顺利！",
        false,
        20,
        &[(4, "收到，谢谢管理员", None), (6, "图书馆延长开放太好了", None)],
        9,
    ),
    (
        1,
        4,
        "高数下册期末复习资料整理好了",
        "把这学期的笔记和往年题整理成了一份 PDF，重点是多元函数微分和重积分。\n需要的同学评论区留言，我统一发到群里。\n参考：https://mooc.example.edu/calculus",
        false,
        30,
        &[
            (0, "求一份！谢谢大佬", None),
            (5, "太及时了", None),
            (4, "已经发到群里啦", Some(0)),
            (7, "重积分那章有例题讲解吗", None),
            (4, "有的，第三部分", Some(3)),
        ],
        12,
    ),
    (
        1,
        5,
        "有没有一起准备蓝桥杯的同学",
        "今年想报 C/C++ 组，找两三个人一起刷题，每周三晚上图书馆三楼讨论室见。",
        false,
        52,
        &[(9, "算我一个，我报的 Java 组也可以一起吗", None), (5, "可以呀，题目是通的", Some(0))],
        6,
    ),
    (
        1,
        0,
        "考研数学一 每天几点起比较合适",
        "现在每天七点起，感觉下午特别困，大家都是怎么安排作息的？",
        false,
        75,
        &[(9, "我是六点半起，中午一定睡二十分钟", None), (7, "下午做题比看书更不容易困", None)],
        4,
    ),
    (
        1,
        1,
        "关于数据结构课程设计的说明",
        "课程设计题目已上传到课程群，第 16 周前提交报告和源码。\n可以两人一组，组队名单请在本周五前发给学委。",
        false,
        100,
        &[(0, "王老师，可以用 Rust 写吗？", None), (1, "可以，报告里说明编译方式即可", Some(0))],
        8,
    ),
    (
        2,
        6,
        "捡到一张校园卡 姓李",
        "今天中午在二食堂二楼捡到一张校园卡，学号 2022 开头，姓李。已交到一楼服务台。",
        false,
        6,
        &[(4, "帮转到班级群了", None)],
        5,
    ),
    (
        2,
        7,
        "丢了一把黑色雨伞",
        "昨天下午在图书馆一楼存包处丢了一把黑色长柄伞，伞柄上贴了一个小熊贴纸，捡到的同学麻烦联系我，请你喝奶茶！",
        false,
        28,
        &[
            (8, "我好像在三楼自习室看到过一把", None),
            (7, "我去看看，谢谢！", Some(0)),
            (7, "找到了！太感谢了", Some(0)),
        ],
        3,
    ),
    (2, 8, "寻找 AirPods 右耳", "在东区操场跑道附近丢了 AirPods 右耳，白色。有捡到的同学吗？", false, 44, &[], 1),
    (
        2,
        5,
        "捡到一串钥匙 有蓝色挂件",
        "西区 3 号楼楼下捡到一串钥匙，三把，挂件是蓝色海豚。放在宿管阿姨那里了。",
        false,
        90,
        &[(6, "是我室友的！马上去拿", None)],
        4,
    ),
    (
        3,
        9,
        "二食堂新开的麻辣香锅怎么样",
        "今天路过看到排了好长的队，有没有吃过的同学说说味道和价格？",
        false,
        4,
        &[(4, "一个人 25 左右，挺香的，就是有点咸", None), (6, "推荐加宽粉", None), (0, "明天去试试", None)],
        7,
    ),
    (
        3,
        6,
        "周末去爬山有人吗",
        "这周六打算去城郊的森林公园爬山，早上八点校门口集合，AA 打车，目前三个人，还能再来两个。",
        false,
        26,
        &[(8, "我！我可以带零食", None), (5, "天气预报说周六有小雨，要带伞", None)],
        5,
    ),
    (
        3,
        4,
        "宿舍晚上十二点还有人打游戏怎么办",
        "室友每天打到一两点，说了几次也没用，戴耳塞也能听到键盘声，求支招。",
        false,
        50,
        &[(9, "买个静音键盘送他哈哈", None), (7, "可以找辅导员调宿舍", None), (4, "先好好聊一次吧", Some(0))],
        10,
    ),
    (
        3,
        7,
        "社团招新：摄影协会",
        "摄影协会招新啦！不需要有相机，手机也能拍出好照片。每周四晚上有外拍活动，欢迎来玩。",
        false,
        70,
        &[(6, "有设备借用吗", None), (7, "有两台入门单反可以借", Some(0))],
        6,
    ),
    (
        3,
        8,
        "图书馆哪个区域最安静",
        "期末了想找个安静的位置复习，大家推荐几楼？",
        false,
        33,
        &[(5, "五楼社科阅览室，基本没人说话", None)],
        3,
    ),
    (
        3,
        0,
        "分享一下我的宿舍改造",
        "花了不到两百块把书桌区改造了一下：一个护眼灯、一个桌面收纳架、一块洞洞板。效果还不错，学习的时候心情都变好了。",
        false,
        120,
        &[(9, "洞洞板在哪买的", None), (0, "校园便利店就有", Some(0)), (2, "欢迎来店里看看～", Some(0))],
        15,
    ),
    (
        4,
        5,
        "出一辆山地车 九成新",
        "大三要去实习了，出一辆山地车，骑了一年，刹车和变速都刚调过。有意向的同学可以在二手市场看，也可以评论区问。",
        false,
        12,
        &[(6, "多少钱呀", None), (5, "350，可小刀", Some(0))],
        2,
    ),
    (
        4,
        6,
        "求购二手考研政治资料",
        "求肖秀荣 1000 题和精讲精练，最好笔记少一点的。",
        false,
        60,
        &[(9, "我有，去年的，私信你", None)],
        1,
    ),
    (
        4,
        9,
        "二手交易注意事项分享",
        "1. 尽量在学校里当面交易；\n2. 电子产品当面验货；\n3. 不要提前转账。\n大家还有什么经验可以补充。",
        false,
        140,
        &[(4, "贵重物品可以约在保卫处门口交易", None), (0, "收藏了", None)],
        11,
    ),
    (
        5,
        8,
        "致图书馆三楼穿白色卫衣的男生",
        "连续三天都坐在你对面，你背单词的样子很认真。如果你也注意到我，明天还在老位置见。",
        false,
        8,
        &[(4, "冲啊！", None), (6, "期待后续", None)],
        9,
    ),
    (
        5,
        0,
        "想对帮我捡回饭卡的同学说声谢谢",
        "上周在操场丢了饭卡，第二天就在失物招领看到了，谢谢那位不留名的同学，好人一生平安。",
        false,
        36,
        &[(5, "校园里还是好人多", None)],
        6,
    ),
    (
        6,
        9,
        "大厂暑期实习面经（后端）",
        "三轮技术面加一轮 HR 面。\n一面：操作系统、网络、一道链表题；\n二面：项目深挖，问了很多数据库索引；\n三面：系统设计，设计一个短链接服务。\n总体感觉基础一定要扎实。",
        false,
        16,
        &[
            (0, "感谢分享！数据库索引问得多深？", None),
            (9, "B+ 树、联合索引最左匹配、覆盖索引这些", Some(0)),
            (4, "mark 一下", None),
            (6, "学长太强了", None),
        ],
        14,
    ),
    (
        6,
        4,
        "简历互相帮忙看一下",
        "准备投暑期实习，有没有同学互相看简历？我可以帮看前端方向的。",
        false,
        58,
        &[(5, "我来，后端方向", None)],
        3,
    ),
    (
        6,
        1,
        "关于就业指导讲座的通知",
        "本周四下午两点在学术报告厅有就业指导讲座，邀请了往届校友分享求职经验，欢迎大三大四同学参加。",
        false,
        80,
        &[(7, "会有录播吗", None), (1, "会上传到学院公众号", Some(0))],
        7,
    ),
    (
        1,
        6,
        "英语四级听力怎么提分",
        "模拟题听力一直在 150 左右，有什么好方法吗？",
        false,
        10,
        &[(8, "精听真题，一句一句听写", None), (0, "每天坚持半小时，两周就有感觉", None)],
        4,
    ),
    (
        3,
        5,
        "学校附近有什么好吃的",
        "来了一个学期还没怎么出过校门，求推荐学校附近的小店。",
        false,
        3,
        &[(9, "东门的酸菜鱼必吃", None), (7, "北门那家烤冷面", None)],
        5,
    ),
    (
        1,
        7,
        "线性代数 特征值那章听不懂",
        "老师讲得很快，书上也看不太明白，有没有推荐的视频课？",
        false,
        2,
        &[(4, "推荐 3Blue1Brown 的线代系列", None)],
        2,
    ),
    (
        3,
        8,
        "运动会报名开始了",
        "各学院运动会报名本周截止，三千米还没人报，有没有勇士？",
        false,
        22,
        &[(6, "我可以试试", None)],
        4,
    ),
    (
        2,
        4,
        "寻找一本借的《算法导论》",
        "上周在自习室借给一位同学的《算法导论》，书的扉页写着我的名字，麻烦看到的同学还一下～",
        false,
        64,
        &[],
        1,
    ),
    (
        4,
        8,
        "毕业季出书 十元三本",
        "考研资料、专业课教材、小说都有，周六下午在西区宿舍楼下摆摊。",
        false,
        1,
        &[(0, "有没有计算机网络的书", None)],
        2,
    ),
    (
        3,
        9,
        "今晚的晚霞太好看了",
        "刚从实验楼出来，整片天都是粉色的，大家有拍到吗？",
        false,
        5,
        &[(7, "拍了！在操场看的", None), (8, "可惜在上课", None)],
        8,
    ),
];

/// The anonymous thread: a confession on 表白墙; its author (小林同学) answers under the same
/// pseudonym, others reply.
const ANONYMOUS: (&str, &str) = (
    "致每天早上在食堂买豆浆的你",
    "每天七点二十，你总是在二食堂一楼买一杯豆浆和一个茶叶蛋。不知道你叫什么名字，只想说，谢谢你每次都对阿姨说谢谢。\n如果你看到了，回复一下吧。",
);

fn cast(conn: &mut DbConn, password_hash: &str) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for role in [Role::Student, Role::Teacher, Role::Merchant, Role::Admin] {
        ids.push(crate::auth::service::demo_user(conn, role)?);
    }
    for (username, nickname) in REGULARS {
        let now = db::now();
        ids.push(crate::auth::service::create_account(
            conn,
            &crate::auth::service::AccountSpec {
                username,
                password_hash,
                roles: &[Role::Student],
                user: NewUser {
                    nickname,
                    email: None,
                    phone: None,
                    student_no: None,
                    real_name: None,
                    college: None,
                    major: None,
                    class_name: None,
                    verified: false,
                    status: STATUS_ACTIVE,
                    created_at: now,
                    updated_at: now,
                },
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
    if !super::feed::queries::boards(conn, false)?.is_empty() {
        return Ok(());
    }
    let people = cast(conn, password_hash)?;
    let names = |i: usize| REGULARS.get(i.wrapping_sub(4)).map_or("", |r| r.1);
    write_tx(conn, |conn| {
        let mut boards = Vec::new();
        for (i, (icon, name, description, admin_only)) in BOARDS.iter().enumerate() {
            boards.push(super::boards::service::create(
                conn,
                &super::boards::service::BoardSpec {
                    name: name.to_string(),
                    description: description.to_string(),
                    icon: icon.to_string(),
                    sort_order: i as i32,
                    admin_only: *admin_only,
                    active: true,
                },
            )?);
        }
        for (board, author, title, body, anonymous, hours, said, likers) in POSTS.iter() {
            let at = db::now() - TimeDelta::hours(*hours);
            let id =
                posts::insert(conn, people[*author], &new_post(boards[*board], title, body, *anonymous)?, "[]", at)?;
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
                super::likes::toggle(conn, *liker, super::likes::POST, id, |conn, d| {
                    posts::bump_likes(conn, id, d)?.ok_or(AppError::NotFound)
                })?;
            }
            posts::add_views(conn, id, (*likers * 9 + said.len() * 6 + 4) as i64)?;
            if *board == 0 && *author == 3 {
                posts::set_pinned(conn, id, true)?;
            }
        }
        // The anonymous thread, and its author answering under her pseudonym.
        let (title, body) = ANONYMOUS;
        let author = people[0];
        let id = posts::insert(
            conn,
            author,
            &new_post(boards[5], title, body, true)?,
            "[]",
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
            super::likes::toggle(conn, *liker, super::likes::POST, id, |conn, d| {
                posts::bump_likes(conn, id, d)?.ok_or(AppError::NotFound)
            })?;
        }
        Ok::<_, AppError>(())
    })?;
    super::ranking::refresh(conn)?;
    Ok(())
}
