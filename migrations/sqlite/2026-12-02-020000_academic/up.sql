-- The academic records imported from the school's own system (教务系统, the source of truth):
-- semesters and their calendar, the bell schedule, students, teachers, courses, classrooms,
-- the timetable, grades and exams; and the admin's import runs with their progress.
-- Natural keys are unique so that re-importing the same file changes nothing.
CREATE TABLE semesters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    starts_on DATE NOT NULL,
    weeks INTEGER NOT NULL CHECK (weeks BETWEEN 1 AND 30),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX semesters_start_idx ON semesters (starts_on);

CREATE TABLE calendar_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'exam_week', 'key_date')),
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE UNIQUE INDEX calendar_events_key ON calendar_events (semester_id, kind, title, starts_on);

-- The bell schedule: 第1-12节, times of day in Asia/Shanghai.
CREATE TABLE periods (
    number INTEGER PRIMARY KEY CHECK (number BETWEEN 1 AND 12),
    starts_at TIME NOT NULL,
    ends_at TIME NOT NULL
);
INSERT INTO periods (number, starts_at, ends_at) VALUES
    (1, '08:00:00', '08:45:00'), (2, '08:55:00', '09:40:00'),
    (3, '10:00:00', '10:45:00'), (4, '10:55:00', '11:40:00'),
    (5, '14:00:00', '14:45:00'), (6, '14:55:00', '15:40:00'),
    (7, '16:00:00', '16:45:00'), (8, '16:55:00', '17:40:00'),
    (9, '19:00:00', '19:45:00'), (10, '19:55:00', '20:40:00'),
    (11, '20:50:00', '21:35:00'), (12, '21:45:00', '22:30:00');

-- id_hash is a keyed hash (HMAC with the server secret) of the ID-number fragment the school
-- sends; the fragment itself is never stored.
CREATE TABLE students (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    college TEXT NOT NULL,
    major TEXT NOT NULL,
    class_name TEXT NOT NULL,
    enrol_year INTEGER NOT NULL,
    status TEXT NOT NULL,
    phone TEXT,
    id_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX students_class_idx ON students (class_name);

CREATE TABLE teachers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE courses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    credit_tenths INTEGER NOT NULL CHECK (credit_tenths BETWEEN 0 AND 300),
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE classrooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    building TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One weekly meeting of a course for some classes. `weeks` is the text as the school wrote it
-- ("1-8,10-16", "1-16单周"); `week_mask` has bit n-1 set when it meets in teaching week n.
CREATE TABLE course_schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id),
    teacher_id BIGINT REFERENCES teachers (id),
    class_names TEXT NOT NULL,
    day_of_week INTEGER NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
    period_start INTEGER NOT NULL CHECK (period_start BETWEEN 1 AND 12),
    period_end INTEGER NOT NULL CHECK (period_end BETWEEN 1 AND 12),
    weeks TEXT NOT NULL,
    week_mask BIGINT NOT NULL,
    classroom_id BIGINT REFERENCES classrooms (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_end >= period_start)
);
CREATE UNIQUE INDEX course_schedules_key
    ON course_schedules (semester_id, course_id, class_names, day_of_week, period_start);
CREATE INDEX course_schedules_teacher_idx ON course_schedules (teacher_id, semester_id);

-- Scores in tenths of a point (87.5 is 875).
CREATE TABLE grades (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_no TEXT NOT NULL REFERENCES students (student_no),
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id),
    regular INTEGER,
    midterm INTEGER,
    final INTEGER,
    total INTEGER NOT NULL CHECK (total BETWEEN 0 AND 1000),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX grades_key ON grades (student_no, semester_id, course_id);

CREATE TABLE exams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_no TEXT NOT NULL REFERENCES students (student_no),
    semester_id BIGINT NOT NULL REFERENCES semesters (id) ON DELETE CASCADE,
    course_id BIGINT NOT NULL REFERENCES courses (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    room TEXT NOT NULL,
    seat TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX exams_key ON exams (student_no, semester_id, course_id);
CREATE INDEX exams_student_time_idx ON exams (student_no, starts_at);

-- An admin's import run; `errors` is JSON [[line, column, reason], ...].
CREATE TABLE academic_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    dry_run BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    total_rows BIGINT NOT NULL,
    done_rows BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
