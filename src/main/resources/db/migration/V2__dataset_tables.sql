-- Target tables of the datasets declared in src/main/resources/datasets.yaml.

-- Rain-gauge readings (the rain-tracker table Sluice replaces); natural key: gauge + time.
create table rain_readings (
    gauge_id     text        not null,
    observed_at  timestamptz not null,
    rainfall_in  numeric(8, 3),
    quality      text,
    primary key (gauge_id, observed_at)
);

-- Datasets (the dataset-API table Sluice replaces); natural key: name.
create table datasets (
    name         text        primary key,
    description  text,
    source_url   text,
    format       text,
    license      text,
    updated_at   timestamptz
);
