package dev.sluice.embedded;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * A real S3 endpoint (s3proxy over a filesystem backend) on loopback. Clients speak the S3 protocol
 * over HTTP to it exactly as to AWS or MinIO; objects live under {@code baseDirectory} and survive restarts.
 */
public final class EmbeddedS3Server implements AutoCloseable {

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final URI endpoint;
    private final String accessKey;
    private final String secretKey;

    private EmbeddedS3Server(S3Proxy proxy, BlobStoreContext context, URI endpoint, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.context = context;
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** Starts on a free port; credentials are generated once per base directory and kept beside it. */
    public static EmbeddedS3Server start(Path baseDirectory) {
        return start(baseDirectory, true);
    }

    /** As {@link #start(Path)}; without authentication it serves anonymous requests, as public buckets do. */
    public static EmbeddedS3Server start(Path baseDirectory, boolean authenticated) {
        return start(baseDirectory, authenticated, FreePort.find());
    }

    /** As {@link #start(Path, boolean)} on a given loopback port (chosen before, see {@link #endpoint(int)}). */
    public static EmbeddedS3Server start(Path baseDirectory, boolean authenticated, int port) {
        try {
            Path objects = PrivateFiles.directory(PrivateFiles.directory(baseDirectory).resolve("objects"));
            UploadDebris.removeLeftovers(objects);
            String[] credentials = credentials(baseDirectory);
            Properties overrides = new Properties();
            overrides.setProperty("jclouds.filesystem.basedir", objects.toString());
            BlobStoreContext context = ContextBuilder.newBuilder("filesystem")
                    .overrides(overrides)
                    .build(BlobStoreContext.class);
            URI endpoint = endpoint(port);
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new UploadDebris(context.getBlobStore()))
                    .endpoint(endpoint)
                    // DeleteObjects carries the SDK's x-amz-checksum-crc32, which s3proxy 3 does not know
                    .ignoreUnknownHeaders(true)
                    .awsAuthentication(authenticated ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE,
                            credentials[0], credentials[1])
                    .build();
            proxy.start();
            while (!proxy.getState().equals("STARTED")) {
                Thread.sleep(10);
            }
            return new EmbeddedS3Server(proxy, context, endpoint, credentials[0], credentials[1]);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded S3 server in " + baseDirectory, e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded S3 server in " + baseDirectory, e);
        }
    }

    /** The endpoint of a server on this host's loopback {@code port}. */
    public static URI endpoint(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Access key and secret key of the server on {@code baseDirectory}: generated once, kept in its
     * {@code credentials} file (0600). Known before the server starts, so clients can be configured meanwhile.
     */
    public static String[] credentials(Path baseDirectory) throws IOException {
        Path file = PrivateFiles.directory(baseDirectory).resolve("credentials");
        if (!Files.exists(file)) {
            SecureRandom random = new SecureRandom();
            byte[] id = new byte[10];
            byte[] secret = new byte[20];
            random.nextBytes(id);
            random.nextBytes(secret);
            PrivateFiles.write(file, "sluice" + HexFormat.of().formatHex(id) + "\n" + HexFormat.of().formatHex(secret) + "\n");
        }
        PrivateFiles.ownerOnly(file);
        return Files.readString(file, StandardCharsets.US_ASCII).strip().split("\n");
    }

    public URI endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            context.close();
        }
    }
}
