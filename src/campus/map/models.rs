use diesel::prelude::*;

use crate::db::schema::{campus_maps, campus_pois};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    Teaching,
    Canteen,
    Library,
    Gate,
    Dorm,
    Shop,
    Pickup,
    Sports,
}

impl Category {
    pub const ALL: [Category; 8] = [
        Category::Teaching,
        Category::Canteen,
        Category::Library,
        Category::Gate,
        Category::Dorm,
        Category::Shop,
        Category::Pickup,
        Category::Sports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Teaching => "teaching",
            Category::Canteen => "canteen",
            Category::Library => "library",
            Category::Gate => "gate",
            Category::Dorm => "dorm",
            Category::Shop => "shop",
            Category::Pickup => "pickup",
            Category::Sports => "sports",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Teaching => "教学楼",
            Category::Canteen => "食堂",
            Category::Library => "图书馆",
            Category::Gate => "校门",
            Category::Dorm => "宿舍",
            Category::Shop => "商店",
            Category::Pickup => "快递点",
            Category::Sports => "运动场馆",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = campus_maps)]
pub struct MapImage {
    pub id: i64,
    pub image: String,
    pub width: i32,
    pub height: i32,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = campus_pois)]
pub struct Poi {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub description: String,
    pub address: String,
    pub hours: String,
    /// Position on the map image in hundredths of a percent (0–10000).
    pub x_bp: i32,
    pub y_bp: i32,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl Poi {
    pub fn category_label(&self) -> &'static str {
        Category::parse(&self.category).map_or("地点", Category::label)
    }

    /// A map link for browsers outside the mini-program.
    pub fn map_link(&self) -> Option<String> {
        let (lat, lng) = (self.lat?, self.lng?);
        Some(format!(
            "https://uri.amap.com/marker?position={lng},{lat}&name={}&coordinate=gaode&callnative=1",
            crate::web::url_encode(&self.name)
        ))
    }

    pub fn x_percent(&self) -> String {
        format!("{:.2}", f64::from(self.x_bp) / 100.0)
    }

    pub fn y_percent(&self) -> String {
        format!("{:.2}", f64::from(self.y_bp) / 100.0)
    }
}

/// A point as the admin's form gives it, checked.
pub struct PoiSpec {
    pub name: String,
    pub category: Category,
    pub description: String,
    pub address: String,
    pub hours: String,
    pub x_bp: i32,
    pub y_bp: i32,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

/// `42.5` (percent) as hundredths of a percent.
fn percent(raw: &str, what: &str) -> Result<i32, String> {
    let v: f64 = raw.trim().trim_end_matches('%').parse().map_err(|_| format!("{what}应为 0–100 的数字"))?;
    if !(0.0..=100.0).contains(&v) {
        return Err(format!("{what}应为 0–100 的数字"));
    }
    Ok((v * 100.0).round() as i32)
}

fn coordinate(raw: &str, limit: f64, what: &str) -> Result<Option<f64>, String> {
    match raw.trim() {
        "" => Ok(None),
        s => {
            let v: f64 = s.parse().map_err(|_| format!("{what}格式不正确"))?;
            if v.is_finite() && v.abs() <= limit { Ok(Some(v)) } else { Err(format!("{what}格式不正确")) }
        }
    }
}

/// The admin's point form.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PoiForm {
    pub id: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub address: String,
    pub hours: String,
    pub x: String,
    pub y: String,
    pub lat: String,
    pub lng: String,
}

impl PoiForm {
    /// The point being edited, `None` for a new one.
    pub fn id(&self) -> Option<i64> {
        self.id.trim().parse().ok()
    }

    pub fn parse(&self) -> Result<PoiSpec, String> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 30 {
            return Err("地点名称需为 1–30 个字".into());
        }
        let category = Category::parse(&self.category).ok_or("请选择地点类别")?;
        let clip = |s: &str, n: usize, what: &str| -> Result<String, String> {
            let s = s.trim();
            if s.chars().count() > n { Err(format!("{what}请控制在 {n} 字以内")) } else { Ok(s.to_string()) }
        };
        let lat = coordinate(&self.lat, 90.0, "纬度")?;
        let lng = coordinate(&self.lng, 180.0, "经度")?;
        if lat.is_some() != lng.is_some() {
            return Err("经纬度需同时填写".into());
        }
        Ok(PoiSpec {
            name: name.into(),
            category,
            description: clip(&self.description, 300, "简介")?,
            address: clip(&self.address, 60, "地址")?,
            hours: clip(&self.hours, 40, "开放时间")?,
            x_bp: percent(&self.x, "横向位置")?,
            y_bp: percent(&self.y, "纵向位置")?,
            lat,
            lng,
        })
    }
}
