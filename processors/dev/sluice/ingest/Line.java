package dev.sluice.ingest;

/**
 * One physical line of a file.
 *
 * @param number 1-based line number
 * @param text   decoded text without the line terminator (lossily decoded when {@code error} is set)
 * @param error  why the line cannot be used (invalid encoding, too long), or null
 */
public record Line(long number, String text, String error) {
}
