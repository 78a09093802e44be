DROP TABLE feedback_replies;
DROP TABLE feedback;
