use askama::Template;

use super::models::{Category, Poi};
use super::service::CampusMap;
use crate::web::page::Page;

/// A marker in the map's own pixel space (the SVG's viewBox is the image's size), with where its
/// name is written.
pub struct Marker {
    pub id: i64,
    pub name: String,
    pub x: i64,
    pub y: i64,
    pub on: bool,
    pub label: Label,
}

/// Where a marker's name goes: above its pin unless another name or pin is there, then below,
/// then to a side; anchored at its end near the right edge and at its start near the left, so
/// no name is cut by the map's edge (东门 at 98% was).
pub struct Label {
    pub x: i64,
    pub y: i64,
    pub anchor: &'static str,
}

pub struct Geometry {
    pub width: i32,
    pub height: i32,
    /// Radius of the invisible tap area: 28 units of a 390 wide map, about 23 CSS px on the
    /// phone's 374 px wide map (its margin included), so a marker is a 46 px target.
    pub hit: i64,
    pub pin: i64,
    pub font: i64,
}

impl Geometry {
    pub fn of(width: i32, height: i32) -> Geometry {
        let w = i64::from(width.max(1));
        Geometry { width, height, hit: (w * 28 / 390).max(8), pin: (w * 7 / 390).max(3), font: (w * 12 / 390).max(6) }
    }

    /// The SVG's viewBox: the image, and on the student's map a margin of one tap radius around
    /// it, so a marker at the edge is whole and tappable. (The admin's map places points by the
    /// image's own box, so it has none.)
    pub fn view_box(&self, margin: bool) -> String {
        let m = if margin { self.hit } else { 0 };
        format!("{} {} {} {}", -m, -m, i64::from(self.width) + 2 * m, i64::from(self.height) + 2 * m)
    }

    /// Places each marker's name where it overlaps no other name or pin, in marker order.
    fn place_labels(&self, points: &[(i64, i64, usize)]) -> Vec<Label> {
        let (w, h, f, pin) = (i64::from(self.width), i64::from(self.height), self.font, self.pin);
        let mut taken: Vec<(i64, i64, i64, i64)> =
            points.iter().map(|&(x, y, _)| (x - pin, y - pin, x + pin, y + pin)).collect();
        let mut labels = Vec::with_capacity(points.len());
        for (i, &(x, y, chars)) in points.iter().enumerate() {
            let len = f * chars as i64;
            // The box of a name written at (lx, ly) with `anchor`, as (left, top, right, bottom).
            let boxed = |lx: i64, ly: i64, anchor: &str| {
                let left = match anchor {
                    "start" => lx,
                    "end" => lx - len,
                    _ => lx - len / 2,
                };
                (left, ly - f, left + len, ly + f / 4)
            };
            let edge = if x + len / 2 > w {
                "end"
            } else if x - len / 2 < 0 {
                "start"
            } else {
                "middle"
            };
            let ex = match edge {
                "end" => x + pin,
                "start" => x - pin,
                _ => x,
            };
            let candidates = [
                (ex, y - pin - 4, edge),
                (ex, y + pin + f, edge),
                (x + pin + 4, y + f / 3, "start"),
                (x - pin - 4, y + f / 3, "end"),
            ];
            let own = taken[i];
            let fits = |b: (i64, i64, i64, i64)| {
                b.0 >= 0
                    && b.2 <= w
                    && b.1 >= 0
                    && b.3 <= h
                    && !taken.iter().any(|t| *t != own && b.0 < t.2 && t.0 < b.2 && b.1 < t.3 && t.1 < b.3)
            };
            let (lx, ly, anchor) =
                candidates.into_iter().find(|&(lx, ly, a)| fits(boxed(lx, ly, a))).unwrap_or(candidates[0]);
            taken.push(boxed(lx, ly, anchor));
            labels.push(Label { x: lx, y: ly, anchor });
        }
        labels
    }
}

pub fn markers(map: &CampusMap) -> (Option<Geometry>, Vec<Marker>) {
    let Some(image) = &map.image else { return (None, Vec::new()) };
    let selected = map.selected.as_ref().map(|p| p.id);
    let geometry = Geometry::of(image.width, image.height);
    let pois: Vec<&Poi> =
        map.pois.iter().chain(map.selected.iter().filter(|s| !map.pois.iter().any(|p| p.id == s.id))).collect();
    let at = |p: &Poi| {
        (
            i64::from(p.x_bp) * i64::from(image.width) / 10_000,
            i64::from(p.y_bp) * i64::from(image.height) / 10_000,
            p.name.chars().count(),
        )
    };
    let labels = geometry.place_labels(&pois.iter().map(|p| at(p)).collect::<Vec<_>>());
    let markers = pois
        .into_iter()
        .zip(labels)
        .map(|(p, label)| {
            let (x, y, _) = at(p);
            Marker { id: p.id, name: p.name.clone(), x, y, on: selected == Some(p.id), label }
        })
        .collect();
    (Some(geometry), markers)
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
        // To the map's top: the map and the place's panel under it both in sight (the panel's
        // own anchor scrolled the map away).
        url + if self.geometry.is_some() { "#campus-map" } else { "#poi-panel" }
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
