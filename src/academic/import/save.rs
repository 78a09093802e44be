//! Saving a checked row: insert it when its natural key is new, update it when a field changed,
//! leave it alone otherwise — so importing the same file twice changes nothing the second time.
//! A dry run asks the same questions and writes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::refdata;

use super::check::{EventSpec, Item, SemesterSpec};
use crate::db::schema::{
    calendar_events, campus_contacts, classrooms, course_schedules, courses, evaluations, exams, grades, semesters,
    students, teachers,
};
use crate::db::{self, DbConn};
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

impl Outcome {
    pub(super) fn of<T: PartialEq>(existing: Option<T>, new: &T) -> Outcome {
        match existing {
            None => Outcome::Created,
            Some(old) if old == *new => Outcome::Unchanged,
            Some(_) => Outcome::Updated,
        }
    }

    /// Two outcomes of one row (a calendar row may hold a semester and an event).
    fn and(self, other: Outcome) -> Outcome {
        use Outcome::*;
        match (self, other) {
            (Created, _) | (_, Created) => Created,
            (Updated, _) | (_, Updated) => Updated,
            _ => Unchanged,
        }
    }
}

/// A meeting's fields besides its key: teacher, last period, weeks text, week mask, classroom.
type ScheduleFields = (Option<i64>, i32, String, i64, Option<i64>);
/// Regular, midterm, final and total scores.
type Scores = (Option<i32>, Option<i32>, Option<i32>, i32);

/// How rows are saved: for real or weighed only (`dry`), and whether grade changes are told.
#[derive(Debug, Clone, Copy)]
pub struct Mode {
    pub dry: bool,
    pub alerts: bool,
}

pub fn save(conn: &mut DbConn, item: &Item, mode: Mode) -> AppResult<Outcome> {
    let outcome = save_item(conn, item, mode)?;
    // The class timetables are kept in process (`queries::meetings_of_class`) with the names of
    // their courses, teachers and rooms.
    let timetable =
        matches!(item, Item::Teacher { .. } | Item::Course { .. } | Item::Classroom { .. } | Item::Schedule { .. });
    if timetable && !mode.dry && outcome != Outcome::Unchanged {
        refdata::changed(conn, refdata::Kind::Timetable)?;
    }
    Ok(outcome)
}

fn save_item(conn: &mut DbConn, item: &Item, mode: Mode) -> AppResult<Outcome> {
    let dry = mode.dry;
    let now = db::now();
    match item {
        Item::Student { no, name, college, major, class_name, enrol_year, status, id_hash } => {
            type Row = (String, String, String, String, i32, String, Option<String>);
            let old: Option<Row> = students::table
                .filter(students::student_no.eq(no))
                .select((
                    students::name,
                    students::college,
                    students::major,
                    students::class_name,
                    students::enrol_year,
                    students::status,
                    students::id_hash,
                ))
                .first(conn)
                .optional()?;
            // A file without the ID column keeps what an earlier import gave.
            let id_hash = id_hash.clone().or_else(|| old.as_ref().and_then(|o| o.6.clone()));
            let new: Row = (
                name.clone(),
                college.clone(),
                major.clone(),
                class_name.clone(),
                *enrol_year,
                status.clone(),
                id_hash.clone(),
            );
            let outcome = Outcome::of(old, &new);
            let values = (
                students::name.eq(name),
                students::college.eq(college),
                students::major.eq(major),
                students::class_name.eq(class_name),
                students::enrol_year.eq(enrol_year),
                students::status.eq(status),
                students::id_hash.eq(&id_hash),
                students::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(students::table)
                            .values((values, students::student_no.eq(no), students::created_at.eq(now)))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(students::table.filter(students::student_no.eq(no)))
                            .set(values)
                            .execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Teacher { no, name, department, title } => {
            let old: Option<(String, String, String)> = teachers::table
                .filter(teachers::staff_no.eq(no))
                .select((teachers::name, teachers::department, teachers::title))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(name.clone(), department.clone(), title.clone()));
            let values = (
                teachers::name.eq(name),
                teachers::department.eq(department),
                teachers::title.eq(title),
                teachers::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(teachers::table)
                            .values((values, teachers::staff_no.eq(no), teachers::created_at.eq(now)))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(teachers::table.filter(teachers::staff_no.eq(no))).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Course { code, name, credit_tenths, kind } => {
            let old: Option<(String, i32, String)> = courses::table
                .filter(courses::code.eq(code))
                .select((courses::name, courses::credit_tenths, courses::kind))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(name.clone(), *credit_tenths, kind.clone()));
            let values = (
                courses::name.eq(name),
                courses::credit_tenths.eq(credit_tenths),
                courses::kind.eq(kind),
                courses::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(courses::table)
                            .values((values, courses::code.eq(code), courses::created_at.eq(now)))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(courses::table.filter(courses::code.eq(code))).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Classroom { code, building, capacity } => {
            let old: Option<(String, i32)> = classrooms::table
                .filter(classrooms::code.eq(code))
                .select((classrooms::building, classrooms::capacity))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(building.clone(), *capacity));
            let values =
                (classrooms::building.eq(building), classrooms::capacity.eq(capacity), classrooms::updated_at.eq(now));
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(classrooms::table)
                            .values((values, classrooms::code.eq(code), classrooms::created_at.eq(now)))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(classrooms::table.filter(classrooms::code.eq(code)))
                            .set(values)
                            .execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
                if outcome != Outcome::Unchanged {
                    refdata::changed(conn, refdata::Kind::Classrooms)?;
                }
            }
            Ok(outcome)
        }
        Item::Calendar { semester, event } => {
            let mut outcome = Outcome::Unchanged;
            if let Some(s) = semester {
                outcome = save_semester(conn, s, dry, now)?;
            }
            if let Some(e) = event {
                outcome = outcome.and(save_event(conn, e, dry, now)?);
            }
            Ok(outcome)
        }
        Item::Schedule {
            semester_id,
            course_id,
            teacher_id,
            class_names,
            day,
            start,
            end,
            weeks,
            mask,
            classroom_id,
        } => {
            let key = course_schedules::table
                .filter(course_schedules::semester_id.eq(semester_id))
                .filter(course_schedules::course_id.eq(course_id))
                .filter(course_schedules::class_names.eq(class_names))
                .filter(course_schedules::day_of_week.eq(day))
                .filter(course_schedules::period_start.eq(start));
            let old: Option<ScheduleFields> = key
                .select((
                    course_schedules::teacher_id,
                    course_schedules::period_end,
                    course_schedules::weeks,
                    course_schedules::week_mask,
                    course_schedules::classroom_id,
                ))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(*teacher_id, *end, weeks.clone(), *mask, *classroom_id));
            let values = (
                course_schedules::teacher_id.eq(teacher_id),
                course_schedules::period_end.eq(end),
                course_schedules::weeks.eq(weeks),
                course_schedules::week_mask.eq(mask),
                course_schedules::classroom_id.eq(classroom_id),
                course_schedules::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(course_schedules::table)
                            .values((
                                values,
                                course_schedules::semester_id.eq(semester_id),
                                course_schedules::course_id.eq(course_id),
                                course_schedules::class_names.eq(class_names),
                                course_schedules::day_of_week.eq(day),
                                course_schedules::period_start.eq(start),
                                course_schedules::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(key).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Grade { no, semester_id, course_id, regular, midterm, final_score, total } => {
            let key = grades::table
                .filter(grades::student_no.eq(no))
                .filter(grades::semester_id.eq(semester_id))
                .filter(grades::course_id.eq(course_id));
            let old: Option<Scores> = key
                .select((grades::regular, grades::midterm, grades::final_score, grades::total))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(*regular, *midterm, *final_score, *total));
            let values = (
                grades::regular.eq(regular),
                grades::midterm.eq(midterm),
                grades::final_score.eq(final_score),
                grades::total.eq(total),
                grades::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(grades::table)
                            .values((
                                values,
                                grades::student_no.eq(no),
                                grades::semester_id.eq(semester_id),
                                grades::course_id.eq(course_id),
                                grades::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(key).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
                if mode.alerts && outcome != Outcome::Unchanged {
                    crate::academic::alerts::grade_saved(conn, no, *course_id, *total, outcome == Outcome::Created)?;
                }
            }
            Ok(outcome)
        }
        Item::Exam { no, semester_id, course_id, starts_at, ends_at, room, seat } => {
            let key = exams::table
                .filter(exams::student_no.eq(no))
                .filter(exams::semester_id.eq(semester_id))
                .filter(exams::course_id.eq(course_id));
            let old: Option<(NaiveDateTime, NaiveDateTime, String, String)> =
                key.select((exams::starts_at, exams::ends_at, exams::room, exams::seat)).first(conn).optional()?;
            let outcome = Outcome::of(old, &(*starts_at, *ends_at, room.clone(), seat.clone()));
            let values = (
                exams::starts_at.eq(starts_at),
                exams::ends_at.eq(ends_at),
                exams::room.eq(room),
                exams::seat.eq(seat),
                exams::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(exams::table)
                            .values((
                                values,
                                exams::student_no.eq(no),
                                exams::semester_id.eq(semester_id),
                                exams::course_id.eq(course_id),
                                exams::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(key).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Contact { department, office, phone, email, location, hours } => {
            let key = campus_contacts::table
                .filter(campus_contacts::department.eq(department))
                .filter(campus_contacts::office.eq(office));
            type Row = (String, String, String, String);
            let old: Option<Row> = key
                .select((
                    campus_contacts::phone,
                    campus_contacts::email,
                    campus_contacts::location,
                    campus_contacts::hours,
                ))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(phone.clone(), email.clone(), location.clone(), hours.clone()));
            let values = (
                campus_contacts::phone.eq(phone),
                campus_contacts::email.eq(email),
                campus_contacts::location.eq(location),
                campus_contacts::hours.eq(hours),
                campus_contacts::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(campus_contacts::table)
                            .values((
                                values,
                                campus_contacts::department.eq(department),
                                campus_contacts::office.eq(office),
                                campus_contacts::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(key).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
        Item::Evaluation { no, year, academic, moral, sports, extra } => {
            let key = evaluations::table.filter(evaluations::student_no.eq(no)).filter(evaluations::year.eq(year));
            let old: Option<(i32, i32, i32, i32)> = key
                .select((evaluations::academic, evaluations::moral, evaluations::sports, evaluations::extra))
                .first(conn)
                .optional()?;
            let outcome = Outcome::of(old, &(*academic, *moral, *sports, *extra));
            let values = (
                evaluations::academic.eq(academic),
                evaluations::moral.eq(moral),
                evaluations::sports.eq(sports),
                evaluations::extra.eq(extra),
                evaluations::updated_at.eq(now),
            );
            if !dry {
                match outcome {
                    Outcome::Created => {
                        diesel::insert_into(evaluations::table)
                            .values((
                                values,
                                evaluations::student_no.eq(no),
                                evaluations::year.eq(year),
                                evaluations::created_at.eq(now),
                            ))
                            .execute(conn)?;
                    }
                    Outcome::Updated => {
                        diesel::update(key).set(values).execute(conn)?;
                    }
                    Outcome::Unchanged => {}
                }
            }
            Ok(outcome)
        }
    }
}

fn save_semester(conn: &mut DbConn, s: &SemesterSpec, dry: bool, now: NaiveDateTime) -> AppResult<Outcome> {
    let old: Option<(String, chrono::NaiveDate, i32)> = semesters::table
        .filter(semesters::code.eq(&s.code))
        .select((semesters::name, semesters::starts_on, semesters::weeks))
        .first(conn)
        .optional()?;
    let outcome = Outcome::of(old, &(s.name.clone(), s.starts_on, s.weeks));
    let values = (
        semesters::name.eq(&s.name),
        semesters::starts_on.eq(s.starts_on),
        semesters::weeks.eq(s.weeks),
        semesters::updated_at.eq(now),
    );
    if !dry {
        match outcome {
            Outcome::Created => {
                diesel::insert_into(semesters::table)
                    .values((values, semesters::code.eq(&s.code), semesters::created_at.eq(now)))
                    .execute(conn)?;
            }
            Outcome::Updated => {
                diesel::update(semesters::table.filter(semesters::code.eq(&s.code))).set(values).execute(conn)?;
            }
            Outcome::Unchanged => {}
        }
        if outcome != Outcome::Unchanged {
            refdata::changed(conn, refdata::Kind::Semesters)?;
        }
    }
    Ok(outcome)
}

fn save_event(conn: &mut DbConn, e: &EventSpec, dry: bool, now: NaiveDateTime) -> AppResult<Outcome> {
    let semester: Option<i64> =
        semesters::table.filter(semesters::code.eq(&e.semester)).select(semesters::id).first(conn).optional()?;
    // In a dry run the semester may be one this very file would create.
    let Some(semester_id) = semester else { return Ok(Outcome::Created) };
    let key = calendar_events::table
        .filter(calendar_events::semester_id.eq(semester_id))
        .filter(calendar_events::kind.eq(e.kind))
        .filter(calendar_events::title.eq(&e.title))
        .filter(calendar_events::starts_on.eq(e.starts_on));
    let old: Option<(chrono::NaiveDate, Option<chrono::NaiveDate>)> =
        key.select((calendar_events::ends_on, calendar_events::follows_on)).first(conn).optional()?;
    let outcome = Outcome::of(old, &(e.ends_on, e.follows_on));
    if !dry {
        match outcome {
            Outcome::Created => {
                diesel::insert_into(calendar_events::table)
                    .values((
                        calendar_events::semester_id.eq(semester_id),
                        calendar_events::kind.eq(e.kind),
                        calendar_events::title.eq(&e.title),
                        calendar_events::starts_on.eq(e.starts_on),
                        calendar_events::ends_on.eq(e.ends_on),
                        calendar_events::follows_on.eq(e.follows_on),
                        calendar_events::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            Outcome::Updated => {
                diesel::update(key)
                    .set((calendar_events::ends_on.eq(e.ends_on), calendar_events::follows_on.eq(e.follows_on)))
                    .execute(conn)?;
            }
            Outcome::Unchanged => {}
        }
        if outcome != Outcome::Unchanged {
            refdata::changed(conn, refdata::Kind::Calendar)?;
        }
    }
    Ok(outcome)
}
