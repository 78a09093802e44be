//! Plain text as the forum shows it, and anonymous names.
//!
//! Posts and comments are plain text: no HTML is ever taken from a user. [`to_html`] escapes
//! everything and links bare `http(s)://` URLs with `rel="nofollow noopener"`; line breaks
//! stay `\n` and the page keeps them with `white-space: pre-wrap`. Its output is the only forum
//! HTML a template marks `|safe`.

use ring::hmac;

/// Characters that end a mention or a URL.
fn ends_word(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | '，'
                | '。'
                | '！'
                | '？'
                | '、'
                | '；'
                | '：'
                | '（'
                | '）'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '《'
                | '》'
                | '【'
                | '】'
                | '@'
                | '<'
                | '>'
                | '"'
                | '\''
        )
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// The length in bytes of the URL starting at `s`, if `s` starts with one. Trailing
/// punctuation stays outside the link (`见 https://a.cn/x。` links `https://a.cn/x`).
fn url_at(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"))?;
    let scheme = s.len() - rest.len();
    let mut end = rest
        .char_indices()
        .find(|(_, c)| ends_word(*c) || !c.is_ascii() || c.is_ascii_control())
        .map_or(rest.len(), |(i, _)| i);
    while end > 0 && rest[..end].ends_with(['.', ',', ':', ';', '!', '?', ')', ']']) {
        end -= 1;
    }
    // A scheme alone is not a link.
    (end > 0).then_some(scheme + end)
}

/// Plain text as safe HTML: escaped, URLs linked.
pub fn to_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut i = 0;
    let mut plain_from = 0;
    while i < text.len() {
        let rest = &text[i..];
        let boundary = i == 0 || text[..i].chars().next_back().is_some_and(|c| !c.is_ascii_alphanumeric());
        if boundary && let Some(len) = url_at(rest) {
            push_escaped(&mut out, &text[plain_from..i]);
            let url = &rest[..len];
            out.push_str("<a href=\"");
            push_escaped(&mut out, url);
            out.push_str("\" rel=\"nofollow noopener\">");
            push_escaped(&mut out, url);
            out.push_str("</a>");
            i += len;
            plain_from = i;
            continue;
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    push_escaped(&mut out, &text[plain_from..]);
    out
}

/// What may be a mention: for each `@` (at most `limit`), every prefix of the word after it, up
/// to 20 characters (a nickname's limit). The longest prefix that is someone's nickname wins,
/// so `@小林同学你好` still finds 小林同学.
pub fn mention_candidates(text: &str, limit: usize) -> Vec<Vec<String>> {
    text.split('@')
        .skip(1)
        .filter_map(|after| {
            let word: String = after.chars().take_while(|c| !ends_word(*c)).take(20).collect();
            if word.is_empty() {
                return None;
            }
            let chars: Vec<char> = word.chars().collect();
            Some((1..=chars.len()).rev().map(|n| chars[..n].iter().collect()).collect())
        })
        .take(limit)
        .collect()
}

/// The first `n` characters of `text` on one line, with `…` when cut.
pub fn excerpt(text: &str, n: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = flat.chars().take(n).collect();
    if flat.chars().count() > n {
        out.push('…');
    }
    out
}

/// Pseudonyms of anonymous writers: `匿名同学#3F2A`, the same for one person throughout one
/// post and different across posts and people. A keyed hash (HMAC-SHA256 with a key derived
/// from the server's secret), so nobody can compute who is behind one from ids.
pub struct Pseudonyms(hmac::Key);

impl Pseudonyms {
    pub fn new(secret: &str) -> Pseudonyms {
        Pseudonyms(hmac::Key::new(hmac::HMAC_SHA256, format!("campus-forum-anonymous\0{secret}").as_bytes()))
    }

    pub fn name(&self, post_id: i64, user_id: i64) -> String {
        let tag = hmac::sign(&self.0, format!("{post_id}:{user_id}").as_bytes());
        let t = tag.as_ref();
        format!("匿名同学#{:02X}{:02X}", t[0], t[1])
    }
}
