-- Phone numbers and delivery addresses are sealed at rest (src/db/sealed.rs): the app re-writes
-- the existing plaintext values sealed at its next start (db::reseal), so this migration only
-- makes room for the blind index that finds an account by phone.
-- Phone numbers were typed in unchecked before: where two accounts carry the same number, only
-- the earliest keeps it (a number belongs to one account from now on).
UPDATE users SET phone = NULL
WHERE phone IS NOT NULL
  AND id NOT IN (SELECT MIN(id) FROM users WHERE phone IS NOT NULL GROUP BY phone);
UPDATE users SET phone = NULL WHERE phone = '';
ALTER TABLE users ADD COLUMN phone_index TEXT;
CREATE UNIQUE INDEX users_phone_index ON users (phone_index);

-- The roster's phone numbers are not kept: nothing uses them, and an account's own phone is
-- bound by SMS code (data minimisation).
ALTER TABLE students DROP COLUMN phone;
