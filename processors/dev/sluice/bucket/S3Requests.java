package dev.sluice.bucket;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the streamed GETs and PUTs sent past the S3 client's pipeline (StreamingDownloads,
 * StreamingUploads) share with that client: its SigV4 signature for S3, and its exception for an
 * error answer, so the transfer's retry rules (5xx, 429, throttling) apply to them unchanged.
 */
final class S3Requests {

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
    private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]*)</Code>");

    private S3Requests() {
    }

    /**
     * The request signed as the S3 client signs it, header-signed. No payload is given to the signer
     * and payload signing is off: the signature says UNSIGNED-PAYLOAD whatever the scheme (given a
     * payload over http the signer would hash it).
     */
    static SdkHttpRequest signed(SdkHttpRequest request, AwsCredentialsIdentity credentials, String region) {
        return SIGNER.sign(r -> r.identity(credentials).request(request)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
    }

    /** The S3 client's exception for an answer with a status other than 2xx and body {@code answer}. */
    static S3Exception failure(SdkHttpRequest request, int status, String answer) {
        Matcher code = ERROR_CODE.matcher(answer);
        String errorCode = code.find() ? code.group(1) : "HTTP " + status;
        return (S3Exception) S3Exception.builder().statusCode(status)
                .message(request.method() + " " + request.encodedPath() + ": " + status + " " + errorCode)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).errorMessage(answer)
                        .serviceName("S3").build())
                .build();
    }
}
