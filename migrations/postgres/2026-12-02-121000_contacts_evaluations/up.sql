-- The campus directory: the offices of departments with phone, email, place and hours.
-- Staff offices only: no student's number or phone is ever kept here.
CREATE TABLE campus_contacts (
    id BIGSERIAL PRIMARY KEY,
    department TEXT NOT NULL,
    office TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    location TEXT NOT NULL,
    hours TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX campus_contacts_key ON campus_contacts (department, office);

-- 综合测评: a student's assessment of one school year by category, in tenths of a point
-- (0-100). The weighted total and the class rank are computed (academic::evaluation).
CREATE TABLE evaluations (
    id BIGSERIAL PRIMARY KEY,
    student_no TEXT NOT NULL REFERENCES students (student_no),
    year TEXT NOT NULL,
    academic INTEGER NOT NULL CHECK (academic BETWEEN 0 AND 1000),
    moral INTEGER NOT NULL CHECK (moral BETWEEN 0 AND 1000),
    sports INTEGER NOT NULL CHECK (sports BETWEEN 0 AND 1000),
    extra INTEGER NOT NULL CHECK (extra BETWEEN 0 AND 1000),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX evaluations_key ON evaluations (student_no, year);
CREATE INDEX evaluations_year_idx ON evaluations (year);
