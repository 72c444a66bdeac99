package dev.sluice.catalog;

import dev.sluice.bucket.S3Clients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.apache.camel.Exchange;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Getting a catalogued object's bytes: streamed through Sluice (GET /catalog/{id}/content, works
 * wherever the API is reachable) or straight from the store with a presigned URL (valid 15 minutes,
 * usable where the store's endpoint is reachable).
 */
@ApplicationScoped
@Named("catalogDownloads")
public class CatalogDownloads {

    static final Duration PRESIGNED_FOR = Duration.ofMinutes(15);

    @Inject
    S3Clients clients;
    @Inject
    CatalogQueries queries;
    @ConfigProperty(name = "sluice.bucket")
    String bucket;

    /** The entry with a presigned GET URL added. */
    public Map<String, Object> withPresignedUrl(Map<String, Object> item) {
        Map<String, Object> result = new LinkedHashMap<>(item);
        result.put("presignedUrl", clients.presigner().presignGetObject(p -> p.signatureDuration(PRESIGNED_FOR)
                .getObjectRequest(g -> g.bucket(bucket).key((String) item.get("storageKey")))).url().toString());
        return result;
    }

    public InputStream content(Object id, Exchange exchange) throws Exception {
        String key = queries.storageKey(id);
        ResponseInputStream<GetObjectResponse> object = clients.storage().getObject(g -> g.bucket(bucket).key(key));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE,
                object.response().contentType() == null ? "application/octet-stream" : object.response().contentType());
        exchange.getMessage().setHeader(Exchange.CONTENT_LENGTH, object.response().contentLength());
        exchange.getMessage().setHeader("Content-Disposition",
                "attachment; filename=\"" + key.substring(key.lastIndexOf('/') + 1).replace("\"", "") + "\"");
        return object;
    }
}
