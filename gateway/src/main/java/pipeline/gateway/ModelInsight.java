package pipeline.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import pipeline.convnet.inspect.Inspector;
import pipeline.convnet.inspect.Picture;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.loss.SoftmaxCrossEntropy;
import pipeline.convnet.loss.TopK;
import pipeline.convnet.tensor.Tensor;
import pipeline.images.DecodedImage;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelRefusedException;
import pipeline.modelstore.ModelSnapshot;
import pipeline.modelstore.ModelVerifier;
import pipeline.schemas.avro.ModelVersion;
import pipeline.schemas.topics.ModelKey;

/**
 * Inside a model version, for people (the lecture's "under the hood"), from the weights on
 * {@code models}: its first layer's filters; for an uploaded image, its scores, the saliency of a
 * class over the image and every layer's activation maps; and, for chosen units of a layer, the
 * inputs that excite them most. The engine runs on one thread of its own, one request at a time: a
 * diagnostic must not take the event loop, nor more than one core from ingest.
 */
final class ModelInsight {

    /** The side, in pixels, the pictures of an input are enlarged towards: 4× for a 28×28 model, 1× for 112 and up. */
    private static final int PICTURE_SIDE = 112;
    private static final int MAX_UNITS = 16;
    /** Channels shown per layer, and layers shown before only convolutions are: a big imported graph stays readable. */
    private static final int MAX_CHANNELS = 16;
    private static final int MAX_LAYERS = 24;
    /** Gradient-ascent steps and step size for the maximum-response inputs (as the engine's own tests use them). */
    private static final int ASCENT_STEPS = 60;
    private static final float ASCENT_RATE = 0.1f;

    private final ModelCatalog catalog;
    private final ImageCheck check;
    private final ImageProbe probe;
    private final WorkerExecutor engine;
    private final ModelVerifier verifier = new ModelVerifier();
    /** The few versions looked into lately, verified and decoded once each. */
    private final Map<ModelKey, ModelSnapshot> snapshots = Collections.synchronizedMap(new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ModelKey, ModelSnapshot> eldest) {
            return size() > 4;
        }
    });

    ModelInsight(Vertx vertx, ModelCatalog catalog, ImageCheck check, ImageProbe probe) {
        this.catalog = catalog;
        this.check = check;
        this.probe = probe;
        this.engine = vertx.createSharedWorkerExecutor("model-insight", 1);
    }

    /** {@code GET /v1/models/{version}/filters.png}: the first convolution's filters, one tile per (output, input) channel. */
    void filters(RoutingContext ctx) {
        run(ctx, () -> {
            Inspector inspector = new Inspector(snapshot(ctx).model().network());
            try {
                return Picture.png(inspector.firstLayerFilters(8));
            } catch (IllegalArgumentException e) {
                throw new ApiError(422, "NO_CONVOLUTION", "model " + ctx.pathParam("version") + " has no convolution: " + e.getMessage());
            }
        }).onSuccess(png -> sendPng(ctx, png));
    }

    /**
     * {@code POST /v1/models/{version}/inspect[?class=LABEL]} with an image as the body: the version's
     * scores for it, the saliency of {@code class} (default: the top one) as a red layer the size of the
     * scaled image, and every layer's channel maps.
     */
    void inspect(RoutingContext ctx) {
        ImageCheck.Checked image;
        try {
            image = check.body(ctx);
        } catch (ApiError error) {
            error.send(ctx);
            return;
        }
        run(ctx, () -> {
            ModelSnapshot snapshot = snapshot(ctx);
            DecodedImage decoded;
            try {
                decoded = snapshot.input().decode(probe, image.bytes());
            } catch (ImageProbe.RejectedImage e) {
                throw new ApiError(422, e.reason().name(), e.getMessage());
            }
            Tensor input = snapshot.input().batch(List.of(decoded));
            Inspector inspector = new Inspector(snapshot.model().network());
            List<String> classes = snapshot.model().classNames();
            float[] scores = SoftmaxCrossEntropy.softmax(snapshot.model().network().forward(input, Mode.INFER)).data();
            int[] best = TopK.of(scores, 0, classes.size(), 5);
            int chosen = chosenClass(ctx.queryParams().get("class"), classes, best[0]);
            JsonArray top = new JsonArray();
            for (int k : best) {
                top.add(new JsonObject().put("label", classes.get(k)).put("score", scores[k]));
            }
            JsonArray layers = new JsonArray();
            int scale = scale(snapshot);
            inspector.activationMaps(input, Math.max(1, scale / 2), MAX_CHANNELS, MAX_LAYERS).forEach(maps -> layers.add(new JsonObject().put("index", maps.index())
                    .put("layer", maps.layer()).put("shape", new JsonArray(Arrays.stream(maps.shape()).boxed().toList()))
                    .put("maps", base64Png(maps.picture()))));
            return new JsonObject().put("model", new JsonObject().put("name", snapshot.name()).put("version", snapshot.version()))
                    .put("class", classes.get(chosen)).put("top", top)
                    .put("saliency", base64Png(inspector.saliencyHeat(input, chosen, scale))).put("layers", layers);
        }).onSuccess(ctx::json);
    }

    /**
     * {@code GET /v1/models/{version}/layers/{layer}/maximum-response.png[?units=0-7]}: for each unit
     * (channel of a convolutional layer, neuron of a dense one), an input found by gradient ascent that
     * makes it respond strongly, side by side in the order asked.
     */
    void maximumResponse(RoutingContext ctx) {
        run(ctx, () -> {
            ModelSnapshot snapshot = snapshot(ctx);
            Inspector inspector = new Inspector(snapshot.model().network());
            int layers = inspector.layers();
            int layer = number(ctx.pathParam("layer"), "layer", 0, layers - 1);
            int available = inspector.outputShape(layer)[1];
            List<Integer> units = units(ctx.queryParams().get("units"), available);
            int[] in = snapshot.model().network().input();
            List<Tensor> inputs = units.stream().map(u -> inspector.maximumResponse(layer, u, ASCENT_STEPS, ASCENT_RATE, 1)).toList();
            int columns = Math.min(8, inputs.size());
            if (in[0] == 3) {
                // A colour model's inputs are shown in colour: what excites a unit may be a hue.
                float[][][] tiles = inputs.stream().map(x -> planes(x, in)).toArray(float[][][]::new);
                return Picture.png(Picture.colourGrid(tiles, in[1], in[2], columns, scale(snapshot)));
            }
            float[][] planes = inputs.stream().map(x -> channelMean(x, in)).toArray(float[][]::new);
            return Picture.png(Picture.grid(planes, in[1], in[2], columns, scale(snapshot)));
        }).onSuccess(png -> sendPng(ctx, png));
    }

    private ModelSnapshot snapshot(RoutingContext ctx) {
        ModelVersion version = catalog.find(ctx.pathParam("version"));
        ModelKey key = new ModelKey(version.getName().toString(), version.getVersion());
        ModelSnapshot known = snapshots.get(key);
        if (known != null) {
            return known;
        }
        try {
            ModelSnapshot snapshot = verifier.verify(version, null);
            snapshots.put(key, snapshot);
            return snapshot;
        } catch (ModelRefusedException e) {
            throw new ApiError(422, "MODEL_REFUSED", "model " + key + " cannot be looked into: " + e.getMessage());
        }
    }

    private static int chosenClass(String asked, List<String> classes, int top) {
        if (asked == null || asked.isBlank()) {
            return top;
        }
        int index = classes.indexOf(asked);
        if (index < 0) {
            throw new ApiError(400, "UNKNOWN_CLASS", "class '" + asked + "' is not one of the model's " + classes);
        }
        return index;
    }

    /** {@code "0-7"}, {@code "1,4,9"} or nothing (the first eight): distinct units below {@code available}, at most 16. */
    static List<Integer> units(String asked, int available) {
        if (asked == null || asked.isBlank()) {
            return IntStream.range(0, Math.min(8, available)).boxed().toList();
        }
        String what = "units '" + asked + "'";
        List<Integer> units;
        if (asked.matches("\\d+-\\d+")) {
            int from = number(asked.split("-")[0], what, 0, available - 1);
            int to = number(asked.split("-")[1], what, from, available - 1);
            units = IntStream.rangeClosed(from, to).boxed().toList();
        } else {
            units = Arrays.stream(asked.split(",")).map(u -> number(u.strip(), what, 0, available - 1)).distinct().toList();
        }
        if (units.size() > MAX_UNITS) {
            throw new ApiError(400, "TOO_MANY_UNITS", what + " asks for " + units.size() + " units; at most " + MAX_UNITS + " at once");
        }
        return units;
    }

    private static int number(String text, String what, int min, int max) {
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new ApiError(400, "INVALID_UNIT", what + ": '" + text + "' is not a number from " + min + " to " + max
                + " (units are written as 0-7 or 1,4,9)");
    }

    /** Pixels per input pixel in a model's pictures. */
    private static int scale(ModelSnapshot snapshot) {
        int[] in = snapshot.model().network().input();
        return Math.max(1, PICTURE_SIDE / Math.max(in[1], in[2]));
    }

    /** An input {@code [1, C, H, W]} as its {@code C} planes of {@code H×W}. */
    private static float[][] planes(Tensor x, int[] in) {
        int plane = in[1] * in[2];
        float[][] planes = new float[in[0]][];
        for (int c = 0; c < in[0]; c++) {
            planes[c] = Arrays.copyOfRange(x.data(), c * plane, (c + 1) * plane);
        }
        return planes;
    }

    /** An input {@code [1, C, H, W]} as one {@code H×W} plane, its channels averaged. */
    private static float[] channelMean(Tensor x, int[] in) {
        int plane = in[1] * in[2];
        float[] mean = new float[plane];
        for (int c = 0; c < in[0]; c++) {
            for (int p = 0; p < plane; p++) {
                mean[p] += x.data()[c * plane + p] / in[0];
            }
        }
        return mean;
    }

    /** Runs {@code work} on the engine's thread; an {@link ApiError} it throws is the answer, anything else a 500. */
    private <T> Future<T> run(RoutingContext ctx, Callable<T> work) {
        return engine.executeBlocking(work, false).onFailure(failure -> {
            if (failure instanceof ApiError error) {
                error.send(ctx);
            } else {
                ctx.fail(failure);
            }
        });
    }

    private static void sendPng(RoutingContext ctx, byte[] png) {
        ctx.response().putHeader("Content-Type", "image/png").putHeader("Cache-Control", "private, max-age=3600")
                .end(Buffer.buffer(png));
    }

    private static String base64Png(BufferedImage image) {
        return Base64.getEncoder().encodeToString(Picture.png(image));
    }
}
