-- Staff two-factor sign-in (TOTP, RFC 6238). A row with confirmed_at NULL is an enrolment in
-- progress (the secret shown, no code typed yet). last_step is the last 30-second time step a
-- code was accepted for: a code is accepted only for a later step, so none is used twice.
CREATE TABLE two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL
);

-- One-time recovery codes: only their SHA-256 is kept; used_at set once, by a conditional UPDATE.
CREATE TABLE two_factor_recovery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX two_factor_recovery_code_idx ON two_factor_recovery (user_id, code_hash);
