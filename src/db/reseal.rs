//! Bringing every sealed column under the current data key: plaintext left from before sealing
//! existed (run at every start, after the schema migrations) and values sealed under an older
//! key (`campus rotate-data-key`). Works in batches, each its own transaction, and writes a row
//! only if its value is still the one read, so it runs safely beside a serving instance.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::sealed::{Keyring, Sealed, looks_sealed};
use super::{DbConn, write_tx};
use crate::error::{AppError, AppResult};

/// A column holding sealed values, and the column holding its blind index if it has one.
pub struct SealedColumn {
    pub table: &'static str,
    pub column: &'static str,
    pub index: Option<&'static str>,
}

impl SealedColumn {
    /// The associated data values of this column are sealed with (`table.column`).
    pub fn name(&self) -> String {
        format!("{}.{}", self.table, self.column)
    }
}

/// Every sealed column. A new one is added here, sealed where it is written and opened where
/// it is shown; the raw-database test then checks it holds no plaintext.
pub const COLUMNS: &[SealedColumn] = &[
    SealedColumn { table: "users", column: "phone", index: Some("phone_index") },
    SealedColumn { table: "orders", column: "receiver_phone", index: None },
    SealedColumn { table: "orders", column: "address", index: None },
    SealedColumn { table: "merchant_applications", column: "contact_phone", index: None },
    SealedColumn { table: "activity_registrations", column: "phone", index: None },
];

/// The column names for the code that writes them.
pub mod col {
    pub const USER_PHONE: &str = "users.phone";
    pub const ORDER_PHONE: &str = "orders.receiver_phone";
    pub const ORDER_ADDRESS: &str = "orders.address";
    pub const APPLICATION_PHONE: &str = "merchant_applications.contact_phone";
    pub const REGISTRATION_PHONE: &str = "activity_registrations.phone";
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    value: String,
}

/// How many values one run re-sealed, per column.
#[derive(Debug, Default)]
pub struct Resealed {
    pub columns: Vec<(String, usize)>,
}

impl Resealed {
    pub fn total(&self) -> usize {
        self.columns.iter().map(|(_, n)| n).sum()
    }
}

/// [`reseal_all`] for the start and the commands: an error says what went wrong, not the
/// page's "try again later".
pub fn reseal_at_start(conn: &mut DbConn, keys: &Keyring) -> anyhow::Result<Resealed> {
    reseal_all(conn, keys, 500).map_err(|e| match e {
        AppError::Internal(inner) => inner.context("sealing personal data"),
        other => anyhow::anyhow!("sealing personal data: {other}"),
    })
}

/// Re-seals every value not sealed under the current key, `batch` rows a transaction.
pub fn reseal_all(conn: &mut DbConn, keys: &Keyring, batch: i64) -> AppResult<Resealed> {
    let mut done = Resealed::default();
    for column in COLUMNS {
        done.columns.push((column.name(), reseal_column(conn, keys, column, batch)?));
    }
    Ok(done)
}

/// Opens the newest sealed value of the column: a keyring that cannot (another instance's
/// key, a key left out of `CAMPUS_DATA_KEY`) stops the start before anything is written with it.
fn check_column(conn: &mut DbConn, keys: &Keyring, column: &SealedColumn) -> AppResult<()> {
    let (table, col) = (column.table, column.column);
    let sql = format!("SELECT id, {col} AS value FROM {table} WHERE {col} LIKE 'k%' ORDER BY id DESC LIMIT 1");
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn)?;
    for row in rows.into_iter().filter(|r| looks_sealed(&r.value)) {
        keys.open(&column.name(), &Sealed::from(row.value)).map_err(|e| {
            AppError::Internal(anyhow::anyhow!(
                "{} of row {} does not open ({e}): every instance needs the same CAMPUS_DATA_KEY \
                 (or the same data/data.key)",
                column.name(),
                row.id
            ))
        })?;
    }
    Ok(())
}

fn reseal_column(conn: &mut DbConn, keys: &Keyring, column: &SealedColumn, batch: i64) -> AppResult<usize> {
    check_column(conn, keys, column)?;
    let name = column.name();
    let current = format!("k{}:%", keys.current_id());
    let (table, col) = (column.table, column.column);
    // The names come from COLUMNS above, never from input.
    let select = format!(
        "SELECT id, {col} AS value FROM {table} WHERE {col} IS NOT NULL AND {col} <> '' \
         AND {col} NOT LIKE $1 AND id > $2 ORDER BY id LIMIT $3"
    );
    let update = match column.index {
        Some(index) => format!("UPDATE {table} SET {col} = $1, {index} = $2 WHERE id = $3 AND {col} = $4"),
        None => format!("UPDATE {table} SET {col} = $1 WHERE id = $3 AND {col} = $4 AND $2 = $2"),
    };
    let (select, update) = match conn {
        DbConn::Sqlite(_) => (dollars_to_question(&select), dollars_to_question(&update)),
        DbConn::Pg(_) => (select, update),
    };
    let mut after = 0i64;
    let mut count = 0usize;
    loop {
        let rows: Vec<Row> = diesel::sql_query(&select)
            .bind::<Text, _>(&current)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(batch)
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        count += write_tx(conn, |conn| -> AppResult<usize> {
            let mut n = 0;
            for row in &rows {
                let plain = if looks_sealed(&row.value) {
                    keys.open(&name, &Sealed::from(row.value.clone()))
                        .map_err(|e| AppError::Internal(anyhow::anyhow!("{name} of row {}: {e}", row.id)))?
                } else {
                    row.value.clone()
                };
                let sealed = keys.seal(&name, &plain);
                let index = keys.blind(&name, &plain);
                n += diesel::sql_query(&update)
                    .bind::<Text, _>(sealed.as_str())
                    .bind::<Text, _>(&index)
                    .bind::<BigInt, _>(row.id)
                    .bind::<Text, _>(&row.value)
                    .execute(conn)?;
            }
            Ok(n)
        })?;
    }
    Ok(count)
}

/// SQLite numbers its parameters `?1`, `?2`...: the same statement text serves both backends.
fn dollars_to_question(sql: &str) -> String {
    sql.replace('$', "?")
}
