-- Outbox → bronze claims and marks by batch instead of by event (two UPDATEs per event were two
-- thirds of the publisher's time): a bronze batch is the range of event ids (after_event_id,
-- last_event_id], and an event is published when its batch is. Events themselves are never updated.
alter table bronze_batch add column after_event_id bigint, add column last_event_id bigint;
-- batches claimed the old way: their range from their events (claimed in id order, one at a time)
update bronze_batch b set after_event_id = r.first_id - 1, last_event_id = r.last_id
from (select batch_id, min(event_id) as first_id, max(event_id) as last_id from outbox where batch_id is not null group by batch_id) r
where r.batch_id = b.id;
delete from bronze_batch where after_event_id is null;  -- claimed nothing (none such are written)
create index bronze_batch_range on bronze_batch (last_event_id);

-- The events: Sluice reads outbox_event; applications keep inserting into (and reading) outbox, now a
-- view that shows each event's batch and published_at from the range its batch holds. The view is
-- updatable for inserts (one table, the batch columns computed): insert into outbox (aggregate_type,
-- event_type, client_id, payload, occurred_at) values (…) works as before.
drop index outbox_unclaimed;
drop index outbox_batch;
alter table outbox rename to outbox_event;
alter table outbox_event drop column published_at, drop column batch_id;
create view outbox as
select e.event_id, e.aggregate_type, e.event_type, e.client_id, e.payload, e.occurred_at,
       (select case when b.after_event_id < e.event_id then b.published_at end
        from bronze_batch b where b.last_event_id >= e.event_id order by b.last_event_id limit 1) as published_at,
       (select case when b.after_event_id < e.event_id then b.id end
        from bronze_batch b where b.last_event_id >= e.event_id order by b.last_event_id limit 1) as batch_id
from outbox_event e;
