-- Which account is which teacher of the staff roster (teachers.staff_no): a teacher sees their
-- own teaching week, their courses' rosters, and enters grades for those courses only. One
-- account per staff number and one staff number per account.
CREATE TABLE teacher_accounts (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    staff_no TEXT NOT NULL UNIQUE REFERENCES teachers (staff_no),
    linked_at TIMESTAMP NOT NULL
);
