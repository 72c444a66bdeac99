package dev.sluice.ingest;

/** A record that could not be loaded: where it was and why. */
public record DeadLetter(long recordNumber, String reason, String raw) {
}
