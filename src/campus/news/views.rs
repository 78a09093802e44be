use askama::Template;

use super::models::{Article, ArticleForm, Category, NewsCard};
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "campus/news.html")]
pub struct NewsView {
    pub page: Page,
    pub category: String,
    pub cards: Vec<NewsCard>,
    pub more_url: Option<String>,
}

impl NewsView {
    pub fn categories(&self) -> [Category; 4] {
        Category::ALL
    }
}

#[derive(Template)]
#[template(path = "campus/_news_cards.html")]
pub struct NewsCards {
    pub cards: Vec<NewsCard>,
    pub more_url: Option<String>,
}

#[derive(Template)]
#[template(path = "campus/article.html")]
pub struct ArticleView {
    pub page: Page,
    pub a: Article,
}

#[derive(Template)]
#[template(path = "campus/admin_news.html")]
pub struct AdminNewsView {
    pub page: Page,
    pub cards: Vec<NewsCard>,
}

#[derive(Template)]
#[template(path = "campus/admin_article.html")]
pub struct EditArticleView {
    pub page: Page,
    pub id: Option<i64>,
    pub form: ArticleForm,
    pub cover: Option<String>,
    pub error: Option<String>,
}

impl EditArticleView {
    pub fn categories(&self) -> [Category; 4] {
        Category::ALL
    }

    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/admin/news/{id}/edit"),
            None => "/admin/news/new".into(),
        }
    }
}
