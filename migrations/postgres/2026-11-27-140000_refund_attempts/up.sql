-- Refunds go to the payment provider through the job queue: how many times we asked, and what
-- went wrong last. Status gains `failed` (every attempt failed) and `abnormal` (WeChat Pay could
-- not pay it back), which admins settle on /admin/refunds.
ALTER TABLE refunds ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE refunds ADD COLUMN last_error TEXT;
CREATE INDEX refunds_status_idx ON refunds (status, id);
