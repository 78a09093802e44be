-- Phone numbers are stored sealed (a fresh ciphertext each time), so uniqueness lives on their
-- blind index (users_phone_index, 2026-12-03-130000), not on the stored text.
DROP INDEX users_phone_unique;
