ALTER TABLE students ADD COLUMN phone TEXT;
DROP INDEX users_phone_index;
ALTER TABLE users DROP COLUMN phone_index;
