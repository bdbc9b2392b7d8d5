package pipeline.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pipeline.ops.load.LoadImages;

/**
 * The gateway's web UI in a real browser against the real stack: Debian's Chromium, driven by
 * playwright-core from {@code src/test/browser/ui-test.mjs} (which {@code ./pipeline test} installs),
 * loads the page from {@code pipeline run --feed}, gives the key, uploads a Fashion-MNIST image, looks
 * inside the model (saliency, activation maps, filters, maximum-response inputs), watches the live
 * feed and the charts. The script reports what the page showed; this test compares it with what
 * the API answers. Screenshots land in {@code target/browser/}.
 */
class BrowserUiTest {

    static final Path BROWSER = Path.of("src/test/browser");
    static final Path SCREENSHOTS = Path.of("target/browser");

    @TempDir
    Path dataDir;

    private StackCommand stack;

    @AfterEach
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void theUiShowsTheApisLabelAndALiveFeed() throws Exception {
        assertThat(BROWSER.resolve("node_modules/playwright-core")).as("playwright-core; ./pipeline test installs it "
                + "(npm ci in ops/src/test/browser), as it installs Debian's chromium").isDirectory();
        Path image = Files.createDirectories(SCREENSHOTS).resolve("upload.png");
        Files.write(image, LoadImages.fromIdx(PipelineCommandTest.SAMPLE, 1).getFirst().bytes());
        Files.deleteIfExists(SCREENSHOTS.resolve("ui.png"));
        stack = StackCommand.start(dataDir, Map.of("PIPELINE_STACK_FEED_IMAGES", PipelineCommandTest.SAMPLE.toAbsolutePath().toString()),
                "--feed");
        stack.awaitReady();
        URI gateway = stack.gateway();
        String key = stack.apiKey();

        JsonObject shown = drive(gateway, key, image);

        assertThat(shown.getString("failure")).as("a step of the browser script failed (see target/browser/failure.png); "
                + "what it saw: %s", shown).isNull();
        assertThat(shown.getJsonArray("errors")).as("script errors in the page").isEmpty();
        assertThat(shown.getBoolean("askedForKey")).isTrue();
        JsonObject result = shown.getJsonObject("shown");
        String[] model = result.getString("model").split(" ");
        JsonObject api = apiAnswer(gateway, key, model[model.length - 1]);
        assertThat(result.getString("label")).as("the label the UI shows is the API's for that image")
                .isEqualTo(api.getJsonArray("top").getJsonObject(0).getString("label"));
        assertThat(result.getString("model")).startsWith(api.getJsonObject("model").getString("name") + " v"
                + api.getJsonObject("model").getInteger("version"));
        assertThat(result.getInteger("labels")).as("top-k bars").isEqualTo(api.getJsonArray("top").size());
        assertThat(result.getInteger("embeddingBars")).isEqualTo(api.getJsonArray("embedding").size());
        JsonObject inside = shown.getJsonObject("inside");
        assertThat(inside.getBoolean("saliencyShown")).as("the saliency layer over the image").isTrue();
        assertThat(inside.getString("saliencyClass")).isEqualTo(result.getString("label"));
        assertThat(inside.getInteger("activationLayers")).as("LeNet-5's layers with channel maps").isEqualTo(6);
        assertThat(inside.getBoolean("filtersShown")).isTrue();
        assertThat(inside.getInteger("maximumResponseWidth")).as("four units of 28×28 at 4×").isEqualTo(4 * (28 * 4 + 1) + 1);
        JsonObject feed = shown.getJsonObject("feed");
        assertThat(feed.getBoolean("changed")).as("new predictions appear in the feed").isTrue();
        assertThat(feed.getInteger("rows")).isGreaterThan(1);
        assertThat(feed.getBoolean("stillWhilePaused")).as("a paused feed stands still").isTrue();
        assertThat(feed.getInteger("thumbnails")).as("rows with their image").isPositive();
        assertThat(shown.getJsonObject("charts").getInteger("ratePoints")).as("images/s over time").isGreaterThan(1);
        assertThat(shown.getJsonObject("charts").getInteger("latencyLines")).isEqualTo(3);
        assertThat(shown.getJsonObject("models").getInteger("rows")).isPositive();
        assertThat(shown.getJsonObject("models").getString("served")).startsWith("serving fashion-lenet5 v");
        assertThat(shown.getJsonObject("models").getString("description")).contains("takes 28×28 grey (stretch)")
                .contains("10 classes: T-shirt/top, Trouser").contains("conv ×2");
        assertThat(SCREENSHOTS.resolve("ui.png")).isNotEmptyFile();
    }

    /** Runs the browser script; returns its report, or fails with its output. */
    private static JsonObject drive(URI gateway, String key, Path image) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of("node", "ui-test.mjs", gateway.toString(), key,
                image.toAbsolutePath().toString(), SCREENSHOTS.toAbsolutePath().toString()))
                .directory(BROWSER.toFile()).redirectError(SCREENSHOTS.resolve("ui-test.log").toFile());
        Process node = builder.start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(3, TimeUnit.MINUTES)).as("the browser script ends").isTrue();
        assertThat(node.exitValue()).as("the browser script's exit; stdout: %s; stderr: %s", out,
                Files.readString(SCREENSHOTS.resolve("ui-test.log"))).isZero();
        return new JsonObject(out.strip().lines().reduce((first, last) -> last).orElseThrow());
    }

    /** {@code GET /v1/predictions/{id}}: the API's answer for the image the UI sent. */
    private static JsonObject apiAnswer(URI gateway, String key, String id) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(gateway.resolve("/v1/predictions/" + id))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET /v1/predictions/%s: %s", id, response.body()).isEqualTo(200);
        return new JsonObject(response.body());
    }
}
