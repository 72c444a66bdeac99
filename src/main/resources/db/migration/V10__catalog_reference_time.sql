-- Retention of a source's objects counts from the data's time when the catalog knows it (reference_time:
-- the model cycle or scan time the key template reads from the key), else from the ingest time. The purge
-- walks a source's rows in that order.
create index catalog_source_retained on catalog (source, (coalesce(reference_time, ingested_at)), id);
