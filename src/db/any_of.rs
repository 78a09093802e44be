//! `column IN (ids)` as one statement text whatever the number of ids, so the connection's
//! statement cache keeps it prepared. diesel writes `eq_any` on SQLite as `IN (?, ?, …)`, one
//! bind per id, and marks it never to be cached: every search page or list of liked posts
//! prepared its statement anew. Here SQLite gets the ids as one JSON array bind read by
//! `json_each`, PostgreSQL one array bind (`= ANY($1)`).

use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel::sqlite::Sqlite;

/// `column` is one of `ids` (see the module docs).
pub fn any_of<C>(column: C, ids: &[i64]) -> AnyOf<C> {
    let json = format!("[{}]", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","));
    AnyOf { column, ids: ids.to_vec(), json }
}

#[derive(Debug, Clone)]
pub struct AnyOf<C> {
    column: C,
    ids: Vec<i64>,
    json: String,
}

impl<C> Expression for AnyOf<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for AnyOf<C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for AnyOf<C> {
    type IsAggregate = C::IsAggregate;
}

/// No static id: the statement is cached under its text, which no longer depends on the ids.
impl<C> QueryId for AnyOf<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for AnyOf<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, String>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for AnyOf<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, Vec<i64>>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}
