//! Free classrooms and their booking (`/academic/classrooms`, `/academic/bookings`,
//! `/admin/academic/bookings`): anyone signed in finds the rooms of a building free in a slot
//! (no class then, no approved booking) and asks for one with a purpose and a head count; an
//! admin approves or rejects with a reason; the requester is told either way and can cancel.
//!
//! Rule: an approved booking holds one `classroom_booking_slots` row per period under the key
//! (room, day, period), so the database refuses two approvals of one slot, whichever comes
//! first; the class check reads the imported timetable in the same transaction.

pub mod admin;
pub mod handlers;
pub mod models;
pub mod queries;
pub mod service;
pub mod views;
