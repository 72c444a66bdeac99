-- The catalog of objects Sluice stored: what each one is (source, parameter, level, times) and where
-- it is. One row per stored object; a changed upstream ETag replaces the object and bumps version.
create table catalog (
    id              bigserial primary key,
    source          text        not null,
    parameter       text,                           -- GRIB variable, band or product when known
    level           text,                           -- GRIB level when subset
    reference_time  timestamptz,                    -- model cycle, or scan/observation time
    forecast_hour   integer,
    valid_time      timestamptz,                    -- reference_time + forecast_hour
    storage_key     text        not null unique,
    bytes           bigint      not null,
    upstream_bucket text,
    upstream_key    text,
    upstream_etag   text,
    version         integer     not null default 1,
    ingested_at     timestamptz not null default now(),
    run_id          bigint references ingest_run (id)
);
create index catalog_source_reference on catalog (source, reference_time);
create index catalog_source_ingested on catalog (source, ingested_at);

-- A backfill of a source over a range of periods, and its per-period ledger (resumable).
create table backfill (
    id                  bigserial primary key,
    source              text        not null,
    period_from         text        not null,
    period_to           text        not null,
    continue_on_failure boolean     not null default true,
    status              text        not null,       -- running | done | failed
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);
create table backfill_period (
    backfill_id  bigint      not null references backfill (id),
    period       text        not null,
    position     integer     not null,
    status       text        not null,              -- pending | running | done | failed
    attempts     integer     not null default 0,
    objects      bigint      not null default 0,
    bytes        bigint      not null default 0,
    last_error   text,
    started_at   timestamptz,
    finished_at  timestamptz,
    primary key (backfill_id, period)
);

-- ingest_run rows of polls are opened when the poll starts, so catalog rows can point at them
alter table ingest_run alter column finished_at drop not null, alter column duration_ms drop not null;
