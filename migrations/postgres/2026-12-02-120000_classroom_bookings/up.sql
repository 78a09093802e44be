-- Requests to use a classroom on one day for a run of periods (第 from–to 节), decided by an
-- admin. An approved booking holds one row per period in classroom_booking_slots; that table's
-- primary key (classroom, day, period) is what makes two approved bookings of one slot
-- impossible, however the approvals interleave: the second insert fails and its approval
-- rolls back.
CREATE TABLE classroom_bookings (
    id BIGSERIAL PRIMARY KEY,
    classroom_id BIGINT NOT NULL REFERENCES classrooms (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    on_date DATE NOT NULL,
    period_start INTEGER NOT NULL CHECK (period_start BETWEEN 1 AND 12),
    period_end INTEGER NOT NULL CHECK (period_end BETWEEN 1 AND 12),
    purpose TEXT NOT NULL,
    attendees INTEGER NOT NULL CHECK (attendees >= 1),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
    reason TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_end >= period_start)
);
CREATE INDEX classroom_bookings_user_idx ON classroom_bookings (user_id, on_date);
CREATE INDEX classroom_bookings_status_idx ON classroom_bookings (status, on_date);

CREATE TABLE classroom_booking_slots (
    classroom_id BIGINT NOT NULL REFERENCES classrooms (id),
    on_date DATE NOT NULL,
    period INTEGER NOT NULL CHECK (period BETWEEN 1 AND 12),
    booking_id BIGINT NOT NULL REFERENCES classroom_bookings (id) ON DELETE CASCADE,
    PRIMARY KEY (classroom_id, on_date, period)
);
CREATE INDEX classroom_booking_slots_booking_idx ON classroom_booking_slots (booking_id);
