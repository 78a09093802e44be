DROP INDEX users_nickname_idx;
DROP TABLE forum_bans;
DROP TABLE forum_mutes;
DROP TABLE forum_reports;
DROP TABLE forum_likes;
DROP TABLE forum_comments;
DROP TABLE forum_posts;
DROP TABLE forum_boards;
