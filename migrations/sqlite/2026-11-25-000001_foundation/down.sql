DROP TABLE audit_log;
DROP TABLE email_outbox;
DROP TABLE jobs;
DROP TABLE messages;
DROP TABLE auth_tokens;
DROP TABLE user_auth;
DROP TABLE user_roles;
DROP TABLE users;
