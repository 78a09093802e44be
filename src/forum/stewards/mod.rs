//! Board moderators (版主) chosen from the students: an admin appoints them per board; in their
//! board only they pin, lock, hide and restore posts and comments, decide its open reports and
//! held posts, and warn a user (who is told why). Every action of a moderator or an admin on a
//! board's posts lands in the board's public mod log (`/forum/boards/{id}/log`).
//! Tables: forum_moderators, forum_mod_log, forum_warnings.

pub mod handlers;
pub mod queries;
pub mod service;
