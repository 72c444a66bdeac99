package dev.sluice.bucket;

import dev.sluice.ledger.FileLedger;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
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
        Map<String, List<Pattern>> listings = listings(source, poll.periods());
        // a key can be listed twice only under two prefixes one of which begins the other; else no
        // set of every key seen (100,000 keys are some 10 MB kept to the end of the poll)
        Set<String> seen = overlapping(listings.keySet()) ? new HashSet<>() : null;
        for (Map.Entry<String, List<Pattern>> prefix : listings.entrySet()) {
            Future<ListObjectsV2Response> next = listAhead(upstream, source.bucket(), prefix.getKey(), null);
            while (next != null) {
                ListObjectsV2Response page = page(next);
                // the next page is listed (and parsed) on the listing thread while this one is checked
                next = page.isTruncated() ? listAhead(upstream, source.bucket(), prefix.getKey(), page.nextContinuationToken()) : null;
                poll.listed.addAndGet(page.contents().size());
                List<ObjectVersion> candidates = new ArrayList<>(page.contents().size());
                Map<String, String> versions = new LinkedHashMap<>();
                for (S3Object object : page.contents()) {
                    String key = object.key();
                    if (matches(prefix.getValue(), key) && source.wanted(key) && (seen == null || seen.add(key))) {
                        ObjectVersion candidate = ObjectVersion.of(object);
                        candidates.add(candidate);
                        versions.put(key, candidate.version());
                    }
                }
                poll.matched.addAndGet(candidates.size());
                Set<String> notArchived = ledger.unstoredVersions(source.name(), versions);
                poll.known.addAndGet(candidates.size() - notArchived.size());
                for (ObjectVersion candidate : candidates) {
                    if (notArchived.contains(candidate.key())) {
                        unstored.add(candidate);
                    }
                }
            }
        }
        return unstored;
    }

    private static boolean matches(List<Pattern> patterns, String key) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(key).matches()) {
                return true;
            }
        }
        return false;
    }

    static boolean overlapping(Collection<String> prefixes) {
        return prefixes.stream().anyMatch(a -> prefixes.stream().anyMatch(b -> !a.equals(b) && b.startsWith(a)));
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
