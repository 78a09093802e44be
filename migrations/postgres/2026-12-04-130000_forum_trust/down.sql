DROP TABLE forum_warnings;
DROP TABLE forum_mod_log;
DROP TABLE forum_moderators;
DROP TABLE forum_comment_reports;
DROP TABLE forum_saves;
ALTER TABLE activities DROP COLUMN open_to_all;
ALTER TABLE forum_boards DROP COLUMN review_all;
ALTER TABLE forum_boards DROP COLUMN open_to_all;
