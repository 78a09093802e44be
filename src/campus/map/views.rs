use askama::Template;

use super::models::{Category, Poi};
use super::service::CampusMap;
use crate::web::page::Page;

/// A marker in the map's own pixel space (the SVG's viewBox is the image's size).
pub struct Marker {
    pub id: i64,
    pub name: String,
    pub x: i64,
    pub y: i64,
    pub on: bool,
}

pub struct Geometry {
    pub width: i32,
    pub height: i32,
    /// Radius of the invisible tap area: 22 CSS px at a 390 px wide screen.
    pub hit: i64,
    pub pin: i64,
    pub font: i64,
}

impl Geometry {
    pub fn of(width: i32, height: i32) -> Geometry {
        let w = i64::from(width.max(1));
        Geometry { width, height, hit: (w * 22 / 390).max(8), pin: (w * 7 / 390).max(3), font: (w * 12 / 390).max(6) }
    }
}

pub fn markers(map: &CampusMap) -> (Option<Geometry>, Vec<Marker>) {
    let Some(image) = &map.image else { return (None, Vec::new()) };
    let selected = map.selected.as_ref().map(|p| p.id);
    let markers = map
        .pois
        .iter()
        .chain(map.selected.iter().filter(|s| !map.pois.iter().any(|p| p.id == s.id)))
        .map(|p| Marker {
            id: p.id,
            name: p.name.clone(),
            x: i64::from(p.x_bp) * i64::from(image.width) / 10_000,
            y: i64::from(p.y_bp) * i64::from(image.height) / 10_000,
            on: selected == Some(p.id),
        })
        .collect();
    (Some(Geometry::of(image.width, image.height)), markers)
}

#[derive(Template)]
#[template(path = "campus/map.html")]
pub struct MapView {
    pub page: Page,
    pub map: CampusMap,
    pub geometry: Option<Geometry>,
    pub markers: Vec<Marker>,
    pub category: String,
    pub q: String,
}

impl MapView {
    pub fn categories(&self) -> [Category; 8] {
        Category::ALL
    }

    pub fn image(&self) -> &str {
        self.map.image.as_ref().map_or("", |m| m.image.as_str())
    }

    pub fn marker_url(&self, id: &i64) -> String {
        let mut url = format!("/campus/map?poi={id}");
        if !self.category.is_empty() {
            url.push_str(&format!("&category={}", self.category));
        }
        url + "#poi-panel"
    }

    pub fn place_map(&self) -> bool {
        false
    }
}

#[derive(Template)]
#[template(path = "campus/admin_map.html")]
pub struct AdminMapView {
    pub page: Page,
    pub map: CampusMap,
    pub geometry: Option<Geometry>,
    pub markers: Vec<Marker>,
    pub editing: Option<Poi>,
    pub error: Option<String>,
}

impl AdminMapView {
    pub fn categories(&self) -> [Category; 8] {
        Category::ALL
    }

    pub fn image(&self) -> &str {
        self.map.image.as_ref().map_or("", |m| m.image.as_str())
    }

    /// A marker opens its point in the form.
    pub fn marker_url(&self, id: &i64) -> String {
        format!("/admin/map?edit={id}")
    }

    /// Clicks on the map place the point being edited.
    pub fn place_map(&self) -> bool {
        true
    }
}
