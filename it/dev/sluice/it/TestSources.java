package dev.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sources the tests poll: the bucket ones as route files in the tests' routes directory (never
 * scheduled: a test polls when it wants to), same layouts as the shipped NOAA ones; the HTTP ones as
 * declaration files.
 */
final class TestSources {

    private TestSources() {
    }

    static void write(Path directory, Path routes) throws IOException {
        BucketSourceFiles.write(routes, "test-gfs", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "noaa-gfs-bdp-pds"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "6h"),
                java.util.Map.entry("keys", "gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}"),
                java.util.Map.entry("forecastHours", "0-6/3"),
                java.util.Map.entry("parameters", "TMP:2 m above ground,APCP:surface"),
                java.util.Map.entry("retention", "7d")));
        BucketSourceFiles.write(routes, "test-hrrr", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "noaa-hrrr-bdp-pds"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "1h"),
                java.util.Map.entry("keys", "hrrr.{yyyy}{mm}{dd}/conus/hrrr.t{HH}z.wrfsfcf{ff}.grib2"),
                java.util.Map.entry("forecastHours", "0-1")));
        BucketSourceFiles.write(routes, "test-goes", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "noaa-goes19"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "1h"),
                java.util.Map.entry("keys", "ABI-L2-CMIPC/{yyyy}/{ddd}/{HH}/OR_ABI-L2-CMIPC-M6C{band}_G19_s{yyyy}{ddd}{HH}{MM}{SS}{t}_e*_c*.nc"),
                java.util.Map.entry("bands", "02,13")));
        BucketSourceFiles.write(routes, "test-mrms", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "noaa-mrms-pds"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "1h"),
                java.util.Map.entry("availabilityDelay", "2m"),
                java.util.Map.entry("lookBack", "10m"),
                java.util.Map.entry("keys", "CONUS/{product}/{yyyy}{mm}{dd}/MRMS_{product}_{yyyy}{mm}{dd}-{HH}{MM}{SS}.grib2.gz"),
                java.util.Map.entry("products", "PrecipRate_00.00"),
                java.util.Map.entry("retention", "1d")));
        Files.writeString(directory.resolve("test-rain-csv.yaml"), """
                type: http
                name: test-rain-csv
                url: "https://district.example/district/rain/wy{water_year}.csv"
                period: water_year
                dataset: rain-gauge-readings
                rateLimit: 100ms
                timeout: 2s
                attempts: 4
                """);
        Files.writeString(directory.resolve("test-index.yaml"), """
                type: http
                name: test-index
                url: "https://data.example/district/datasets/index.json"
                period: latest
                dataset: datasets
                rateLimit: 100ms
                """);
        Files.writeString(directory.resolve("test-gauges.yaml"), """
                type: http
                name: test-gauges
                url: "https://district.example/district/gauges/gauge-{gauge_id}.json"
                period: gauge
                dataset: gauge-metadata
                refreshAfter: 30d
                rateLimit: 50ms
                """);
        Files.writeString(directory.resolve("test-rain-xlsx.yaml"), """
                type: http
                name: test-rain-xlsx
                url: "https://district.example/district/rainfall/wy{water_year}.xlsx"
                period: water_year
                dataset: rain-gauge-workbooks
                rateLimit: 50ms
                """);
        // a download source as the Kaggle one (HttpDownloadSourceTest): no dataset, a zip per year unpacked,
        // basic auth from placeholders resolved by the configuration (here their defaults)
        Files.writeString(directory.resolve("test-kaggle.yaml"), """
                type: http
                name: test-kaggle
                url: "https://www.kaggle.com/kaggle/api/v1/datasets/download/acme/rain-{yyyy}"
                period: year
                prefix: test-kaggle/
                unzip: true
                auth:
                  basic:
                    username: "${TEST_KAGGLE_USERNAME:acme-user}"
                    password: "${TEST_KAGGLE_KEY:%s}"
                rateLimit: 50ms
                timeout: 5s
                attempts: 2
                """.formatted(HttpDownloadSourceTest.KEY));
        // the forced re-import of HttpDownloadSourceTest, on a source of its own (HttpSourceTest counts test-rain-csv's runs)
        Files.writeString(directory.resolve("test-rain-force.yaml"), """
                type: http
                name: test-rain-force
                url: "https://district.example/district/force/wy{water_year}.csv"
                period: water_year
                dataset: rain-gauge-readings
                rateLimit: 50ms
                """);
        // polled by HawtioStagesTest only, through its own route
        BucketSourceFiles.write(routes, "test-hawtio", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "hawtio-upstream"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "1d"),
                java.util.Map.entry("keys", "day/{yyyy}{mm}{dd}/obj-*.bin")));
        BucketSourceFiles.write(routes, "test-pollers", java.util.Map.ofEntries(
                java.util.Map.entry("bucket", "pollers"),
                java.util.Map.entry("schedule", BucketSourceFiles.NEVER),
                java.util.Map.entry("period", "1d"),
                java.util.Map.entry("keys", "day/{yyyy}{mm}{dd}/obj-*.bin")));
    }
}
