//! The pages of classroom booking.

use askama::Template;
use chrono::NaiveDate;

use super::models::{BookingLine, Room};
use super::service::Slot;
use crate::web::filters;
use crate::web::page::Page;

#[derive(Template)]
#[template(path = "academic/classrooms.html")]
pub struct FinderView {
    pub page: Page,
    pub buildings: Vec<String>,
    pub building: Option<String>,
    pub slot: Slot,
    pub periods: Vec<i32>,
    pub min_date: String,
    pub max_date: String,
    pub rooms: Vec<Room>,
}

impl FinderView {
    pub fn is_building(&self, b: &str) -> bool {
        self.building.as_deref() == Some(b)
    }
}

#[derive(Template)]
#[template(path = "academic/bookings.html")]
pub struct BookingsView {
    pub page: Page,
    pub bookings: Vec<BookingLine>,
    pub today: NaiveDate,
}

impl BookingsView {
    pub fn cancellable(&self, line: &BookingLine) -> bool {
        line.booking.live() && line.booking.on_date >= self.today
    }
}

#[derive(Template)]
#[template(path = "academic/admin_bookings.html")]
pub struct AdminBookingsView {
    pub page: Page,
    pub pending: Vec<BookingLine>,
    pub decided: Vec<BookingLine>,
}
