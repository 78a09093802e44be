DROP TABLE schedule_entries;
