-- Rain gauges as the district describes them (one metadata file per gauge).
create table gauges (
    gauge_id     text primary key,
    name         text,
    latitude     numeric(9, 6),
    longitude    numeric(9, 6),
    elevation_ft numeric(8, 1),
    city         text
);
