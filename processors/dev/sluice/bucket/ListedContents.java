package dev.sluice.bucket;

import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.DateUtils;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the {@code <Contents>} of a ListObjectsV2 page as a stream, for the upstream clients: the
 * SDK's own unmarshaller builds a DOM of the whole page first (an XmlElement with a HashMap and lists
 * per element, a StAX event with its location per tag), about 11 MB of garbage per 1,000-key page.
 * On Sluice's recommended small heap (-Xmx96m, SerialGC) that was a young collection per page, which
 * made up most of a poll's time beyond the bare listing (bench/bucket-bench.sh, JFR). Read here with a
 * StAX cursor, a page costs its S3Objects and little else.
 *
 * <p>An SDK interceptor, so that signing, endpoints, retries and error responses stay the SDK's: for a
 * successful ListObjectsV2 response (without encoding-type) it takes the Contents out of the body and
 * hands the SDK the rest (name, prefix, tokens, common prefixes…) to unmarshall as usual, then puts the
 * Contents back into the response. Each S3Object carries key, ETag, size, last-modified and storage
 * class: what a poll reads. Owner, checksum and restore status are not read (Sluice does not ask for
 * them; an upstream client needing them would have to do without this interceptor).
 */
final class ListedContents implements ExecutionInterceptor {

    private static final ExecutionAttribute<List<S3Object>> CONTENTS = new ExecutionAttribute<>("SluiceListedContents");

    // the JDK's own StAX, whatever other implementation a deployment's class path brings
    private static final XMLInputFactory READERS = XMLInputFactory.newDefaultFactory();
    private static final XMLOutputFactory WRITERS = XMLOutputFactory.newDefaultFactory();

    static {
        // a listing is data: no DTDs, no external entities
        READERS.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        READERS.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        READERS.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        Optional<InputStream> body = context.responseBody();
        if (!(context.request() instanceof ListObjectsV2Request request) || request.encodingType() != null
                || !context.httpResponse().isSuccessful() || body.isEmpty()) {
            return body;
        }
        List<S3Object> contents = new ArrayList<>();
        ByteArrayOutputStream rest = new ByteArrayOutputStream(1024);
        try {
            split(new FilterInputStream(body.get()) {
                @Override
                public void close() {
                    // a parser may close its input at the end of the document (one did in a Camel K
                    // integration: "Attempted read on closed stream" below); the SDK closes the body itself
                }
            }, contents, rest);
            // to the end, so the connection goes back to the pool
            body.get().transferTo(OutputStream.nullOutputStream());
        } catch (XMLStreamException | IOException | RuntimeException e) {
            throw SdkClientException.create("Could not parse the ListObjectsV2 response: " + e.getMessage(), e);
        }
        attributes.putAttribute(CONTENTS, contents);
        return Optional.of(new ByteArrayInputStream(rest.toByteArray()));
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        List<S3Object> contents = attributes.getAttribute(CONTENTS);
        if (contents == null || contents.isEmpty() || !(context.response() instanceof ListObjectsV2Response page)) {
            return context.response();
        }
        return page.toBuilder().contents(contents).build();
    }

    /** Reads the page: its Contents into {@code contents}, everything else written to {@code rest} as XML. */
    static void split(InputStream page, List<S3Object> contents, OutputStream rest) throws XMLStreamException {
        XMLStreamReader in = READERS.createXMLStreamReader(page);
        XMLStreamWriter out = WRITERS.createXMLStreamWriter(rest, "UTF-8");
        try {
            out.writeStartDocument("UTF-8", "1.0");
            int depth = 0;
            while (in.hasNext()) {
                switch (in.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (depth == 1 && "Contents".equals(in.getLocalName())) {
                            contents.add(object(in));
                        } else {
                            // the SDK's unmarshaller reads local names only
                            out.writeStartElement(in.getLocalName());
                            depth++;
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        if (!in.isWhiteSpace()) {
                            out.writeCharacters(in.getText());
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        out.writeEndElement();
                        depth--;
                    }
                    default -> {
                        // comments, processing instructions, whitespace: nothing the SDK reads
                    }
                }
            }
            out.writeEndDocument();
        } finally {
            out.close();
            in.close();
        }
    }

    /**
     * S3's timestamps, "2025-01-01T00:00:00.000Z", read by their fixed positions: the SDK's
     * DateTimeFormatter parse allocated more per object than all the rest of its reading. Any other
     * form goes to the SDK's parser.
     */
    static Instant instant(String text) {
        if (text.length() >= 20 && text.length() <= 30 && text.charAt(4) == '-' && text.charAt(7) == '-' && text.charAt(10) == 'T'
                && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(text.length() - 1) == 'Z') {
            try {
                int nanos = 0;
                if (text.length() > 20) {
                    if (text.charAt(19) != '.' || text.length() > 30 || text.length() == 21) {
                        return DateUtils.parseIso8601Date(text);
                    }
                    String fraction = text.substring(20, text.length() - 1);
                    nanos = Integer.parseInt(fraction) * (int) Math.pow(10, 9 - fraction.length());
                }
                return LocalDateTime.of(Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 5, 7, 10), Integer.parseInt(text, 8, 10, 10),
                        Integer.parseInt(text, 11, 13, 10), Integer.parseInt(text, 14, 16, 10), Integer.parseInt(text, 17, 19, 10), nanos)
                        .toInstant(ZoneOffset.UTC);
            } catch (RuntimeException e) {
                // not digits where they belong: the SDK's parser tells what is wrong
            }
        }
        return DateUtils.parseIso8601Date(text);
    }

    /** One {@code <Contents>} element, the reader on its start; leaves the reader on its end. */
    private static S3Object object(XMLStreamReader in) throws XMLStreamException {
        S3Object.Builder object = S3Object.builder();
        int depth = 0;
        while (true) {
            int event = in.next();
            if (event == XMLStreamConstants.END_ELEMENT) {
                if (depth == 0) {
                    return object.build();
                }
                depth--;
            } else if (event == XMLStreamConstants.START_ELEMENT) {
                if (depth > 0) {
                    depth++;
                    continue;
                }
                switch (in.getLocalName()) {
                    case "Key" -> object.key(in.getElementText());
                    case "ETag" -> object.eTag(in.getElementText());
                    case "Size" -> object.size(Long.valueOf(in.getElementText().trim()));
                    case "LastModified" -> object.lastModified(instant(in.getElementText().trim()));
                    case "StorageClass" -> object.storageClass(in.getElementText());
                    // Owner, ChecksumAlgorithm, RestoreStatus…: skipped with what they hold
                    default -> depth++;
                }
            }
        }
    }
}
