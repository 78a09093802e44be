//! Product and stock import from CSV or XLSX. The file is read and every row checked at once
//! (a wrong header refuses the whole file); the good rows are then saved in the background, one
//! product per transaction, while the page shows the progress stored in `product_imports`.

use std::time::{Duration, Instant};

use diesel::prelude::*;

use super::queries;
use super::service::IMPORT_HEADER;
use crate::db::schema::product_imports;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};
use crate::mall::service::{self as mall, SkuSpec};
use crate::moderation::{self, WordFilter};
use crate::tabular;

/// At most this many data rows per file.
const MAX_ROWS: usize = 10_000;

pub use crate::tabular::RUNNING;
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// One row of the file: its line (spreadsheet row number) and its cells as text.
type Record = tabular::Record;

/// Refused rows: line and reason.
type Refused = Vec<(usize, String)>;

/// The rows of an uploaded file, without the header (read by [`tabular::read`]). The header
/// must name the columns of [`IMPORT_HEADER`].
pub fn read_file(file_name: &str, data: &[u8]) -> AppResult<Vec<Record>> {
    let table = tabular::read(file_name, data)?;
    let header = &table.header;
    if header.len() < 5 || header.iter().zip(IMPORT_HEADER.iter()).any(|(a, b)| a != b) {
        return Err(AppError::invalid(format!("表头应为：{}", IMPORT_HEADER.join(","))));
    }
    if table.rows.is_empty() {
        return Err(AppError::invalid("文件里只有表头，没有要导入的行"));
    }
    Ok(table.rows)
}

/// One product's rows, and why the word filter wants an admin to look at it.
struct Group {
    name: String,
    rows: Vec<Row>,
    review: Option<String>,
}

struct Row {
    line: usize,
    category_id: i64,
    sku: SkuSpec,
    description: String,
}

/// The checked rows grouped by product name (rows with the same name are one product's
/// options), and every refused row with its reason.
pub struct Plan {
    groups: Vec<Group>,
    errors: Refused,
    rows: usize,
}

impl Plan {
    pub fn rows(&self) -> usize {
        self.rows
    }
}

pub fn plan(conn: &mut DbConn, words: &WordFilter, records: Vec<Record>) -> AppResult<Plan> {
    let categories = mall::leaf_categories(conn)?;
    let mut plan = Plan { groups: Vec::new(), errors: Vec::new(), rows: records.len().min(MAX_ROWS) };
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (n, (line, cells)) in records.into_iter().enumerate() {
        if n == MAX_ROWS {
            plan.errors.push((line, format!("一次最多导入 {MAX_ROWS} 行，其余未处理")));
            break;
        }
        let field = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
        let parsed = (|| -> Result<(String, Row), String> {
            if field(0) == tabular::BROKEN {
                return Err("这一行无法解析".into());
            }
            // Every column but the description (whose line breaks are kept) is one line.
            if let Some(j) = tabular::control_cell(&cells[..cells.len().min(5)]) {
                let column = IMPORT_HEADER.get(j).copied().unwrap_or_default();
                return Err(format!("「{column}」列含有换行、回车等控制字符，请删除后再导入"));
            }
            let name = field(0).to_string();
            if name.is_empty() || name.chars().count() > 60 {
                return Err("商品名称需为 1–60 个字".into());
            }
            let category_id = categories
                .iter()
                .find(|c| c.name == field(1))
                .map(|c| c.id)
                .ok_or_else(|| format!("没有分类「{}」", field(1)))?;
            let sku_name = field(2).to_string();
            if sku_name.chars().count() > 30 {
                return Err("规格名称不能超过 30 个字".into());
            }
            let price = crate::mall::models::parse_yuan(field(3))?;
            if !(1..=10_000_000).contains(&price) {
                return Err("价格需在 ¥0.01 到 ¥100000 之间".into());
            }
            let stock: i64 =
                field(4).parse().ok().filter(|n| (0..=999_999).contains(n)).ok_or("库存需为 0 到 999999 之间的整数")?;
            let description: String = field(5).chars().take(2000).collect();
            Ok((
                name,
                Row { line, category_id, sku: SkuSpec { name: sku_name, price_cents: price, stock }, description },
            ))
        })();
        match parsed {
            Ok((name, row)) => match index.get(&name) {
                Some(&g) => plan.groups[g].rows.push(row),
                None => {
                    index.insert(name.clone(), plan.groups.len());
                    plan.groups.push(Group { name, rows: vec![row], review: None });
                }
            },
            Err(e) => plan.errors.push((line, e)),
        }
    }
    // The sensitive-word filter, once per product: a blocking word refuses all its rows.
    let mut kept = Vec::with_capacity(plan.groups.len());
    for mut group in plan.groups {
        let text = format!("{}\n{}", group.name, group.rows[0].description);
        match moderation::screen(words, conn, &text, "商品信息") {
            Ok(review) => {
                group.review = review;
                kept.push(group);
            }
            Err(AppError::Invalid(message)) => plan.errors.extend(group.rows.iter().map(|r| (r.line, message.clone()))),
            Err(e) => return Err(e),
        }
    }
    plan.groups = kept;
    Ok(plan)
}

/// An import as its page shows it.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = product_imports)]
pub struct ProductImport {
    pub id: i64,
    pub shop_id: i64,
    pub file_name: String,
    pub status: String,
    pub total_rows: i64,
    pub done_rows: i64,
    pub created: i64,
    pub updated: i64,
    pub errors: String,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

impl ProductImport {
    pub fn running(&self) -> bool {
        tabular::running(&self.status, self.updated_at)
    }

    /// Still marked running, but nothing happened for a long while: the server stopped.
    pub fn stale(&self) -> bool {
        tabular::stale(&self.status, self.updated_at)
    }

    pub fn percent(&self) -> i64 {
        tabular::percent(self.done_rows, self.total_rows)
    }

    /// The refused rows, by line.
    pub fn error_rows(&self) -> Refused {
        serde_json::from_str(&self.errors).unwrap_or_default()
    }
}

/// Records a new import of `rows` rows; the rows already refused are saved with it.
pub fn start(conn: &mut DbConn, shop: i64, user: i64, file_name: &str, plan: &Plan) -> AppResult<i64> {
    let now = db::now();
    let name: String = file_name.chars().take(100).collect();
    let errors = serde_json::to_string(&plan.errors).map_err(AppError::internal)?;
    let values = (
        product_imports::shop_id.eq(shop),
        product_imports::user_id.eq(user),
        product_imports::file_name.eq(&name),
        product_imports::status.eq(RUNNING),
        product_imports::total_rows.eq(plan.rows as i64),
        product_imports::done_rows.eq(plan.errors.len() as i64),
        product_imports::errors.eq(&errors),
        product_imports::created_at.eq(now),
        product_imports::updated_at.eq(now),
    );
    Ok(crate::on_backend!(conn, |c| diesel::insert_into(product_imports::table)
        .values(values)
        .returning(product_imports::id)
        .get_result(c))?)
}

/// The shop's import `id`; another shop's is not found.
pub fn find(conn: &mut DbConn, shop: i64, id: i64) -> AppResult<ProductImport> {
    product_imports::table
        .filter(product_imports::id.eq(id))
        .filter(product_imports::shop_id.eq(shop))
        .select(ProductImport::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

pub fn latest(conn: &mut DbConn, shop: i64) -> AppResult<Option<ProductImport>> {
    Ok(product_imports::table
        .filter(product_imports::shop_id.eq(shop))
        .order(product_imports::id.desc())
        .select(ProductImport::as_select())
        .first(conn)
        .optional()?)
}

/// Saves the plan's good rows: a new name creates a product, a known name updates the price
/// and stock of its options. Progress is written at most every quarter second; the end writes
/// the counts and every refused row.
pub fn run(conn: &mut DbConn, id: i64, shop: i64, actor: i64, plan: Plan) -> AppResult<()> {
    let (mut created, mut updated, mut errors) = (0i64, 0i64, plan.errors);
    let mut done = errors.len() as i64;
    let mut reported = Instant::now();
    for Group { name, rows, review } in &plan.groups {
        let saved = write_tx(conn, |conn| {
            let (product_id, c, u, refused) = save_product(conn, shop, actor, name, rows)?;
            if let Some(reason) = review
                && c + u > 0
            {
                let body = rows.first().map_or("", |r| r.description.as_str());
                moderation::flag(conn, moderation::KIND_PRODUCT, product_id, Some(actor), name, body, reason)?;
            }
            Ok((c, u, refused))
        });
        match saved {
            Ok((c, u, refused)) => {
                created += c;
                updated += u;
                errors.extend(refused);
            }
            Err(AppError::Internal(e)) => {
                fail(conn, id, &format!("导入中断：{e}"))?;
                return Err(AppError::Internal(e));
            }
            Err(e) => errors.extend(rows.iter().map(|r| (r.line, e.to_string()))),
        }
        done += rows.len() as i64;
        if reported.elapsed() > Duration::from_millis(250) {
            diesel::update(product_imports::table.find(id))
                .set((
                    product_imports::done_rows.eq(done),
                    product_imports::created.eq(created),
                    product_imports::updated.eq(updated),
                    product_imports::updated_at.eq(db::now()),
                ))
                .execute(conn)?;
            reported = Instant::now();
        }
    }
    errors.sort();
    let errors = serde_json::to_string(&errors).map_err(AppError::internal)?;
    diesel::update(product_imports::table.find(id))
        .set((
            product_imports::status.eq(DONE),
            product_imports::done_rows.eq(done),
            product_imports::created.eq(created),
            product_imports::updated.eq(updated),
            product_imports::errors.eq(errors),
            product_imports::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks an import as failed (what was saved before stays saved).
pub fn fail(conn: &mut DbConn, id: i64, why: &str) -> AppResult<()> {
    let errors = serde_json::to_string(&[(0, why)]).map_err(AppError::internal)?;
    diesel::update(product_imports::table.find(id))
        .set((
            product_imports::status.eq(FAILED),
            product_imports::errors.eq(errors),
            product_imports::updated_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// One product's rows: `(product id, options created, options updated, refused rows)`.
fn save_product(
    conn: &mut DbConn,
    shop: i64,
    actor: i64,
    name: &str,
    rows: &[Row],
) -> AppResult<(i64, i64, i64, Refused)> {
    let now = db::now();
    let Some(product_id) = queries::product_by_name(conn, shop, name)? else {
        let first = &rows[0];
        let spec = mall::ProductSpec {
            shop_id: shop,
            category_id: first.category_id,
            name: name.to_string(),
            description: first.description.clone(),
            images: Vec::new(),
            original_price_cents: None,
            skus: rows.iter().map(|r| r.sku.clone()).collect(),
        };
        let id = mall::create_product(conn, &spec, 0)?;
        for sku in queries::skus_of(conn, &[id])? {
            mall::log_stock(conn, sku.id, id, Some(actor), sku.stock, "import", now)?;
        }
        return Ok((id, rows.len() as i64, 0, Vec::new()));
    };
    let skus = queries::skus_of(conn, &[product_id])?;
    let (mut updated, mut refused) = (0, Vec::new());
    for row in rows {
        let Some(s) = skus.iter().find(|s| s.name == row.sku.name) else {
            refused.push((row.line, format!("商品「{name}」没有规格「{}」", row.sku.name)));
            continue;
        };
        queries::set_price_and_stock(conn, s.id, row.sku.price_cents, row.sku.stock)?;
        if row.sku.stock != s.stock {
            mall::log_stock(conn, s.id, product_id, Some(actor), row.sku.stock - s.stock, "import", now)?;
            mall::stock_dropped(conn, s.id, s.stock, row.sku.stock)?;
        }
        updated += 1;
    }
    queries::refresh_listed_price(conn, product_id)?;
    Ok((product_id, 0, updated, refused))
}
