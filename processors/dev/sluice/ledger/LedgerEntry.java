package dev.sluice.ledger;

/** A file ledger row as the ingesters need it. */
public record LedgerEntry(long id, String status, int attempts, String archiveKey) {

    public boolean loaded() {
        return "loaded".equals(status) || "archived".equals(status);
    }
}
