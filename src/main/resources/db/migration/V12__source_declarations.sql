-- The sources route files declare (a route starting at a source Kamelet), with the Kamelet's
-- parameters: integrations that do not run a source's route (the sources API, the purge) know it too.
create table source_declaration (
    name        text primary key,
    kind        text        not null,
    parameters  jsonb       not null,
    -- the Kamelet route that declared it (<source>-poll)
    route       text        not null,
    declared_at timestamptz not null
);
