package dev.sluice.it;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A file whose load fails every time (here: the database refuses one of its rows) is tried
 * sluice.landing.max-attempts times (default 5) and then goes to error/ with its last error; the
 * rest of the inbox keeps flowing meanwhile, and a JSON document over the size limit is refused
 * with a clear reason instead of being read into memory.
 */
@QuarkusTest
@QuarkusTestResource(SluiceTestResources.class)
class LandingPoisonTest {

    @Inject
    Landing landing;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aFileThatFailsEveryTimeShouldEndInErrorAfterMaxAttemptsWithoutBlockingTheInbox() throws Exception {
        execute("""
                create or replace function poison_gauge() returns trigger language plpgsql as $$
                begin
                  if new.gauge_id like 'POISON-%' then raise exception 'poisoned row for %', new.gauge_id; end if;
                  return new;
                end $$""");
        execute("create trigger poison_gauge before insert or update on gauges for each row execute function poison_gauge()");
        try {
            landing.drop("gauge-poison.csv", "gauge_id,name\nPOISON-1,never loads\n");
            // while it is retried, other files keep loading
            Instant dropped = Instant.now();
            landing.drop("gauge-beside-poison.csv", "gauge_id,name\nBESIDE-1,loads anyway\n");
            await().atMost(20, TimeUnit.SECONDS).pollDelay(100, TimeUnit.MILLISECONDS).until(() ->
                    landing.count("select count(*) from file_ledger where identity = 'gauge-beside-poison.csv' and status = 'archived'") == 1);
            assertTrue(Duration.between(dropped, Instant.now()).toSeconds() < 20);

            await().atMost(120, TimeUnit.SECONDS).pollDelay(500, TimeUnit.MILLISECONDS)
                    .until(() -> Landing.written(landing.error().resolve("gauge-poison.csv.reason.txt")));
            String reason = Files.readString(landing.error().resolve("gauge-poison.csv.reason.txt"));
            assertTrue(reason.contains("5 attempts"), reason);
            assertTrue(reason.contains("poisoned row for POISON-1"), reason);
            assertTrue(Files.exists(landing.error().resolve("gauge-poison.csv")));
            assertFalse(Files.exists(landing.inbox().resolve("gauge-poison.csv")));
            Map<String, Object> ledger = landing.rows("select status, last_error from file_ledger where identity = 'gauge-poison.csv'").get(0);
            assertEquals("rejected", ledger.get("status"));
            assertTrue(((String) ledger.get("last_error")).contains("poisoned row"), ledger.toString());
            assertEquals(1, landing.count("select count(*) from ingest_run where subject = 'gauge-poison.csv' and outcome = 'rejected'"));
            assertEquals(0, landing.count("select count(*) from ingest_run where subject = 'gauge-poison.csv' and outcome <> 'rejected'"));
            assertEquals(0, landing.count("select count(*) from gauges where gauge_id like 'POISON-%'"));
            // the attempt counter is gone with the file
            assertEquals(0, landing.count("select count(*) from landing_attempt where path like '%gauge-poison.csv'"));
        } finally {
            execute("drop trigger if exists poison_gauge on gauges");
        }
    }

    @Test
    void aJsonDocumentThatIsOneHugeObjectShouldBeRefusedWithoutReadingItIntoMemory() throws Exception {
        // 51 MB, one object: as the document that ran Sluice out of memory
        StringBuilder json = new StringBuilder(51 * 1024 * 1024 + 100);
        json.append("{\"name\": \"huge-one\", \"description\": \"");
        json.append("x".repeat(51 * 1024 * 1024));
        json.append("\"}");
        landing.drop("datasets-huge.json", json.toString());
        json.setLength(0);
        landing.drop("datasets-after-huge.json", "[{\"name\": \"after-huge\", \"format\": \"csv\"}]");

        await().atMost(60, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS)
                .until(() -> Landing.written(landing.error().resolve("datasets-huge.json.reason.txt")));
        String reason = Files.readString(landing.error().resolve("datasets-huge.json.reason.txt"));
        assertTrue(reason.contains("sluice.ingest.json.max-object-bytes"), reason);
        assertTrue(reason.contains("1048576 bytes"), reason);
        assertEquals(0, landing.count("select count(*) from datasets where name = 'huge-one'"));
        assertEquals(0, landing.count("select count(*) from dead_letter where file = 'datasets-huge.json'"));
        await().atMost(30, TimeUnit.SECONDS).pollDelay(200, TimeUnit.MILLISECONDS).until(() ->
                landing.count("select count(*) from datasets where name = 'after-huge'") == 1);
    }

    private void execute(String sql) throws Exception {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
