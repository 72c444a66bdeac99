package dev.sluice.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Source definitions the bucket tests poll; same layouts as the shipped NOAA ones. */
final class TestSources {

    private TestSources() {
    }

    static void write(Path directory) throws IOException {
        Files.writeString(directory.resolve("test-gfs.yaml"), """
                type: bucket
                name: test-gfs
                bucket: noaa-gfs-bdp-pds
                schedule: "0 * * * *"
                period: 6h
                keys: ["gfs.{yyyy}{mm}{dd}/{HH}/atmos/gfs.t{HH}z.pgrb2.0p25.f{fff}"]
                forecastHours: "0-6/3"
                parameters: ["TMP:2 m above ground", "APCP:surface"]
                retention: 7d
                """);
        Files.writeString(directory.resolve("test-hrrr.yaml"), """
                type: bucket
                name: test-hrrr
                bucket: noaa-hrrr-bdp-pds
                schedule: "15 * * * *"
                period: 1h
                keys: ["hrrr.{yyyy}{mm}{dd}/conus/hrrr.t{HH}z.wrfsfcf{ff}.grib2"]
                forecastHours: "0-1"
                """);
        Files.writeString(directory.resolve("test-goes.yaml"), """
                type: bucket
                name: test-goes
                bucket: noaa-goes19
                schedule: "*/5 * * * *"
                period: 1h
                keys: ["ABI-L2-CMIPC/{yyyy}/{ddd}/{HH}/OR_ABI-L2-CMIPC-M6C{band}_G19_s{yyyy}{ddd}{HH}{MM}{SS}{t}_e*_c*.nc"]
                bands: ["02", "13"]
                """);
        Files.writeString(directory.resolve("test-mrms.yaml"), """
                type: bucket
                name: test-mrms
                bucket: noaa-mrms-pds
                schedule: "*/2 * * * *"
                period: 1h
                availabilityDelay: 2m
                lookBack: 10m
                keys: ["CONUS/{product}/{yyyy}{mm}{dd}/MRMS_{product}_{yyyy}{mm}{dd}-{HH}{MM}{SS}.grib2.gz"]
                products: ["PrecipRate_00.00"]
                retention: 1d
                """);
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
        Files.writeString(directory.resolve("test-hawtio.yaml"), """
                type: bucket
                name: test-hawtio
                bucket: hawtio-upstream
                schedule: "0 0 1 1 *"
                period: 1d
                keys: ["day/{yyyy}{mm}{dd}/obj-*.bin"]
                """);
        Files.writeString(directory.resolve("test-pollers.yaml"), """
                type: bucket
                name: test-pollers
                bucket: pollers
                schedule: "* * * * *"
                period: 1d
                keys: ["day/{yyyy}{mm}{dd}/obj-*.bin"]
                """);
    }
}
