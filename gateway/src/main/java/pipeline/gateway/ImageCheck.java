package pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import pipeline.images.ImageProbe;

/**
 * The checks every image body passes before the gateway keeps it: the declared content type names a
 * supported format and the bytes are that format (415), the body is not empty (400), and the
 * dimensions in the header are within limits (422) — read from the header, before any decoding —
 * and, last, the whole image decodes (422).
 */
final class ImageCheck {

    /** An image body that passed: its bytes and declared media type. */
    record Checked(byte[] bytes, String contentType) {
    }


    private final Vertx vertx;
    private final ImageProbe probe;

    ImageCheck(Vertx vertx, ImageProbe probe) {
        this.vertx = vertx;
        this.probe = probe;
    }

    /**
     * Succeeds once the whole image decodes (on a worker thread: a large image takes milliseconds the
     * event loop does not have), so a damaged or truncated image is refused here (422) rather than
     * accepted and dead-lettered later.
     */
    Future<Checked> decodable(Checked image) {
        return vertx.executeBlocking(() -> decoded(image, ""), false);
    }

    /**
     * The images of a multipart request, each checked as a whole body would be and decoded (on a
     * worker thread, which also reads the parts from the upload folder); all or none.
     */
    Future<List<Checked>> decodable(List<FileUpload> parts) {
        return vertx.executeBlocking(() -> {
            List<Checked> images = new ArrayList<>();
            for (FileUpload upload : parts) {
                String part = "part '" + upload.name() + "' (" + upload.fileName() + "): ";
                byte[] bytes = Files.readAllBytes(Path.of(upload.uploadedFileName()));
                images.add(decoded(image(mediaType(upload.contentType()), bytes, part), part));
            }
            return images;
        }, false);
    }

    private Checked decoded(Checked image, String part) {
        try {
            probe.check(image.bytes());
            return image;
        } catch (ImageProbe.RejectedImage e) {
            throw new ApiError(422, e.reason().name(), part + e.getMessage());
        }
    }

    /** The request body as one image, declared by the request's Content-Type. */
    Checked body(RoutingContext ctx) {
        return image(mediaType(ctx.request().getHeader("Content-Type")),
                ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes(), "");
    }

    /** One image of {@code declared} type; {@code part} names it in messages (empty for a whole body). */
    Checked image(String declared, byte[] bytes, String part) {
        ImageProbe.Format expected = ImageProbe.Format.ofMediaType(declared);
        if (expected == null) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", part + "Content-Type is '" + declared + "'; send the image as the body with"
                    + " one of " + String.join(", ", Arrays.stream(ImageProbe.Format.values()).map(ImageProbe.Format::mediaType).toList()));
        }
        if (bytes.length == 0) {
            throw new ApiError(400, "EMPTY_BODY", part + "the body is empty; send the image's bytes as the body");
        }
        ImageProbe.Format actual = ImageProbe.Format.sniff(bytes);
        if (actual != expected) {
            throw new ApiError(415, "CONTENT_MISMATCH", part + "Content-Type says " + declared + " but the bytes are "
                    + (actual == null ? "no image format the gateway knows (" + ImageProbe.Format.names() + ")" : actual));
        }
        try {
            probe.header(bytes);
        } catch (ImageProbe.RejectedImage e) {
            throw new ApiError(422, e.reason().name(), part + e.getMessage());
        }
        return new Checked(bytes, declared);
    }

    static String mediaType(String header) {
        if (header == null) {
            return "(none)";
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }
}
