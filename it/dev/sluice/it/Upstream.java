package dev.sluice.it;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** The fake NOAA side: seeds objects into the upstream s3proxy and reads WireMock's request journal. */
final class Upstream {

    private Upstream() {
    }

    static S3Client client() {
        return S3Client.builder().endpointOverride(SluiceTestResources.upstreamDirect).region(Region.US_EAST_1)
                .forcePathStyle(true).credentialsProvider(AnonymousCredentialsProvider.create()).build();
    }

    static void put(String bucket, String key, byte[] content) {
        try (S3Client s3 = client()) {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (software.amazon.awssdk.services.s3.model.S3Exception alreadyThere) {
                // BucketAlreadyOwnedByYou
            }
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
        }
    }

    /** Object GETs (ListObjectsV2 is a GET too, but has list-type=2) the app made so far. */
    static List<ServeEvent> objectGets() {
        return SluiceTestResources.upstream.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getMethod().getName().equals("GET"))
                .filter(e -> !e.getRequest().getUrl().contains("list-type=2"))
                .toList();
    }

    static void resetJournal() {
        SluiceTestResources.upstream.resetRequests();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A GRIB-like file: messages starting with "GRIB", and its wgrib2 .idx inventory. */
    record Grib(byte[] bytes, String idx, List<long[]> ranges) {
    }

    static Grib grib(String date, List<String> messages, long seed) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        StringBuilder idx = new StringBuilder();
        java.util.ArrayList<long[]> ranges = new java.util.ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < messages.size(); i++) {
            int offset = file.size();
            idx.append(i + 1).append(':').append(offset).append(":d=").append(date).append(':').append(messages.get(i)).append(":anl:\n");
            byte[] body = new byte[500 + random.nextInt(3000)];
            random.nextBytes(body);
            file.writeBytes("GRIB".getBytes(StandardCharsets.US_ASCII));
            file.writeBytes(body);
            ranges.add(new long[] {offset, file.size() - 1});
        }
        return new Grib(file.toByteArray(), idx.toString(), ranges);
    }
}
