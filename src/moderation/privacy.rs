//! The moderation queue's part of the personal-data registry (`crate::privacy`): a closed
//! account's queue entries stay for the admins' record but no longer name their author.

use diesel::prelude::*;

use crate::db::schema::moderation_flags;
use crate::privacy::{Export, Forget, Part};

pub fn part() -> Part {
    Part::new("moderation")
        .table(
            "moderation_flags",
            Export::Not("管理员的审核记录：内容本身已在帖子、商品等各项中导出"),
            Forget::Anonymise("审核记录保留给管理员，不再指向你的账号，也不再摘录你写的内容"),
        )
        .forget(|conn, who, _, out| {
            let n = diesel::update(moderation_flags::table.filter(moderation_flags::author_id.eq(who.user_id)))
                .set((moderation_flags::author_id.eq(None::<i64>), moderation_flags::excerpt.eq("")))
                .execute(conn)?;
            out.count("moderation_flags_anonymised", n);
            Ok(())
        })
}
