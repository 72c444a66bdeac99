-- The outbox applications write their events to (in the same transaction as their own change):
--   insert into outbox (aggregate_type, event_type, client_id, payload, occurred_at) values (…);
-- Sluice publishes each event exactly once to bronze/events/date=YYYY-MM-DD/part-*.parquet and then
-- sets published_at. Applications never set event_id, batch_id or published_at.
create table outbox (
    event_id       bigserial   primary key,
    aggregate_type text        not null,
    event_type     text        not null,
    client_id      text        not null,
    payload        jsonb       not null,
    occurred_at    timestamptz not null default now(),
    published_at   timestamptz,
    batch_id       bigint                            -- the bronze batch that took it
);
create index outbox_unclaimed on outbox (event_id) where batch_id is null;
create index outbox_batch on outbox (batch_id) where published_at is null;

-- A bronze batch: claimed (its events fixed) → written (its objects stored) → published.
-- A batch claimed but not published is redone with exactly the same events and object keys.
create table bronze_batch (
    id            bigserial   primary key,
    events        integer     not null,
    status        text        not null,              -- claimed | published
    object_keys   text[],
    bytes         bigint,
    claimed_at    timestamptz not null default now(),
    published_at  timestamptz
);

-- Silver bookkeeping: which bronze files a silver table has taken in, and which events it holds
-- (dedup by event id across files and runs).
create table silver_file (
    silver_table  text        not null,
    bronze_key    text        not null,
    rows_in       bigint      not null,
    rows_out      bigint      not null,
    rejected      bigint      not null,
    object_keys   text[]      not null,
    run_id        bigint      references ingest_run (id),
    processed_at  timestamptz not null default now(),
    primary key (silver_table, bronze_key)
);
create table silver_event (
    silver_table  text        not null,
    event_id      bigint      not null,
    primary key (silver_table, event_id)
);
