-- Landing attempts, counted before a landed file is read: a file whose load fails every time — or
-- that stops Sluice while it is read (a crash, running out of memory) — goes to error/ after
-- sluice.landing.max-attempts attempts instead of being tried forever. A row lives while its file
-- waits in the inbox; loading or rejecting the file deletes it. Attempts cut short by a passing
-- outage (database or object store unreachable) are not counted.
create table landing_attempt (
    path             text        not null,   -- the file in the inbox
    size_bytes       bigint      not null,   -- size and modification time tell a replaced file from the same one
    modified_at      timestamptz not null,
    attempts         integer     not null,   -- attempts that failed or never finished
    last_error       text,                   -- why the last one failed (null: it never finished)
    retry_after      timestamptz,            -- a failed attempt is retried after this (backoff)
    first_attempt_at timestamptz not null default now(),
    last_attempt_at  timestamptz not null default now(),
    primary key (path, size_bytes, modified_at)
);
