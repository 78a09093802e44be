-- One row per kind of reference data (semesters, periods, classrooms, calendar, boards,
-- categories, settings, sensitive words): bumped in the transaction that changes it, so every
-- instance's in-process cache (db::refdata) knows its copy is old.
CREATE TABLE ref_versions (
    name TEXT PRIMARY KEY NOT NULL,
    version BIGINT NOT NULL DEFAULT 0
);
