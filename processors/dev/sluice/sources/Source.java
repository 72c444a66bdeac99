package dev.sluice.sources;

import java.time.Duration;
import java.util.List;

/**
 * A declared source, whatever its kind: one YAML file in src/main/resources/sources/ or
 * SLUICE_SOURCES_DIR, bound by {@link Sources} into the record of its kind ({@link SourceKind}).
 * What every part of Sluice asks of any source is here; what differs by kind (its routes, how a
 * period is polled, what its status shows) is in the kind's {@link SourceDriver}.
 */
public interface Source {

    /** Route id suffix, ledger, catalog and run source. */
    String name();

    String description();

    /** Scheduled (its routes are made at startup). */
    boolean enabled();

    /** Its schedules, 5-field cron (minute hour day month weekday; seconds are always 0). */
    List<String> crons();

    /** Where what it fetched is kept in our bucket (retention purges under it). */
    String storagePrefix();

    /** The dataset its files are loaded into, or null when it stores objects only. */
    default String dataset() {
        return null;
    }

    /** How long what it stored under {@link #storagePrefix()} is kept, or null: forever (or as its dataset says). */
    default Duration retention() {
        return null;
    }

    default SourceKind kind() {
        return SourceKind.of(this);
    }
}
