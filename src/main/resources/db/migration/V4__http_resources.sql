-- One row per HTTP source and period: the validators for the next conditional GET and what the
-- last attempt came to (fetched | not_modified | not_available | failed).
create table http_resource (
    source        text        not null,
    period        text        not null,
    url           text        not null,
    etag          text,
    last_modified text,
    sha256        text,
    status        text        not null,
    rows_loaded   bigint      not null default 0,
    bytes         bigint      not null default 0,
    attempts      integer     not null default 0,
    last_error    text,
    fetched_at    timestamptz,
    checked_at    timestamptz not null default now(),
    primary key (source, period)
);
