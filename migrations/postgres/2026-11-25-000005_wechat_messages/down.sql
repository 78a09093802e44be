DROP TABLE sensitive_words;
DROP TABLE wx_subscriptions;
