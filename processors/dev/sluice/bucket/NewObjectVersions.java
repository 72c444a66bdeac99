package dev.sluice.bucket;

import dev.sluice.ledger.FileLedger;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The list stage of a poll: the object versions of a source's periods that are not stored yet. Lists
 * the keys the source's templates expect (ListObjectsV2 per prefix, paginated), keeps those its
 * templates and filters want, and drops the versions (key + ETag) the ledger already holds as
 * archived: one ledger query per page, before any GET, so a poll over stored objects costs listings
 * only. The next page is fetched while this one is checked against the ledger, so the ledger's time
 * hides behind the listing's (bench/bucket-bench.sh compares a poll with the same listing made bare).
 */
@ApplicationScoped
@Named("newObjectVersions")
public class NewObjectVersions {

    @Inject
    FileLedger ledger;

    private final ExecutorService listing = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sluice-listing");
        t.setDaemon(true);
        return t;
    });

    /** Route step: the poll (body) → its new object versions, in listing order; counts listed, matched and known. */
    public List<ObjectVersion> list(BucketPoll poll) throws Exception {
        BucketSource source = poll.source();
        S3Client upstream = poll.upstream();
        List<ObjectVersion> unstored = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, List<Pattern>> prefix : listings(source, poll.periods()).entrySet()) {
            Future<ListObjectsV2Response> next = listAhead(upstream, source.bucket(), prefix.getKey(), null);
            while (next != null) {
                ListObjectsV2Response page = page(next);
                next = page.isTruncated() ? listAhead(upstream, source.bucket(), prefix.getKey(), page.nextContinuationToken()) : null;
                poll.listed.addAndGet(page.contents().size());
                Map<String, ObjectVersion> candidates = new LinkedHashMap<>();
                page.contents().stream()
                        .filter(o -> prefix.getValue().stream().anyMatch(p -> p.matcher(o.key()).matches()))
                        .filter(o -> source.wanted(o.key()))
                        .filter(o -> seen.add(o.key()))
                        .forEach(o -> candidates.put(o.key(), ObjectVersion.of(o)));
                poll.matched.addAndGet(candidates.size());
                Map<String, String> versions = new LinkedHashMap<>();
                candidates.values().forEach(v -> versions.put(v.key(), v.version()));
                Set<String> notArchived = ledger.unstoredVersions(source.name(), versions);
                for (ObjectVersion candidate : candidates.values()) {
                    if (notArchived.contains(candidate.key())) {
                        unstored.add(candidate);
                    } else {
                        poll.known.incrementAndGet();
                    }
                }
            }
        }
        return unstored;
    }

    private Future<ListObjectsV2Response> listAhead(S3Client upstream, String bucket, String prefix, String token) {
        return listing.submit(() -> upstream.listObjectsV2(ListObjectsV2Request.builder()
                .bucket(bucket).prefix(prefix).continuationToken(token).build()));
    }

    private static ListObjectsV2Response page(Future<ListObjectsV2Response> page) throws Exception {
        try {
            return page.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** The distinct listing prefixes of these periods, each with the key patterns it may hold. */
    static Map<String, List<Pattern>> listings(BucketSource source, List<ZonedDateTime> periods) {
        Map<String, List<Pattern>> byPrefix = new LinkedHashMap<>();
        for (ZonedDateTime period : periods) {
            for (KeyTemplate template : source.keys()) {
                List<KeyTemplate.Listing> expanded = source.enumerations(template).stream().map(combo -> template.expand(period, combo)).toList();
                // one listing per period and template, under the longest prefix all its expansions share
                String prefix = expanded.stream().map(KeyTemplate.Listing::prefix).reduce(NewObjectVersions::commonPrefix).orElse("");
                List<Pattern> patterns = byPrefix.computeIfAbsent(prefix, p -> new ArrayList<>());
                expanded.forEach(l -> patterns.add(l.pattern()));
            }
        }
        return byPrefix;
    }

    static String commonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return a.substring(0, i);
    }

    @PreDestroy
    void stop() {
        listing.shutdownNow();
    }
}
