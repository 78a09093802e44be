DROP TABLE grades_seen;
