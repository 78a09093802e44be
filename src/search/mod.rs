//! Full-text search for Chinese text: an embedded tantivy index under `data/search/`, words cut
//! by jieba, BM25 relevance. Documents are `(kind, id, title, body)` so every module can index
//! its own things (products now, forum posts later). The index only finds candidates: callers
//! load the hits from the database with their own visibility rules, so a stale index can never
//! show something that is off the shelf.

use std::path::Path;
use std::sync::{Mutex, OnceLock};

use jieba_rs::Jieba;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

/// Named after the dictionary: an index written with another one is rebuilt (schema mismatch).
const TOKENIZER: &str = "jieba-common";

/// The segmenter and its dictionary, loaded on first use (a search, or new text to index) and
/// kept for the life of the process. It is most of an idle instance's memory (~35 MB of ~65 MB),
/// so an instance nobody searches on does not pay for it; the first search after a start waits
/// for it once (a few hundred ms).
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(load_dictionary)
}

/// jieba's own default dictionary (`dict.txt` of jieba-rs 0.11, MIT licence) without its rarest
/// words (frequency 3 or less: 199,819 of 349,045 lines, most of them the long tail of compounds),
/// gzipped. The segmenter's memory is mostly this dictionary; a dropped compound is still found,
/// cut the same way (HMM) in the text and in the query.
const DICTIONARY: &[u8] = include_bytes!("jieba_dict.txt.gz");

fn load_dictionary() -> Jieba {
    crate::web::observe::note_memory("segmenter: loading");
    let mut reader = std::io::BufReader::new(flate2::read::GzDecoder::new(DICTIONARY));
    let jieba = Jieba::with_dict(&mut reader).unwrap_or_else(|e| {
        // Cannot happen with the bundled file; searching by whole phrases still works.
        tracing::error!("the word dictionary did not load: {e}");
        Jieba::empty()
    });
    crate::web::observe::note_memory("segmenter: loaded");
    jieba
}

/// The words of `text` as the index sees them: search-mode cut, lower-cased, no punctuation.
pub fn words(text: &str) -> Vec<String> {
    jieba()
        .cut_for_search(text, true)
        .into_iter()
        .map(|t| t.word.trim().to_lowercase())
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect()
}

#[derive(Clone, Default)]
struct JiebaTokenizer;

struct JiebaStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for JiebaStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaStream {
        // jieba reports positions in characters; tantivy wants bytes.
        let byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).chain(std::iter::once(text.len())).collect();
        let tokens = jieba()
            .cut_for_search(text, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .enumerate()
            .map(|(position, t)| Token {
                offset_from: byte_at.get(t.start).copied().unwrap_or(0),
                offset_to: byte_at.get(t.end).copied().unwrap_or(text.len()),
                position,
                text: t.word.trim().to_lowercase(),
                position_length: 1,
            })
            .collect();
        JiebaStream { tokens, index: 0 }
    }
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
}

/// One searchable thing.
pub struct Doc<'a> {
    pub kind: &'a str,
    pub id: i64,
    pub title: &'a str,
    pub body: &'a str,
}

/// Hits of recent queries, valid until the index changes: repeated searches (the common case on
/// a campus) skip segmentation and scoring. Callers still filter hits in the database.
type HitCache = std::collections::HashMap<(String, String, usize), std::sync::Arc<Vec<(i64, f32)>>>;

pub struct SearchIndex {
    dir: std::path::PathBuf,
    /// Bumped whenever the index changes, so callers can key their own caches on it.
    generation: std::sync::atomic::AtomicU64,
    cache: Mutex<HitCache>,
    reader: IndexReader,
    index: Index,
    /// Opened on the first change, not at start: an instance restarted on a current index may
    /// never write, and an open writer holds its threads and buffers (~4 MB).
    writer: Mutex<Option<IndexWriter>>,
    fields: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING),
        id: b.add_i64_field("id", INDEXED | STORED | FAST),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text),
    };
    (b.build(), fields)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the dir) when missing.
    pub fn open(dir: &Path) -> anyhow::Result<SearchIndex> {
        // The segmenter's dictionary (5 MB) loads on first use; load it now, beside the start,
        // so that the first search after a restart does not wait ~0.1 s for it (measured: the
        // first 10 s of search load had a p99 of 37–60 ms, the next ones 11–14 ms).
        std::thread::spawn(|| {
            jieba();
        });
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = match Index::open_or_create(tantivy::directory::MmapDirectory::open(dir)?, schema.clone()) {
            Ok(index) => index,
            Err(e) => {
                // The index is derived data: one from an older schema is rebuilt from the database.
                tracing::warn!(error = %e, "search index unusable; rebuilding it");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::open_or_create(tantivy::directory::MmapDirectory::open(dir)?, schema)?
            }
        };
        index.tokenizers().register(TOKENIZER, JiebaTokenizer);
        crate::web::observe::note_memory("search index: opened");
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        crate::web::observe::note_memory("search index: reader open");
        Ok(SearchIndex {
            dir: dir.to_path_buf(),
            generation: std::sync::atomic::AtomicU64::new(0),
            cache: Mutex::new(HitCache::new()),
            reader,
            index,
            writer: Mutex::new(None),
            fields,
        })
    }

    /// How far the index of `kind` has caught up with the database (an `updated_at`).
    pub fn watermark(&self, kind: &str) -> Option<chrono::NaiveDateTime> {
        let text = std::fs::read_to_string(self.dir.join(format!("watermark-{kind}"))).ok()?;
        chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()
    }

    pub fn set_watermark(&self, kind: &str, at: chrono::NaiveDateTime) -> anyhow::Result<()> {
        std::fs::write(self.dir.join(format!("watermark-{kind}")), at.format("%Y-%m-%d %H:%M:%S%.6f").to_string())?;
        Ok(())
    }

    fn key(kind: &str, id: i64) -> String {
        format!("{kind}:{id}")
    }

    fn with_writer<T>(&self, f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>) -> anyhow::Result<T> {
        let mut writer = self.writer.lock().map_err(|_| anyhow::anyhow!("search writer poisoned"))?;
        let writer = match &mut *writer {
            Some(w) => w,
            // tantivy's smallest budget (15 MB a thread), one indexing thread: the documents are
            // short and arrive a few at a time.
            empty => empty.insert(self.index.writer_with_num_threads(1, 15_000_000)?),
        };
        Ok(f(writer)?)
    }

    /// Adds or replaces documents and removes others, then makes it all visible.
    pub fn apply(&self, upserts: &[Doc], removals: &[(&str, i64)]) -> anyhow::Result<()> {
        let f = self.fields;
        self.with_writer(|w| {
            for (kind, id) in removals {
                w.delete_term(Term::from_field_text(f.key, &Self::key(kind, *id)));
            }
            for d in upserts {
                w.delete_term(Term::from_field_text(f.key, &Self::key(d.kind, d.id)));
                w.add_document(doc!(
                    f.key => Self::key(d.kind, d.id),
                    f.kind => d.kind,
                    f.id => d.id,
                    f.title => d.title,
                    f.body => d.body,
                ))?;
            }
            w.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        self.forget();
        Ok(())
    }

    fn forget(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::Release);
        if let Ok(mut cache) = self.cache.lock() {
            cache.clear();
        }
    }

    /// Changes whenever the documents do.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Empties the index of one kind of document (before a rebuild).
    pub fn clear(&self, kind: &str) -> anyhow::Result<()> {
        let f = self.fields;
        self.with_writer(|w| {
            w.delete_term(Term::from_field_text(f.kind, kind));
            w.commit()?;
            Ok(())
        })?;
        self.reader.reload()?;
        self.forget();
        let _ = std::fs::remove_file(self.dir.join(format!("watermark-{kind}")));
        Ok(())
    }

    /// The best `limit` ids of `kind` for `query`, with scores; titles count three times.
    pub fn search(&self, kind: &str, query: &str, limit: usize) -> anyhow::Result<std::sync::Arc<Vec<(i64, f32)>>> {
        let key = (kind.to_string(), query.to_string(), limit);
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(hit);
        }
        let hits = std::sync::Arc::new(self.search_uncached(kind, query, limit)?);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= 2048 {
                cache.clear();
            }
            cache.insert(key, hits.clone());
        }
        Ok(hits)
    }

    fn search_uncached(&self, kind: &str, query: &str, limit: usize) -> anyhow::Result<Vec<(i64, f32)>> {
        let f = self.fields;
        let mut terms = words(query);
        terms.sort();
        terms.dedup();
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for w in &terms {
            let title = TermQuery::new(Term::from_field_text(f.title, w), IndexRecordOption::WithFreqs);
            let body = TermQuery::new(Term::from_field_text(f.body, w), IndexRecordOption::WithFreqs);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(title), 3.0))));
            should.push((Occur::Should, Box::new(body)));
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.kind, kind), IndexRecordOption::Basic))),
            (Occur::Must, Box::new(BooleanQuery::new(should))),
        ]);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        // Ids come from the fast-field column: no stored document is decompressed.
        let mut columns = std::collections::HashMap::new();
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let column = match columns.entry(address.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(searcher.segment_reader(address.segment_ord).fast_fields().i64("id")?)
                }
            };
            if let Some(id) = column.first(address.doc_id) {
                hits.push((id, score));
            }
        }
        Ok(hits)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// A short piece of `text` around the first match, at most `width` characters.
pub fn snippet(text: &str, terms: &[String], width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|c| fold(*c)).collect();
    let terms = term_chars(terms);
    let first = terms.iter().filter_map(|t| find(&folded, t)).min().unwrap_or(0);
    let start = first.saturating_sub(width / 3);
    let end = (start + width).min(chars.len());
    let mut out = String::with_capacity(text.len().min(width * 4) + 32);
    if start > 0 {
        out.push('…');
    }
    mark_into(&mut out, &chars[start..end], &folded[start..end], &terms);
    if end < chars.len() {
        out.push('…');
    }
    out
}

/// `text` as HTML with every occurrence of `terms` wrapped in `<mark>`; everything escaped.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let folded: Vec<char> = chars.iter().map(|c| fold(*c)).collect();
    let mut out = String::with_capacity(text.len() + 32);
    mark_into(&mut out, &chars, &folded, &term_chars(terms));
    out
}

/// A character as matching compares it: lower case where that is one character (Chinese has
/// no case and skips the table lookup, which was a visible part of a search page).
fn fold(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if ('\u{2E80}'..='\u{9FFF}').contains(&c) || ('\u{FF00}'..='\u{FFEF}').contains(&c) {
        return c;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn term_chars(terms: &[String]) -> Vec<Vec<char>> {
    terms.iter().map(|t| t.chars().map(fold).collect::<Vec<char>>()).filter(|t| !t.is_empty()).collect()
}

fn find(hay: &[char], needle: &[char]) -> Option<usize> {
    (needle.len() <= hay.len()).then(|| hay.windows(needle.len()).position(|w| w == needle)).flatten()
}

/// Writes `chars` escaped, the runs where `folded` matches a term inside `<mark>`.
fn mark_into(out: &mut String, chars: &[char], folded: &[char], terms: &[Vec<char>]) {
    let mut marked = vec![false; chars.len()];
    for t in terms.iter().filter(|t| t.len() <= folded.len()) {
        for start in 0..=folded.len() - t.len() {
            if folded[start..start + t.len()] == t[..] {
                marked[start..start + t.len()].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    let mut open = false;
    for (c, m) in chars.iter().zip(&marked) {
        if *m && !open {
            out.push_str("<mark>");
            open = true;
        } else if !*m && open {
            out.push_str("</mark>");
            open = false;
        }
        push_escaped(out, *c);
    }
    if open {
        out.push_str("</mark>");
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}
