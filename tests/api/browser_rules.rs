//! The four rules of a student's phone page (STYLE.md, "Templates and pages"), checked in the
//! browser on every page a journey opens: every tap target at least 44×44 px, nothing a thumb
//! needs hidden under the sticky bars, no English in the interface (a browser file picker
//! included), and a question before every irreversible step. The back office gets the last one.
//!
//! Every page, phone or back office, is also read by axe-core (the npm package pinned in
//! `tests/browser/package.json`, installed by `.ci/run`) in light and in dark mode: a serious or
//! critical violation, a page without exactly one `<h1>` or with skipped heading levels fails the
//! journey. The dark-mode picture is kept beside the light one (`<shot>-dark.png`).

use serde_json::{Value, json};

use crate::browser::Driver;

pub fn js(d: &Driver, script: &str) -> Value {
    d.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
}

/// Words of demo data (product names, units) that are not interface text.
const DATA_WORDS: &[&str] = &[
    "ml", "mAh", "USB", "Type", "PD", "LED", "TWS", "Pro", "Max", "Mini", "KB", "GB", "TB", "Li", "Ning", "iPhone",
    "Android", "Wi", "Fi", "JPG", "PNG", "CSV", "XLSX", "JSON", "MB", "QQ", "ID", "APP", "App", "VIP", "TEL", "OK",
    "AA", "AAA", // What the demo forum's regulars wrote and are called.
    "Leo", "HR", "PDF", "AirPods", // Course names of the academic sample files.
    "Web",
];

const SCRIPT: &str = r#"
const BARS = '.tabbar, .buy-bar, .checkout-bar, .chat-form, .comment-form';
const TAPS = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
const IRREVERSIBLE = /\/(cancel|confirm|refund|delete|remove|sold|down|ban|ban-author|takedown|hide|offline|everywhere|reject)(\?|$)|\/pay\/mock\/|\/refunds\/\d+\/approve/;
const name = el => (el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + (el.innerText || el.value || el.placeholder || '').trim().slice(0, 16) + '"');
const shown = el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && r.right > 0 && r.left < document.documentElement.scrollWidth
    && (!el.checkVisibility || el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })); };
// What a thumb hits: a field's label or WeUI cell when it wraps the field.
const area = el => (el.matches('input, select, textarea') && el.closest('label, .weui-cell_select')) || el;
const out = { small: [], covered: [], english: [], unconfirmed: [] };
const targets = [...document.querySelectorAll(TAPS)].filter(el => {
  if (!shown(el) && !(el.matches('input') && el.closest('label') && shown(el.closest('label')))) return false;
  if (el.matches('a') && getComputedStyle(el).display === 'inline') return false; // a link inside a sentence
  if (el.matches('input[type=file]')) return false; // its picker box is measured instead
  return true;
});
for (const el of targets) {
  const r = area(el).getBoundingClientRect();
  if (r.width < 43.5 || r.height < 43.5) out.small.push(name(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
}
for (const el of targets) {
  if (el.closest(BARS) || getComputedStyle(el).position === 'fixed') continue;
  const box = area(el);
  if (!shown(box)) continue;
  box.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  const r = box.getBoundingClientRect();
  if (r.height > innerHeight - 120) continue;
  const x = Math.min(Math.max(r.left + r.width / 2, 1), innerWidth - 1), y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (hit && !box.contains(hit) && !hit.contains(box) && hit.closest(BARS)) out.covered.push(name(el) + ' under ' + name(hit.closest(BARS)));
}
window.scrollTo(0, 0);
const texts = [document.body.innerText];
for (const el of document.querySelectorAll('[placeholder],[aria-label],[title],input[type=submit],input[type=button]'))
  texts.push(el.getAttribute('placeholder') || '', el.getAttribute('aria-label') || '', el.getAttribute('title') || '', el.matches('input[type=submit],input[type=button]') ? el.value : '');
texts.push(document.title);
// Words standing alone: not parts of order numbers or sizes (SF100200, 0.5mm), not addresses.
const words = texts.join(' ').replace(/\S+@\S+/g, ' ').match(/(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])/g) || [];
// Codes people copy or type (a check-in code) are data, not interface text.
const codes = [...document.querySelectorAll('[data-not-words]')].map(e => e.innerText).join(' ');
for (const w of words) if (!DATA.includes(w) && !codes.includes(w) && !out.english.includes(w)) out.english.push(w);
for (const f of document.querySelectorAll('input[type=file]'))
  if (shown(f) && parseFloat(getComputedStyle(f).opacity) > 0) out.english.push('browser file picker ' + name(f));
for (const f of document.querySelectorAll('form[method=post], form[method=POST]')) {
  const actions = [f.getAttribute('action') || ''].concat([...f.querySelectorAll('[formaction]')].map(b => b.getAttribute('formaction')));
  if (!actions.some(a => IRREVERSIBLE.test(a.split('?')[0]) || IRREVERSIBLE.test(a))) continue;
  const asks = f.matches('[data-confirm],[hx-confirm]') || f.querySelector('[data-confirm],[hx-confirm]') || f.closest('details.confirm');
  if (!asks) out.unconfirmed.push(actions[0]);
}
for (const el of document.querySelectorAll('[hx-post]:not(form)'))
  if (IRREVERSIBLE.test(el.getAttribute('hx-post')) && !el.closest('[hx-confirm],[data-confirm]')) out.unconfirmed.push(el.getAttribute('hx-post'));
return out;
"#;

thread_local! {
    static PROBLEMS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Checks the open page against the phone rules; `what` names it in the report. Problems are
/// collected so one run lists every page's; [`assert_no_problems`] ends the journey.
pub fn check_phone_page(d: &Driver, what: &str) {
    let script = SCRIPT.replace("DATA.includes", &format!("{}.includes", serde_json::to_string(DATA_WORDS).unwrap()));
    let v = js(d, &script);
    for (rule, label) in [
        ("small", "tap targets under 44×44 px"),
        ("covered", "under a sticky bar"),
        ("english", "English in the interface"),
        ("unconfirmed", "irreversible without a question"),
    ] {
        let list = v[rule].as_array().cloned().unwrap_or_default();
        if !list.is_empty() {
            PROBLEMS.with(|p| p.borrow_mut().push(format!("{what}: {label}: {list:?}")));
        }
    }
    check_axe(d, what);
}

/// axe-core's source, read once per test thread.
fn axe_source() -> &'static str {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core/axe.min.js");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci` in tests/browser, as .ci/run does)", path.display()))
    })
}

/// Runs axe on the open page and returns its serious and critical violations, plus the
/// heading rules (one `<h1>`, no skipped level) axe only calls moderate.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
const STRICT = ['page-has-heading-one', 'heading-order', 'empty-heading', 'landmark-one-main'];
axe.run(document, { resultTypes: ['violations'] }).then(r => {
  const out = [];
  for (const v of r.violations) {
    if (!['serious', 'critical'].includes(v.impact) && !STRICT.includes(v.id)) continue;
    const where = v.nodes.slice(0, 6).map(n => n.target.join(' ') + (n.any[0] && n.any[0].data && n.any[0].data.contrastRatio ? ' ' + n.any[0].data.fgColor + '/' + n.any[0].data.bgColor + ' ' + n.any[0].data.contrastRatio : ''));
    out.push(v.id + ' (' + v.impact + ', ' + v.nodes.length + '×): ' + where.join('; '));
  }
  const h1 = [...document.querySelectorAll('h1')].filter(h => h.getClientRects().length).length;
  if (h1 !== 1) out.push(h1 + ' visible <h1> elements');
  done(out);
}, e => done(['axe failed: ' + e]));
"#;

/// The page in dark (`true`) or light mode, as a phone set to it reports through
/// `prefers-color-scheme` (Chromium's emulation, through chromedriver's CDP bridge).
pub fn color_scheme(d: &Driver, dark: bool) {
    let value = if dark { "dark" } else { "light" };
    d.cmd(
        "POST",
        "/goog/cdp/execute",
        Some(json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "features": [{ "name": "prefers-color-scheme", "value": value }] },
        })),
    );
}

/// axe's findings on the open page in light and then dark mode, kept for [`assert_no_problems`].
pub fn check_axe(d: &Driver, what: &str) {
    for dark in [false, true] {
        color_scheme(d, dark);
        let v = d.cmd(
            "POST",
            "/execute/async",
            Some(json!({ "script": format!("{}\n{AXE_RUN}", axe_source()), "args": [] })),
        );
        let list = v.as_array().cloned().unwrap_or_default();
        if !list.is_empty() {
            let mode = if dark { "dark" } else { "light" };
            PROBLEMS.with(|p| p.borrow_mut().push(format!("{what} ({mode}): axe: {list:#?}")));
        }
    }
    color_scheme(d, false);
}

pub fn assert_no_problems() {
    let all = PROBLEMS.with(|p| std::mem::take(&mut *p.borrow_mut()));
    assert!(all.is_empty(), "page rules broken:\n{}", all.join("\n"));
}

/// The back office's rules: every irreversible form asks first (checked at once), and axe
/// (collected for [`assert_no_problems`]).
pub fn check_desk_page(d: &Driver, what: &str) {
    let script = SCRIPT.replace("DATA.includes", &format!("{}.includes", serde_json::to_string(DATA_WORDS).unwrap()));
    let v = js(d, &script);
    let list = v["unconfirmed"].as_array().cloned().unwrap_or_default();
    assert!(list.is_empty(), "{what}: irreversible without a question: {list:?}");
    check_axe(d, what);
}

/// Opens `path`, checks the phone rules and keeps a screenshot `artifacts/<shot>.png`.
pub fn visit_phone(d: &Driver, url: &str, what: &str, shot: &str) {
    d.goto(url);
    d.wait_for(what, |d| js(d, "return document.readyState") == "complete");
    // The pictures first: the check scrolls rows and the page.
    d.screenshot(&format!("{shot}.png"));
    color_scheme(d, true);
    d.screenshot(&format!("{shot}-dark.png"));
    color_scheme(d, false);
    check_phone_page(d, what);
}

/// The text of the confirm dialog a click opened, then accepts (`true`) or dismisses it.
pub fn answer_confirm(d: &Driver, accept: bool) -> String {
    for _ in 0..50 {
        if let Some(text) = d.alert_text() {
            d.cmd("POST", if accept { "/alert/accept" } else { "/alert/dismiss" }, None);
            return text;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no confirm dialog opened at {}", d.url());
}
