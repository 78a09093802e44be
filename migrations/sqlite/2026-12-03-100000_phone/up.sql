-- A phone number belongs to at most one account, and only by SMS code (/me/phone). Numbers typed
-- in before that check: blanks become NULL, and of a number on several accounts only the oldest
-- account keeps it (the others bind theirs again by SMS).
UPDATE users SET phone = NULL WHERE phone = '';
UPDATE users SET phone = NULL
 WHERE phone IS NOT NULL
   AND id > (SELECT MIN(u2.id) FROM users u2 WHERE u2.phone = users.phone);
CREATE UNIQUE INDEX users_phone_unique ON users (phone);

-- SMS sending limits per number (keyed by an HMAC of the number, never the number): one code a
-- minute, 10 a day. Claimed by one conditional UPDATE, so parallel requests cannot both send.
CREATE TABLE sms_sends (
    target TEXT PRIMARY KEY NOT NULL,
    last_sent_at TIMESTAMP NOT NULL,
    window_start TIMESTAMP NOT NULL,
    sent_in_window INTEGER NOT NULL
);
