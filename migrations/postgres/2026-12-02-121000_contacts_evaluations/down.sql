DROP TABLE evaluations;
DROP TABLE campus_contacts;
