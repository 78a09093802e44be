DROP INDEX refunds_status_idx;
ALTER TABLE refunds DROP COLUMN last_error;
ALTER TABLE refunds DROP COLUMN attempts;
