-- Activities and registrations. Seats are counted in activities.registered, moved only by a
-- conditional UPDATE (registered < capacity); a registration that finds no seat waits in line
-- (status waitlisted, in id order) and is promoted when a seat frees up.
CREATE TABLE activities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    poster TEXT,
    place TEXT NOT NULL,
    poi_id BIGINT,
    organizer_id BIGINT NOT NULL REFERENCES users (id),
    host TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    deadline TIMESTAMP NOT NULL,
    capacity BIGINT NOT NULL,
    registered BIGINT NOT NULL DEFAULT 0,
    questions TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'published',
    reminded_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX activities_status_start_idx ON activities (status, starts_at, id);
CREATE INDEX activities_category_start_idx ON activities (category, status, starts_at, id);
CREATE INDEX activities_organizer_idx ON activities (organizer_id, starts_at DESC);

CREATE TABLE activity_registrations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    name TEXT NOT NULL,
    student_no TEXT NOT NULL,
    phone TEXT NOT NULL,
    answers TEXT NOT NULL DEFAULT '[]',
    code TEXT NOT NULL,
    checked_in_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One live registration per person and activity; a cancelled one does not count.
CREATE UNIQUE INDEX activity_registrations_live_key ON activity_registrations (activity_id, user_id)
    WHERE status <> 'cancelled';
CREATE UNIQUE INDEX activity_registrations_code_key ON activity_registrations (code);
CREATE INDEX activity_registrations_line_idx ON activity_registrations (activity_id, status, id);
CREATE INDEX activity_registrations_user_idx ON activity_registrations (user_id, created_at DESC);
