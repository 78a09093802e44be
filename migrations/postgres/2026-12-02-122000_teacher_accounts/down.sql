DROP TABLE teacher_accounts;
