//! PDF downloads of text in Chinese: a small PDF writer of our own (A4 pages of positioned text
//! lines in one font) that embeds a subset of a TrueType font, so a transcript prints and its
//! text copies out right in any viewer, without a PDF crate.
//!
//! The font is a Type0 font over a CIDFontType2 (TrueType outlines, `FontFile2`) with the
//! Identity-H encoding: each shown character is a two-byte glyph id of the subset (CID = glyph id,
//! `CIDToGIDMap /Identity`), and a ToUnicode CMap maps every glyph back to its character, which is
//! what copy and `pdftotext` read. The subset keeps only the glyphs the document uses (and the
//! parts of composite glyphs), renumbered from 1, with the tables a TrueType rasteriser needs
//! (`head hhea maxp hmtx loca glyf`, and the hinting tables `cvt fpgm prep` as they are). A
//! `.ttc` collection names its font by index. CFF-flavoured fonts (`.otf`) are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use crate::error::{AppError, AppResult};

pub const CONTENT_TYPE: &str = "application/pdf";

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.0;
pub const PAGE_HEIGHT: f32 = 842.0;

/// Why a font cannot be used; the message is for the operator (and the page that says so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontError(pub String);

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn bad(what: &str) -> FontError {
    FontError(format!("字体文件无法读取：{what}"))
}

fn u16_at(d: &[u8], at: usize) -> Result<u16, FontError> {
    d.get(at..at + 2).map(|b| u16::from_be_bytes([b[0], b[1]])).ok_or_else(|| bad("数据被截断"))
}

fn i16_at(d: &[u8], at: usize) -> Result<i16, FontError> {
    u16_at(d, at).map(|v| v as i16)
}

fn u32_at(d: &[u8], at: usize) -> Result<u32, FontError> {
    d.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok_or_else(|| bad("数据被截断"))
}

/// One TrueType font inside a file (a `.ttf`, or one face of a `.ttc`).
pub struct Font<'a> {
    data: &'a [u8],
    tables: BTreeMap<[u8; 4], (usize, usize)>,
    units_per_em: u16,
    num_glyphs: u16,
    long_loca: bool,
    num_hmetrics: u16,
    /// The Unicode cmap subtable: (offset, format).
    cmap: (usize, u16),
    pub family: String,
}

impl<'a> Font<'a> {
    /// Parses face `index` of `data` (index 0 of a plain `.ttf`).
    pub fn parse(data: &'a [u8], index: u32) -> Result<Font<'a>, FontError> {
        let mut start = 0usize;
        if data.get(0..4) == Some(b"ttcf") {
            let count = u32_at(data, 8)?;
            if index >= count {
                return Err(FontError(format!("字体集只有 {count} 个字体，没有第 {index} 个")));
            }
            start = u32_at(data, 12 + 4 * index as usize)? as usize;
        }
        let version = u32_at(data, start)?;
        if version == 0x4F54_544F {
            return Err(FontError("字体是 CFF 轮廓（OpenType .otf），请改用 TrueType 字体（.ttf/.ttc）".into()));
        }
        if version != 0x0001_0000 && version != 0x7472_7565 {
            return Err(bad("不是 TrueType 字体"));
        }
        let count = u16_at(data, start + 4)? as usize;
        let mut tables = BTreeMap::new();
        for i in 0..count {
            let rec = start + 12 + 16 * i;
            let tag: [u8; 4] = data.get(rec..rec + 4).and_then(|t| t.try_into().ok()).ok_or_else(|| bad("表目录"))?;
            let (off, len) = (u32_at(data, rec + 8)? as usize, u32_at(data, rec + 12)? as usize);
            if data.len() < off.saturating_add(len) {
                return Err(bad("表越界"));
            }
            tables.insert(tag, (off, len));
        }
        for need in [b"head", b"hhea", b"maxp", b"hmtx", b"loca", b"glyf", b"cmap"] {
            if !tables.contains_key(need) {
                return Err(bad(&format!("缺少 {} 表", String::from_utf8_lossy(need))));
            }
        }
        let head = tables[b"head"].0;
        let cmap_at = tables[b"cmap"].0;
        let mut cmap = None;
        for i in 0..u16_at(data, cmap_at + 2)? as usize {
            let rec = cmap_at + 4 + 8 * i;
            let (platform, encoding) = (u16_at(data, rec)?, u16_at(data, rec + 2)?);
            let sub = cmap_at + u32_at(data, rec + 4)? as usize;
            let format = u16_at(data, sub)?;
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
            if unicode && (format == 12 || (format == 4 && cmap.is_none_or(|(_, f)| f != 12))) {
                cmap = Some((sub, format));
            }
        }
        let mut font = Font {
            data,
            units_per_em: u16_at(data, head + 18)?.max(16),
            long_loca: i16_at(data, head + 50)? == 1,
            num_glyphs: u16_at(data, tables[b"maxp"].0 + 4)?,
            num_hmetrics: u16_at(data, tables[b"hhea"].0 + 34)?,
            cmap: cmap.ok_or_else(|| bad("没有 Unicode 字符映射"))?,
            tables,
            family: String::new(),
        };
        font.family = font.family_name();
        Ok(font)
    }

    fn table(&self, tag: &[u8; 4]) -> &'a [u8] {
        self.tables.get(tag).map_or(&[][..], |&(o, l)| &self.data[o..o + l])
    }

    /// The family name (name id 1, Windows Unicode) with only ASCII letters and digits, for
    /// `/BaseFont`; a font named only in Chinese is `CJKFont`.
    fn family_name(&self) -> String {
        let name = self.table(b"name");
        let (Ok(count), Ok(strings)) = (u16_at(name, 2), u16_at(name, 4)) else { return "CJKFont".into() };
        for i in 0..count as usize {
            let rec = 6 + 12 * i;
            let (Ok(3), Ok(1), Ok(len), Ok(off)) =
                (u16_at(name, rec), u16_at(name, rec + 6), u16_at(name, rec + 8), u16_at(name, rec + 10))
            else {
                continue;
            };
            let at = strings as usize + off as usize;
            let Some(bytes) = name.get(at..at + len as usize) else { continue };
            let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            let clean: String = String::from_utf16_lossy(&units).chars().filter(char::is_ascii_alphanumeric).collect();
            if !clean.is_empty() {
                return clean;
            }
        }
        "CJKFont".into()
    }

    /// The glyph of `c`, 0 (.notdef) when the font has none.
    pub fn glyph(&self, c: char) -> u16 {
        self.lookup(c as u32).unwrap_or(0)
    }

    fn lookup(&self, cp: u32) -> Result<u16, FontError> {
        let d = self.data;
        let (sub, format) = self.cmap;
        if format == 12 {
            let groups = u32_at(d, sub + 12)? as usize;
            let (mut lo, mut hi) = (0usize, groups);
            while lo < hi {
                let mid = (lo + hi) / 2;
                let g = sub + 16 + 12 * mid;
                let (start, end) = (u32_at(d, g)?, u32_at(d, g + 4)?);
                if cp < start {
                    hi = mid;
                } else if cp > end {
                    lo = mid + 1;
                } else {
                    return Ok(u16::try_from(u32_at(d, g + 8)? + (cp - start)).unwrap_or(0));
                }
            }
            return Ok(0);
        }
        if cp > 0xFFFF {
            return Ok(0);
        }
        let segs = u16_at(d, sub + 6)? as usize / 2;
        let ends = sub + 14;
        let starts = ends + 2 * segs + 2;
        let deltas = starts + 2 * segs;
        let ranges = deltas + 2 * segs;
        for i in 0..segs {
            if cp > u16_at(d, ends + 2 * i)? as u32 {
                continue;
            }
            let start = u16_at(d, starts + 2 * i)? as u32;
            if cp < start {
                return Ok(0);
            }
            let delta = u16_at(d, deltas + 2 * i)?;
            let range = u16_at(d, ranges + 2 * i)? as usize;
            if range == 0 {
                return Ok((cp as u16).wrapping_add(delta));
            }
            let at = ranges + 2 * i + range + 2 * (cp - start) as usize;
            let g = u16_at(d, at)?;
            return Ok(if g == 0 { 0 } else { g.wrapping_add(delta) });
        }
        Ok(0)
    }

    fn glyph_range(&self, gid: u16) -> Result<(usize, usize), FontError> {
        let loca = self.table(b"loca");
        let g = gid as usize;
        let (a, b) = if self.long_loca {
            (u32_at(loca, 4 * g)? as usize, u32_at(loca, 4 * g + 4)? as usize)
        } else {
            (u16_at(loca, 2 * g)? as usize * 2, u16_at(loca, 2 * g + 2)? as usize * 2)
        };
        if b < a || b > self.table(b"glyf").len() {
            return Err(bad("字形位置无效"));
        }
        Ok((a, b))
    }

    /// The component glyphs of a composite glyph: (offset of the index inside the glyph, glyph).
    fn components(&self, gid: u16) -> Result<Vec<(usize, u16)>, FontError> {
        let (a, b) = self.glyph_range(gid)?;
        let g = &self.table(b"glyf")[a..b];
        if g.len() < 10 || i16_at(g, 0)? >= 0 {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut at = 10;
        loop {
            let flags = u16_at(g, at)?;
            out.push((at + 2, u16_at(g, at + 2)?));
            at += 4 + if flags & 0x0001 != 0 { 4 } else { 2 };
            at += if flags & 0x0008 != 0 {
                2
            } else if flags & 0x0040 != 0 {
                4
            } else if flags & 0x0080 != 0 {
                8
            } else {
                0
            };
            if flags & 0x0020 == 0 {
                return Ok(out);
            }
        }
    }

    fn advance(&self, gid: u16) -> Result<(u16, i16), FontError> {
        let hmtx = self.table(b"hmtx");
        let n = self.num_hmetrics.max(1) as usize;
        let g = gid as usize;
        if g < n {
            Ok((u16_at(hmtx, 4 * g)?, i16_at(hmtx, 4 * g + 2)?))
        } else {
            Ok((u16_at(hmtx, 4 * (n - 1))?, i16_at(hmtx, 4 * n + 2 * (g - n)).unwrap_or(0)))
        }
    }
}

/// A font cut down to the glyphs of some text, renumbered from 0 (.notdef) in the old order.
pub struct Subset {
    /// The TrueType file of the subset.
    pub file: Vec<u8>,
    /// Old glyph id → new glyph id (= CID).
    old_to_new: BTreeMap<u16, u16>,
    /// Per new glyph: advance in 1/1000 em.
    widths: Vec<u32>,
    /// New glyph → the character it shows (for ToUnicode).
    chars: BTreeMap<u16, char>,
    bbox: [i32; 4],
    ascent: i32,
    descent: i32,
    family: String,
}

impl Subset {
    /// The subset of `font` for every character of `text`.
    pub fn of(font: &Font, text: &str) -> Result<Subset, FontError> {
        let mut by_char: BTreeMap<char, u16> = BTreeMap::new();
        for c in text.chars().filter(|c| !c.is_control()) {
            by_char.entry(c).or_insert_with(|| font.glyph(c));
        }
        // .notdef, each used glyph and every glyph its composites are made of.
        let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
        let mut todo: Vec<u16> = by_char.values().copied().collect();
        while let Some(g) = todo.pop() {
            if g < font.num_glyphs && keep.insert(g) {
                todo.extend(font.components(g)?.into_iter().map(|(_, c)| c));
            }
        }
        let old_to_new: BTreeMap<u16, u16> = keep.iter().enumerate().map(|(i, &g)| (g, i as u16)).collect();
        let glyf_src = font.table(b"glyf");
        let (mut glyf, mut loca, mut hmtx, mut widths) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let scale = 1000.0 / f32::from(font.units_per_em);
        for &old in &keep {
            let (a, b) = font.glyph_range(old)?;
            loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
            let mut bytes = glyf_src[a..b].to_vec();
            for (at, component) in font.components(old)? {
                let new = old_to_new.get(&component).copied().unwrap_or(0);
                bytes[at..at + 2].copy_from_slice(&new.to_be_bytes());
            }
            glyf.extend_from_slice(&bytes);
            while glyf.len() % 4 != 0 {
                glyf.push(0);
            }
            let (adv, lsb) = font.advance(old)?;
            hmtx.extend_from_slice(&adv.to_be_bytes());
            hmtx.extend_from_slice(&lsb.to_be_bytes());
            widths.push((f32::from(adv) * scale).round() as u32);
        }
        loca.extend_from_slice(&(glyf.len() as u32).to_be_bytes());
        let n = keep.len() as u16;
        let mut head = font.table(b"head").to_vec();
        let mut hhea = font.table(b"hhea").to_vec();
        let mut maxp = font.table(b"maxp").to_vec();
        if head.len() < 54 || hhea.len() < 36 || maxp.len() < 6 {
            return Err(bad("表太短"));
        }
        // checkSumAdjustment left 0 (no viewer checks it); long loca offsets.
        head[8..12].copy_from_slice(&[0; 4]);
        head[50..52].copy_from_slice(&1i16.to_be_bytes());
        hhea[34..36].copy_from_slice(&n.to_be_bytes());
        maxp[4..6].copy_from_slice(&n.to_be_bytes());
        let s = |v: i16| (f32::from(v) * scale).round() as i32;
        let bbox = [s(i16_at(&head, 36)?), s(i16_at(&head, 38)?), s(i16_at(&head, 40)?), s(i16_at(&head, 42)?)];
        let (ascent, descent) = (s(i16_at(&hhea, 4)?), s(i16_at(&hhea, 6)?));
        let mut tables: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"glyf", glyf),
            (*b"head", head),
            (*b"hhea", hhea),
            (*b"hmtx", hmtx),
            (*b"loca", loca),
            (*b"maxp", maxp),
        ];
        for tag in [b"cvt ", b"fpgm", b"prep"] {
            if font.tables.contains_key(tag) {
                tables.push((*tag, font.table(tag).to_vec()));
            }
        }
        tables.sort_by_key(|(tag, _)| *tag);
        let chars =
            by_char.iter().filter_map(|(&c, g)| old_to_new.get(g).filter(|&&n| n != 0).map(|&n| (n, c))).collect();
        Ok(Subset {
            file: sfnt(&tables),
            old_to_new,
            widths,
            chars,
            bbox,
            ascent,
            descent,
            family: font.family.clone(),
        })
    }

    /// `text` as the hex string of its glyph ids, for `Tj`.
    fn encode(&self, font: &Font, text: &str) -> String {
        let mut hex = String::with_capacity(text.len() * 4 + 2);
        hex.push('<');
        for c in text.chars().filter(|c| !c.is_control()) {
            let new = self.old_to_new.get(&font.glyph(c)).copied().unwrap_or(0);
            hex.push_str(&format!("{new:04X}"));
        }
        hex.push('>');
        hex
    }

    /// The ToUnicode CMap: glyph → character.
    fn to_unicode(&self) -> String {
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let pairs: Vec<(&u16, &char)> = self.chars.iter().collect();
        for chunk in pairs.chunks(100) {
            out.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (g, c) in chunk {
                let mut units = [0u16; 2];
                let hex: String = c.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
                out.push_str(&format!("<{g:04X}> <{hex}>\n"));
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out
    }
}

/// An sfnt file of `tables` (sorted by tag).
fn sfnt(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow * 2 <= n {
        pow *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    for v in [n, pow * 16, log, n * 16 - pow * 16] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, data) in tables {
        let mut padded = data.clone();
        while padded.len() % 4 != 0 {
            padded.push(0);
        }
        let sum =
            padded.chunks_exact(4).fold(0u32, |s, c| s.wrapping_add(u32::from_be_bytes([c[0], c[1], c[2], c[3]])));
        out.extend_from_slice(tag);
        out.extend_from_slice(&sum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += padded.len();
        body.extend_from_slice(&padded);
    }
    out.extend_from_slice(&body);
    out
}

/// A piece of text at a place on a page: `x`, `y` from the bottom left, in points.
#[derive(Clone, Debug)]
pub struct Text {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
}

/// A horizontal rule at height `y` from `x1` to `x2`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub x1: f32,
    pub x2: f32,
    pub y: f32,
}

#[derive(Default, Clone, Debug)]
pub struct Page {
    pub texts: Vec<Text>,
    pub rules: Vec<Rule>,
}

fn deflate(data: &[u8]) -> AppResult<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).map_err(AppError::internal)?;
    z.finish().map_err(AppError::internal)
}

/// A PDF of A4 `pages` in one font (face `index` of the font file `font_data`), titled `title`.
pub fn document(font_data: &[u8], index: u32, title: &str, pages: &[Page]) -> Result<Vec<u8>, FontError> {
    let font = Font::parse(font_data, index)?;
    let all: String = pages.iter().flat_map(|p| p.texts.iter().map(|t| t.text.as_str())).collect();
    let subset = Subset::of(&font, &all)?;
    let internal = |e: AppError| FontError(format!("{e:?}"));
    // Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CIDFont, 5 descriptor, 6 font file,
    // 7 ToUnicode, 8 info, then per page: the page and its content.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let first_page = 9;
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", first_page + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    // A subset's name starts with six capital letters and a plus.
    let base = format!("CAMPUS+{}", subset.family);
    objects.push(
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
        )
        .into_bytes(),
    );
    let widths: Vec<String> = subset.widths.iter().map(u32::to_string).collect();
    objects.push(
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /W [0 [{}]] /CIDToGIDMap /Identity >>",
            widths.join(" ")
        )
        .into_bytes(),
    );
    let [x0, y0, x1, y1] = subset.bbox;
    objects.push(
        format!(
            "<< /Type /FontDescriptor /FontName /{base} /Flags 4 /FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV 80 /FontFile2 6 0 R >>",
            subset.ascent, subset.descent, subset.ascent
        )
        .into_bytes(),
    );
    objects.push(stream(&format!("/Length1 {}", subset.file.len()), &deflate(&subset.file).map_err(internal)?));
    objects.push(stream("", &deflate(subset.to_unicode().as_bytes()).map_err(internal)?));
    objects.push(format!("<< /Title {} /Producer (campus) >>", utf16_string(title)).into_bytes());
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                first_page + 2 * i + 1
            )
            .into_bytes(),
        );
        let mut content = String::new();
        for r in &page.rules {
            content.push_str(&format!("0.5 w {:.1} {:.1} m {:.1} {:.1} l S\n", r.x1, r.y, r.x2, r.y));
        }
        for t in &page.texts {
            content.push_str(&format!(
                "BT /F1 {:.1} Tf {:.1} {:.1} Td {} Tj ET\n",
                t.size,
                t.x,
                t.y,
                subset.encode(&font, &t.text)
            ));
        }
        objects.push(stream("", &deflate(content.as_bytes()).map_err(internal)?));
    }
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    Ok(out)
}

fn stream(extra: &str, compressed: &[u8]) -> Vec<u8> {
    let mut out = format!("<< /Length {} /Filter /FlateDecode {extra} >>\nstream\n", compressed.len()).into_bytes();
    out.extend_from_slice(compressed);
    out.extend_from_slice(b"\nendstream");
    out
}

/// A PDF text string in UTF-16BE with its byte-order mark, as hex.
fn utf16_string(s: &str) -> String {
    let hex: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
    format!("<FEFF{hex}>")
}

/// The font file to use: `configured` when set, else the first of the usual places of a CJK
/// TrueType font that exists. `None` when there is none.
pub fn find_font(configured: Option<&std::path::Path>) -> Option<std::path::PathBuf> {
    if let Some(path) = configured {
        return path.is_file().then(|| path.to_path_buf());
    }
    DEFAULT_FONTS.iter().map(std::path::PathBuf::from).find(|p| p.is_file())
}

/// Where Debian and the common distributions put TrueType-outline CJK fonts.
pub const DEFAULT_FONTS: [&str; 5] = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
];
