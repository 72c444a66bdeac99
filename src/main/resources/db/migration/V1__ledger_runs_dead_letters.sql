-- Every file or object Sluice has seen, once per distinct content: a second delivery of the same
-- content hits the unique key and is a no-op.
create table file_ledger (
    id            bigserial primary key,
    source        text        not null,            -- 'landing' or a source name
    identity      text        not null,            -- file name or object key
    content_hash  text        not null,            -- sha256 (hex) of a file, ETag of an object
    size_bytes    bigint      not null,
    dataset       text,
    status        text        not null,            -- loading | loaded | archived | rejected
    attempts      integer     not null default 0,
    last_error    text,
    archive_key   text,
    first_seen_at timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint file_ledger_identity_content unique (source, identity, content_hash)
);
create index file_ledger_status on file_ledger (status, updated_at);
create index file_ledger_archive_key on file_ledger (archive_key);

-- One row per file, poll or batch that Sluice worked on, whatever its outcome.
create table ingest_run (
    id            bigserial primary key,
    source        text        not null,
    kind          text        not null,            -- file | poll | batch | purge
    subject       text,                            -- file name, prefix, batch range
    dataset       text,
    ledger_id     bigint references file_ledger (id),
    rows_read     bigint      not null default 0,
    rows_loaded   bigint      not null default 0,
    rows_rejected bigint      not null default 0,
    bytes         bigint      not null default 0,
    started_at    timestamptz not null,
    finished_at   timestamptz not null,
    duration_ms   bigint      not null,
    outcome       text        not null,            -- loaded | duplicate | rejected | failed
    message       text
);
create index ingest_run_source_started on ingest_run (source, started_at desc);

-- Records that could not be loaded, with where they came from and why; nothing is dropped silently.
create table dead_letter (
    id            bigserial primary key,
    source        text        not null,
    dataset       text,
    file          text        not null,
    record_number bigint,                          -- 1-based line (CSV/NDJSON) or row number
    reason        text        not null,
    raw_record    text,
    ingest_run_id bigint references ingest_run (id),
    created_at    timestamptz not null default now()
);
create index dead_letter_file on dead_letter (file, record_number);
create index dead_letter_created on dead_letter (created_at desc);
