package pipeline.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import pipeline.schemas.avro.Prediction;
import pipeline.schemas.avro.ScoredLabel;

/** A prediction as the API shows it. */
final class PredictionJson {

    private PredictionJson() {
    }

    static JsonObject of(Prediction p) {
        JsonArray top = new JsonArray();
        for (ScoredLabel scored : p.getTopK()) {
            top.add(new JsonObject().put("label", scored.getLabel()).put("score", scored.getScore()));
        }
        return new JsonObject()
                .put("id", p.getImageId())
                .put("source", p.getSource())
                .put("model", new JsonObject().put("name", p.getModel().getName()).put("version", p.getModel().getVersion()))
                .put("top", top)
                .put("embedding", new JsonArray(p.getEmbedding()))
                .put("timings", new JsonObject().put("queuedMillis", p.getTimings().getQueuedMillis())
                        .put("inferenceMicros", p.getTimings().getInferenceMicros())
                        .put("batchSize", p.getTimings().getBatchSize()))
                .put("predictedAt", p.getTimestamp().toString());
    }
}
