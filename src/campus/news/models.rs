use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::campus_news;

pub const PUBLISHED: &str = "published";
pub const HIDDEN: &str = "hidden";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Notice,
    Campus,
    Academic,
    Life,
}

impl Category {
    pub const ALL: [Category; 4] = [Category::Notice, Category::Campus, Category::Academic, Category::Life];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Notice => "notice",
            Category::Campus => "campus",
            Category::Academic => "academic",
            Category::Life => "life",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Notice => "通知公告",
            Category::Campus => "校园动态",
            Category::Academic => "学术科研",
            Category::Life => "生活服务",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = campus_news)]
pub struct Article {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub cover: Option<String>,
    pub status: String,
    pub published_at: NaiveDateTime,
}

/// What a list shows of an article.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = campus_news)]
pub struct NewsCard {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub summary: String,
    pub cover: Option<String>,
    pub status: String,
    pub published_at: NaiveDateTime,
}

fn label(category: &str) -> &'static str {
    Category::parse(category).map_or("新闻", Category::label)
}

fn cover_or_default(cover: &Option<String>) -> String {
    cover.clone().unwrap_or_else(|| crate::web::assets::url("img/news.svg").into_owned())
}

impl NewsCard {
    pub fn category_label(&self) -> &'static str {
        label(&self.category)
    }
    pub fn cover_url(&self) -> String {
        cover_or_default(&self.cover)
    }
    /// Published and its time has come.
    pub fn is_live(&self) -> bool {
        self.status == PUBLISHED && self.published_at <= crate::db::now()
    }
}

impl Article {
    pub fn category_label(&self) -> &'static str {
        label(&self.category)
    }
    pub fn cover_url(&self) -> String {
        cover_or_default(&self.cover)
    }
}

/// An article as the editor's form gives it, checked; `body_html` already sanitized.
pub struct ArticleSpec {
    pub category: Category,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub published_at: NaiveDateTime,
    pub status: &'static str,
}

/// The raw editor form.
#[derive(Clone, Debug, Default)]
pub struct ArticleForm {
    pub category: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub published_at: String,
    pub hidden: bool,
}

impl ArticleForm {
    pub fn parse(&self) -> Result<ArticleSpec, String> {
        let category = Category::parse(&self.category).ok_or("请选择栏目")?;
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 60 {
            return Err("标题需为 1–60 个字".into());
        }
        let body_html = super::sanitize::clean(&self.body);
        let text_len = body_html.chars().count();
        if text_len == 0 || text_len > 100_000 {
            return Err("正文不能为空，也不能超过 10 万字".into());
        }
        let summary = match self.summary.trim() {
            "" => plain_text(&body_html).chars().take(80).collect(),
            s if s.chars().count() > 120 => return Err("摘要请控制在 120 字以内".into()),
            s => s.to_string(),
        };
        let published_at = match self.published_at.trim() {
            "" => crate::db::now(),
            raw => crate::web::forms::parse_local(raw).ok_or("发布时间格式应为 2026-12-01 08:00")?,
        };
        Ok(ArticleSpec {
            category,
            title: title.into(),
            summary,
            body_html,
            published_at,
            status: if self.hidden { HIDDEN } else { PUBLISHED },
        })
    }

    pub fn of(a: &Article) -> ArticleForm {
        ArticleForm {
            category: a.category.clone(),
            title: a.title.clone(),
            summary: a.summary.clone(),
            body: a.body_html.clone(),
            published_at: crate::web::forms::local_input(a.published_at),
            hidden: a.status == HIDDEN,
        }
    }
}

/// The words of sanitized HTML, tags dropped (for a summary).
fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}
