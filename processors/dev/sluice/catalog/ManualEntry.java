package dev.sluice.catalog;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A manual catalog entry as a client sends it (the JSON body of POST and PUT /catalog): the key of
 * an object already in our bucket and what it holds. Only source and storageKey are required;
 * referenceTime is an instant like 2025-06-19T12:00:00Z, forecastHour a whole number of hours after it.
 */
@RegisterForReflection
public record ManualEntry(String source, String storageKey, String parameter, String level, String referenceTime,
                          Integer forecastHour) {
}
