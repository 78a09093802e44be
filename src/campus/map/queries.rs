use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{MapImage, Poi, PoiSpec};
use crate::db::DbConn;
use crate::db::schema::{campus_maps, campus_pois};

pub fn current_map(conn: &mut DbConn) -> QueryResult<Option<MapImage>> {
    campus_maps::table.order(campus_maps::id.desc()).select(MapImage::as_select()).first(conn).optional()
}

pub fn insert_map(
    conn: &mut DbConn,
    image: &str,
    width: i32,
    height: i32,
    by: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(campus_maps::table)
        .values((
            campus_maps::image.eq(image),
            campus_maps::width.eq(width),
            campus_maps::height.eq(height),
            campus_maps::uploaded_by.eq(by),
            campus_maps::created_at.eq(now),
        ))
        .execute(conn)
}

pub fn pois(conn: &mut DbConn, category: Option<&str>, q: &str) -> QueryResult<Vec<Poi>> {
    let mut query = campus_pois::table
        .filter(campus_pois::active.eq(true))
        .order((campus_pois::category.asc(), campus_pois::name.asc(), campus_pois::id.asc()))
        .select(Poi::as_select())
        .into_boxed();
    if let Some(c) = category {
        query = query.filter(campus_pois::category.eq(c.to_string()));
    }
    if !q.is_empty() {
        let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        query = query.filter(
            campus_pois::name
                .like(pattern.clone())
                .escape('\\')
                .or(campus_pois::address.like(pattern.clone()).escape('\\'))
                .or(campus_pois::description.like(pattern).escape('\\')),
        );
    }
    query.load(conn)
}

pub fn poi(conn: &mut DbConn, id: i64) -> QueryResult<Option<Poi>> {
    campus_pois::table
        .filter(campus_pois::id.eq(id))
        .filter(campus_pois::active.eq(true))
        .select(Poi::as_select())
        .first(conn)
        .optional()
}

pub fn insert_poi(conn: &mut DbConn, p: &PoiSpec, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(campus_pois::table)
        .values((
            campus_pois::name.eq(&p.name),
            campus_pois::category.eq(p.category.as_str()),
            campus_pois::description.eq(&p.description),
            campus_pois::address.eq(&p.address),
            campus_pois::hours.eq(&p.hours),
            campus_pois::x_bp.eq(p.x_bp),
            campus_pois::y_bp.eq(p.y_bp),
            campus_pois::lat.eq(p.lat),
            campus_pois::lng.eq(p.lng),
            campus_pois::active.eq(true),
            campus_pois::created_at.eq(now),
            campus_pois::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn update_poi(conn: &mut DbConn, id: i64, p: &PoiSpec, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(campus_pois::table.filter(campus_pois::id.eq(id)).filter(campus_pois::active.eq(true)))
        .set((
            campus_pois::name.eq(&p.name),
            campus_pois::category.eq(p.category.as_str()),
            campus_pois::description.eq(&p.description),
            campus_pois::address.eq(&p.address),
            campus_pois::hours.eq(&p.hours),
            campus_pois::x_bp.eq(p.x_bp),
            campus_pois::y_bp.eq(p.y_bp),
            campus_pois::lat.eq(p.lat),
            campus_pois::lng.eq(p.lng),
            campus_pois::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn hide_poi(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(campus_pois::table.filter(campus_pois::id.eq(id)).filter(campus_pois::active.eq(true)))
        .set((campus_pois::active.eq(false), campus_pois::updated_at.eq(now)))
        .execute(conn)
}

/// `(name, id)` of the active points named one of `names`.
/// Every shown point as `(name, id)`, in id order.
pub fn all_named(conn: &mut DbConn) -> QueryResult<Vec<(String, i64)>> {
    campus_pois::table
        .filter(campus_pois::active.eq(true))
        .order(campus_pois::id.asc())
        .select((campus_pois::name, campus_pois::id))
        .load(conn)
}
