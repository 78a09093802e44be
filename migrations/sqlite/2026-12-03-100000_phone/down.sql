DROP TABLE sms_sends;
DROP INDEX users_phone_unique;
