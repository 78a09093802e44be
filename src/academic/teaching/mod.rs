//! The teacher's side: `/academic/teacher-schedule` (their own teaching week), `/academic/teaching`
//! (the courses they teach this semester) and `/academic/teaching/{course}` (the roster of the
//! classes they teach it to, with a grade form). An account is a teacher of the roster through its
//! staff number (kept in `users.student_no`, as a student's number is); every page takes the teacher from the signed-in account,
//! and a course they do not teach is not found. Entered grades are saved the way an import saves
//! them (an upsert by 学号, 学期, 课程) and tell each student whose grade is new or changed.

pub mod handlers;
pub mod queries;
pub mod service;
pub mod views;
