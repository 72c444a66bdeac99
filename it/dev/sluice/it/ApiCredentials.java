package dev.sluice.it;

import io.quarkus.test.junit.callback.QuarkusTestBeforeEachCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Every Sluice endpoint but /q/health/* wants credentials: before each Quarkus test RestAssured is
 * set to send the console user's (preemptive HTTP Basic), and JSON unless a test says otherwise
 * (writes take application/json only), so tests call the API as an operator's client does. {@link #anonymous()} and {@link #reader()} ask as somebody else. Registered in
 * src/test/resources/META-INF/services.
 */
public class ApiCredentials implements QuarkusTestBeforeEachCallback {

    @Override
    public void beforeEach(QuarkusTestMethodContext context) {
        RestAssured.authentication = RestAssured.preemptive().basic(value("SLUICE_CONSOLE_USER"), value("SLUICE_CONSOLE_PASSWORD"));
        // a POST without a body would otherwise go out as a form (x-www-form-urlencoded), which the API refuses (415)
        RestAssured.replaceFiltersWith((request, response, next) -> {
            if (request.getBody() == null && request.getFormParams().isEmpty() && request.getMultiPartParams().isEmpty()
                && (request.getContentType() == null || request.getContentType().startsWith("application/x-www-form-urlencoded"))) {
                request.contentType(ContentType.JSON);
            }
            return next.next(request, response);
        });
    }

    /** A request whose body goes out as these bytes under this Content-Type, whatever the type (a form, text). */
    static RequestSpecification raw(RequestSpecification request, String contentType, String body) {
        return request.config(RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .encodeContentTypeAs(contentType.split(";")[0], ContentType.TEXT))).contentType(contentType).body(body);
    }

    /** A request without credentials. */
    static RequestSpecification anonymous() {
        return RestAssured.given().auth().none();
    }

    /** A request as the read-only user. */
    static RequestSpecification reader() {
        return RestAssured.given().auth().preemptive().basic(value("SLUICE_READER_USER"), value("SLUICE_READER_PASSWORD"));
    }

    /** A request as the console user (read and write). */
    static RequestSpecification operator() {
        return RestAssured.given().auth().preemptive().basic(value("SLUICE_CONSOLE_USER"), value("SLUICE_CONSOLE_PASSWORD"));
    }

    static String value(String name) {
        return ConfigProvider.getConfig().getValue(name, String.class);
    }
}
