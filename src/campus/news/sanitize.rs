//! The one door article HTML passes on its way in: what ammonia leaves of it. Only formatting
//! tags, links (http, https or our own paths, opened with `noopener`) and images served from our
//! own `/media/`; no scripts, styles, event handlers, frames or forms.

use std::borrow::Cow;
use std::collections::HashSet;

const TAGS: &[&str] = &[
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "figure",
    "figcaption",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "pre",
    "code",
];

/// Whether `src` is one of our own uploaded images.
fn own_image(src: &str) -> bool {
    src.starts_with("/media/") && !src.contains("..") && !src.contains("//") && !src.contains('\\')
}

pub fn clean(html: &str) -> String {
    ammonia::Builder::default()
        .tags(TAGS.iter().copied().collect::<HashSet<_>>())
        .tag_attributes(
            [("a", ["href", "title"].into_iter().collect()), ("img", ["src", "alt"].into_iter().collect())]
                .into_iter()
                .collect(),
        )
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer nofollow"))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if !own_image(value) => None,
            ("a", "href") if value.starts_with("//") => None,
            _ => Some(Cow::Borrowed(value)),
        })
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn scripts_handlers_and_foreign_images_are_dropped() {
        let out = clean(
            "<h2 onclick=\"x()\">标题</h2><script>alert(1)</script><img src=\"https://evil.example/a.png\">\
             <img src=\"/media/news/a.jpg\" onerror=\"x()\"><a href=\"javascript:alert(1)\">链接</a>\
             <p style=\"color:red\">正文</p><iframe src=\"/x\"></iframe>",
        );
        assert_eq!(
            out,
            "<h2>标题</h2><img><img src=\"/media/news/a.jpg\"><a rel=\"noopener noreferrer nofollow\">链接</a><p>正文</p>"
        );
    }
}
