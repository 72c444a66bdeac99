package dev.sluice.bucket;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A single PUT's bytes are checked against the upstream object's by their MD5 ETags, where both are MD5s. */
class ObjectTransferContentTest {

    private static GetObjectResponse upstream(String etag) {
        return GetObjectResponse.builder().eTag(etag).build();
    }

    @Test
    void bytesChangedOnTheWayShowAsADifferentEtag() {
        assertTrue(ObjectTransfer.sameContent(upstream("\"9e107d9d372bb6826bd81d3542a419d6\""), "\"9E107D9D372BB6826BD81D3542A419D6\""));
        assertFalse(ObjectTransfer.sameContent(upstream("\"9e107d9d372bb6826bd81d3542a419d6\""), "\"e4d909c290d0fb1ca068ffaddf22cbd0\""));
    }

    @Test
    void etagsThatAreNotTheContentsMd5CannotBeComparedAndPass() {
        // multipart upstream, KMS-encrypted upstream, a store answering something else
        assertTrue(ObjectTransfer.sameContent(upstream("\"d41d8cd98f00b204e9800998ecf8427e-3\""), "\"e4d909c290d0fb1ca068ffaddf22cbd0\""));
        assertTrue(ObjectTransfer.sameContent(GetObjectResponse.builder().eTag("\"9e107d9d372bb6826bd81d3542a419d6\"")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS).build(), "\"e4d909c290d0fb1ca068ffaddf22cbd0\""));
        assertTrue(ObjectTransfer.sameContent(upstream("\"9e107d9d372bb6826bd81d3542a419d6\""), "opaque"));
    }
}
