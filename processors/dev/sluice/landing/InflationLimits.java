package dev.sluice.landing;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How far a compressed landed file may inflate (sluice.landing.max-inflated-bytes and friends). The
 * content is streamed, so memory is never the issue; these caps stop a zip bomb from filling the
 * database's disk or keeping the landing route busy for hours.
 */
@ApplicationScoped
public class InflationLimits {

    @ConfigProperty(name = "sluice.landing.max-inflated-bytes", defaultValue = "8589934592")
    long maxMemberBytes;
    @ConfigProperty(name = "sluice.landing.max-inflated-total-bytes", defaultValue = "34359738368")
    long maxTotalBytes;
    @ConfigProperty(name = "sluice.landing.max-compression-ratio", defaultValue = "100")
    int maxRatio;

    /** A fresh budget for one compressed file. */
    public InflationBudget budget(String fileName) {
        return new InflationBudget(fileName, maxMemberBytes, maxTotalBytes, maxRatio);
    }
}
