//! Chinese names for the audit log's action codes and target kinds, and the names of the things
//! acted on, so back-office pages read "封禁用户 小林同学", never `user.ban user #4`.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{
    activities, campus_news, forum_boards, forum_posts, merchant_applications, moderation_flags, pickup_points,
    product_categories, products, second_hand_items, shops, users,
};
use crate::error::AppResult;

/// The Chinese name of an action code; an unknown code shows as itself rather than vanish.
pub fn action_label(code: &str) -> &str {
    match code {
        "user.login" => "登录",
        "user.register" => "注册账号",
        "user.roles" => "修改角色",
        "user.ban" => "封禁用户",
        "user.admin_roles" => "分配管理角色",
        "user.2fa_enable" => "开启两步验证",
        "user.2fa_disable" => "关闭两步验证",
        "user.2fa_reset" => "重置两步验证",
        "user.2fa_recovery" => "用恢复码登录",
        "user.unban" => "解封用户",
        "user.update_profile" => "修改资料",
        "user.password_change" => "修改密码",
        "user.password_reset" => "重置密码",
        "identity.verify" => "学籍认证",
        "identity.approve" => "通过学籍认证",
        "identity.reject" => "驳回学籍认证",
        "identity.unverify" => "解除学籍认证",
        "privacy.export" => "导出个人数据",
        "privacy.delete" => "注销账号",
        "settings.save" => "修改设置",
        "pickup_point.add" => "新增自提点",
        "pickup_point.enable" => "启用自提点",
        "pickup_point.disable" => "停用自提点",
        "word.add" => "新增敏感词",
        "word.delete" => "删除敏感词",
        "activity.create" => "发布活动",
        "activity.update" => "修改活动",
        "activity.message" => "群发活动通知",
        "feedback.reply" => "回复反馈",
        "forum.board_add" => "新增版块",
        "forum.board_edit" => "修改版块",
        "forum.rules" => "修改论坛规则",
        "forum.reveal_author" => "查看匿名作者",
        "forum.pin" => "置顶帖子",
        "forum.unpin" => "取消置顶",
        "forum.lock" => "锁定帖子",
        "forum.unlock" => "解锁帖子",
        "forum.hide" => "隐藏帖子",
        "forum.unhide" => "恢复帖子",
        "forum.delete" => "删除帖子",
        "forum.move" => "移动帖子",
        "forum.ban" => "禁言作者",
        "forum.comment_hide" => "隐藏评论",
        "forum.comment_delete" => "删除评论",
        "news.save" => "保存新闻",
        "map.image" => "更换地图",
        "map.poi" => "保存地点",
        "map.poi_delete" => "删除地点",
        "merchant.approve" => "通过开店申请",
        "merchant.reject" => "驳回开店申请",
        "shop.suspend" => "暂停店铺",
        "shop.resume" => "恢复店铺",
        "product.takedown" => "下架商品（平台）",
        "product.create" => "上架新商品",
        "product.update" => "编辑商品",
        "product.on" => "上架商品",
        "product.off" => "下架商品",
        "product.stock" => "修改库存",
        "order.ship" => "发货",
        "order.ready" => "备货完成待自提",
        "refund.approve" => "同意退款",
        "refund.reject" => "拒绝退款",
        "refund.retry" => "重试退款",
        "refund.offline" => "线下退款",
        "second_hand.remove" => "下架闲置",
        "second_hand.dismiss" => "驳回闲置举报",
        "moderation.approved" => "审核通过",
        "moderation.hidden" => "审核下架",
        "moderation.banned" => "下架并封禁作者",
        "category.save" => "保存分类",
        "banner.add" => "新增横幅",
        "banner.show" => "展示横幅",
        "banner.hide" => "隐藏横幅",
        "booking.approve" => "批准教室预约",
        "booking.reject" => "驳回教室预约",
        other => other,
    }
}

/// The kinds whose names live in a table (looked up in one query per kind).
pub fn name_table(target_type: &str) -> Option<&'static str> {
    Some(match target_type {
        "user" => "user",
        "product" => "product",
        "shop" => "shop",
        "second_hand_item" => "second_hand_item",
        "forum_post" => "forum_post",
        "forum_board" => "forum_board",
        "activity" => "activity",
        "news" => "news",
        "pickup_point" => "pickup_point",
        "merchant_application" => "merchant_application",
        "moderation_flag" => "moderation_flag",
        "category" => "category",
        _ => return None,
    })
}

pub fn names(conn: &mut DbConn, kind: &str, ids: &[i64]) -> AppResult<Vec<(i64, String)>> {
    let ids = ids.to_vec();
    Ok(match kind {
        "user" => users::table.filter(users::id.eq_any(ids)).select((users::id, users::nickname)).load(conn)?,
        "product" => {
            products::table.filter(products::id.eq_any(ids)).select((products::id, products::name)).load(conn)?
        }
        "shop" => shops::table.filter(shops::id.eq_any(ids)).select((shops::id, shops::name)).load(conn)?,
        "second_hand_item" => second_hand_items::table
            .filter(second_hand_items::id.eq_any(ids))
            .select((second_hand_items::id, second_hand_items::title))
            .load(conn)?,
        "forum_post" => forum_posts::table
            .filter(forum_posts::id.eq_any(ids))
            .select((forum_posts::id, forum_posts::title))
            .load(conn)?,
        "forum_board" => forum_boards::table
            .filter(forum_boards::id.eq_any(ids))
            .select((forum_boards::id, forum_boards::name))
            .load(conn)?,
        "activity" => activities::table
            .filter(activities::id.eq_any(ids))
            .select((activities::id, activities::title))
            .load(conn)?,
        "news" => campus_news::table
            .filter(campus_news::id.eq_any(ids))
            .select((campus_news::id, campus_news::title))
            .load(conn)?,
        "pickup_point" => pickup_points::table
            .filter(pickup_points::id.eq_any(ids))
            .select((pickup_points::id, pickup_points::name))
            .load(conn)?,
        "merchant_application" => merchant_applications::table
            .filter(merchant_applications::id.eq_any(ids))
            .select((merchant_applications::id, merchant_applications::shop_name))
            .load(conn)?,
        "moderation_flag" => moderation_flags::table
            .filter(moderation_flags::id.eq_any(ids))
            .select((moderation_flags::id, moderation_flags::title))
            .load(conn)?,
        "category" => product_categories::table
            .filter(product_categories::id.eq_any(ids))
            .select((product_categories::id, product_categories::name))
            .load(conn)?,
        _ => Vec::new(),
    })
}

/// A name kept in the detail when the thing has none of its own (a word, a banner, an order).
pub fn name_from_detail(target_type: &str, id: &str, detail: &serde_json::Value) -> Option<String> {
    let pick = |k: &str| detail[k].as_str().map(str::to_string);
    match target_type {
        "order" | "refund" => pick("order_no").or_else(|| (!id.is_empty()).then(|| id.to_string())),
        _ => pick("name").or_else(|| pick("word")).or_else(|| pick("title")),
    }
}

/// "商品「保温杯」" and where it leads, for the reader `view`.
pub fn target(target_type: &str, id: &str, name: Option<String>, view: super::View) -> (String, Option<String>) {
    use super::View::{Admin, Shop};
    let kind = match target_type {
        "user" => "用户",
        "product" => "商品",
        "shop" => "店铺",
        "order" => "订单",
        "refund" => "退款",
        "second_hand_item" => "闲置",
        "forum_post" => "帖子",
        "forum_comment" => "评论",
        "forum_board" => "版块",
        "activity" => "活动",
        "news" => "新闻",
        "map" => "校园地图",
        "poi" => "地点",
        "pickup_point" => "自提点",
        "sensitive_word" => "敏感词",
        "settings" => "系统设置",
        "feedback" => "反馈",
        "merchant_application" => "开店申请",
        "moderation_flag" => "审核内容",
        "category" => "分类",
        "banner" => "横幅",
        "classroom_booking" => "教室预约",
        _ => "对象",
    };
    let label = match &name {
        Some(n) => format!("{kind}「{n}」"),
        None if id.is_empty() => kind.to_string(),
        None => format!("{kind} {id}"),
    };
    let link = match (target_type, view) {
        ("user", Admin) => name.as_ref().map(|n| format!("/admin/users?q={}", urlencode(n))),
        ("product", Shop) => Some(format!("/merchant/products/{id}/edit")),
        ("product", Admin) => Some(format!("/mall/products/{id}")),
        ("order", Shop) => Some(format!("/merchant/orders/{id}")),
        ("shop" | "merchant_application", Admin) => Some("/admin/merchants".into()),
        ("second_hand_item", _) => Some(format!("/mall/second-hand/{id}")),
        ("forum_post", _) => Some(format!("/forum/posts/{id}")),
        ("forum_comment", _) => Some(format!("/forum/comments/{id}")),
        ("activity", _) => Some(format!("/activities/{id}")),
        ("news", _) => Some(format!("/campus/news/{id}")),
        ("feedback", Admin) => Some(format!("/admin/feedback/{id}")),
        ("moderation_flag", Admin) => Some("/admin/moderation".into()),
        ("sensitive_word", Admin) => Some("/admin/words".into()),
        ("settings" | "pickup_point", Admin) => Some("/admin/settings".into()),
        ("refund", Admin) => Some("/admin/refunds".into()),
        _ => None,
    };
    (label, link.filter(|_| !id.is_empty() || matches!(target_type, "settings" | "sensitive_word")))
}

/// A short note from an entry's detail: a reason, a stock change, an amount.
pub fn note(detail: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let (Some(from), Some(to)) = (detail["from"].as_i64(), detail["to"].as_i64()) {
        let sku = detail["sku"].as_str().filter(|s| !s.is_empty()).map(|s| format!("{s} ")).unwrap_or_default();
        parts.push(format!("{sku}库存 {from} → {to}"));
    }
    if let Some(c) = detail["amount_cents"].as_i64() {
        parts.push(format!("金额 ¥{}.{:02}", c / 100, c % 100));
    }
    if let Some(c) = detail["courier"].as_str().filter(|s| !s.is_empty()) {
        parts.push(format!("{c} {}", detail["tracking_no"].as_str().unwrap_or("")).trim().to_string());
    }
    if let Some(r) = detail["reason"].as_str().filter(|s| !s.is_empty()) {
        parts.push(format!("原因：{r}"));
    }
    if let Some(n) = detail["note"].as_str().filter(|s| !s.is_empty()) {
        parts.push(n.to_string());
    }
    parts.join("；")
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
