package dev.sluice.it;

import dev.sluice.embedded.EmbeddedPostgresServer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static dev.sluice.it.ObjectStoreOutageIT.await;
import static dev.sluice.it.ObjectStoreOutageIT.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PostgreSQL stops under a running Sluice with files waiting in the inbox and the outbox timer
 * firing every 2 seconds: the log says so once (one WARN), with no stack trace per attempt and
 * hardly any growth, the files wait in the inbox, and when PostgreSQL is back one more WARN says so
 * and the files load.
 */
class DatabaseOutageIT {

    @Test
    void anOutageShouldBeLoggedOnceWhenItStartsAndOnceWhenItEndsAndTheFilesLoadAfterwards() throws Exception {
        Path base = Files.createTempDirectory("sluice-db-outage-");
        Path pgData = base.resolve("postgres");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(pgData);
        int port = postgres.port();
        String jdbc = postgres.jdbcUrl() + "?user=" + postgres.username() + "&password=" + postgres.password();
        Path data = Files.createDirectories(base.resolve("data"));
        Path inbox = data.resolve("landing/inbox");
        try (SluiceProcess sluice = SluiceProcess.start(data, Map.of("SLUICE_DB_URL", postgres.jdbcUrl(),
                "SLUICE_DB_USER", postgres.username(), "SLUICE_DB_PASSWORD", postgres.password(), "SLUICE_SOURCES_ENABLED", "none"))) {
            sluice.awaitStarted(Duration.ofSeconds(120));
            drop(inbox, "rain-before-outage.csv", "gauge_id,observed_at,rainfall_in\nDBOUT-0,2024-08-01 00:00,0.1\n");
            await(() -> Api.count(jdbc, "select count(*) from file_ledger where identity = 'rain-before-outage.csv' and status = 'archived'") == 1,
                    Duration.ofSeconds(60), sluice);

            int before = sluice.log().length();
            postgres.close();
            drop(inbox, "rain-during-outage.csv", "gauge_id,observed_at,rainfall_in\nDBOUT-1,2024-08-01 00:00,0.2\n");
            drop(inbox, "datasets-during-outage.ndjson", "{\"name\": \"dbout-2\", \"format\": \"csv\"}\n");
            Thread.sleep(30_000);

            String outage = sluice.log().substring(before);
            assertEquals(1, count(outage, "PostgreSQL is unreachable"), outage);
            assertEquals(0, count(outage, "\tat "), "no stack trace:\n" + outage);
            assertEquals(0, count(outage, " ERROR "), outage);
            assertEquals(1, count(outage, " WARN "), "one warning, the outage's:\n" + outage);
            assertTrue(outage.length() < 4_000, "the log grew " + outage.length() + " bytes in 30 s:\n" + outage);
            assertTrue(Files.exists(inbox.resolve("rain-during-outage.csv")));
            assertTrue(Files.exists(inbox.resolve("datasets-during-outage.ndjson")));

            postgres = EmbeddedPostgresServer.start(pgData, port);
            // archived, and then (attempts cleared, moved to done/) out of the inbox
            await(() -> Api.count(jdbc, "select count(*) from file_ledger where identity in ('rain-during-outage.csv', 'datasets-during-outage.ndjson') "
                    + "and status = 'archived'") == 2 && !Files.exists(inbox.resolve("rain-during-outage.csv"))
                    && !Files.exists(inbox.resolve("datasets-during-outage.ndjson")), Duration.ofSeconds(90), sluice);
            assertEquals(1, Api.count(jdbc, "select count(*) from rain_readings where gauge_id = 'DBOUT-1'"));
            assertEquals(1, Api.count(jdbc, "select count(*) from datasets where name = 'dbout-2'"));
            assertFalse(Files.exists(inbox.resolve("rain-during-outage.csv")));
            assertEquals(0, Api.count(jdbc, "select count(*) from landing_attempt"), "an outage costs no attempts");

            String all = sluice.log().substring(before);
            assertEquals(1, count(all, "PostgreSQL is unreachable"), all);
            assertEquals(1, count(all, "PostgreSQL is reachable again"), all);
            assertEquals(0, count(all, "\tat "), "no stack trace:\n" + all);
            assertEquals(0, count(all, " ERROR "), all);
        } finally {
            postgres.close();
            TempDirs.delete(base);
        }
    }

    private static void drop(Path inbox, String name, String content) throws Exception {
        Files.createDirectories(inbox);
        Path staging = Files.writeString(inbox.resolveSibling(name + ".tmp"), content);
        Files.move(staging, inbox.resolve(name));
    }
}
