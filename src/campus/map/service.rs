use super::models::{MapImage, Poi, PoiSpec};
use super::queries;
use crate::audit;
use crate::db::{self, DbConn, write_tx};
use crate::error::{AppError, AppResult};

pub struct CampusMap {
    pub image: Option<MapImage>,
    pub pois: Vec<Poi>,
    pub selected: Option<Poi>,
}

/// The map with the points a visitor filtered for, and the one they opened.
pub fn campus_map(conn: &mut DbConn, category: Option<&str>, q: &str, selected: Option<i64>) -> AppResult<CampusMap> {
    let selected = match selected {
        Some(id) => Some(queries::poi(conn, id)?.ok_or(AppError::NotFound)?),
        None => None,
    };
    Ok(CampusMap { image: queries::current_map(conn)?, pois: queries::pois(conn, category, q)?, selected })
}

pub fn set_map(conn: &mut DbConn, admin: i64, image: &str, width: i32, height: i32, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        queries::insert_map(conn, image, width, height, Some(admin), db::now())?;
        let detail = serde_json::json!({ "image": image }).to_string();
        audit::record(conn, Some(admin), "map.image", "map", None, &detail, Some(ip))
    })
}

/// Adds a point, or changes point `id`.
pub fn save_poi(conn: &mut DbConn, admin: i64, id: Option<i64>, spec: &PoiSpec, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        match id {
            Some(id) => {
                if queries::update_poi(conn, id, spec, db::now())? != 1 {
                    return Err(AppError::NotFound);
                }
            }
            None => {
                queries::insert_poi(conn, spec, db::now())?;
            }
        }
        db::refdata::changed(conn, db::refdata::Kind::MapPoints)?;
        let detail = serde_json::json!({ "name": spec.name }).to_string();
        audit::record(conn, Some(admin), "map.poi", "poi", id.map(|i| i.to_string()).as_deref(), &detail, Some(ip))
    })
}

pub fn delete_poi(conn: &mut DbConn, admin: i64, id: i64, ip: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        if queries::hide_poi(conn, id, db::now())? != 1 {
            return Err(AppError::NotFound);
        }
        db::refdata::changed(conn, db::refdata::Kind::MapPoints)?;
        audit::record(conn, Some(admin), "map.poi_delete", "poi", Some(&id.to_string()), "{}", Some(ip))
    })
}

/// The map points named like the places in `names` (a building, say), as `(name, id)`: what
/// another page links to `/campus/map?poi=ID`.
pub fn points_named(conn: &mut DbConn, names: &[String]) -> AppResult<Vec<(String, i64)>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    // Reference data: read once per change per instance (the home page's statement budget).
    let all = db::refdata::cached(conn, db::refdata::Kind::MapPoints, "all", queries::all_named)?;
    Ok(all.iter().filter(|(n, _)| names.contains(n)).cloned().collect())
}
