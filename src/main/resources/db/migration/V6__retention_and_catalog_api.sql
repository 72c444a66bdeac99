-- Retention purge: a catalog row is marked before its object is deleted, so a row whose object may
-- already be gone is never listed as available; an interrupted purge finds its marked rows again.
alter table catalog add column purge_started_at timestamptz;
create index catalog_purging on catalog (source) where purge_started_at is not null;
-- a purge walks a source's rows oldest first in batches, resuming after the last (ingested_at, id)
create index catalog_source_ingested_id on catalog (source, ingested_at, id);
drop index catalog_source_ingested;
-- poll (written by a source) | manual (POST /datasets); manual entries are never purged
alter table catalog add column origin text not null default 'poll';

-- ledger rows are purged with their objects; the runs that loaded them stay, without the link
alter table ingest_run drop constraint ingest_run_ledger_id_fkey,
    add constraint ingest_run_ledger_id_fkey foreign key (ledger_id) references file_ledger (id) on delete set null;
create index file_ledger_source_updated on file_ledger (source, updated_at);
create index file_ledger_dataset_updated on file_ledger (dataset, updated_at) where archive_key is not null;

-- what a run did beyond rows and bytes (a purge's deleted/failed counts, a batch's summary)
alter table ingest_run add column summary jsonb;
create index ingest_run_started on ingest_run (started_at desc);
