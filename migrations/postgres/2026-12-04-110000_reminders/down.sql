DROP TABLE reminder_log;
DROP TABLE quiet_hours;
DROP TABLE reminder_prefs;
