package pipeline.modelstore;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import pipeline.convnet.model.ModelFile;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;
import pipeline.schemas.avro.ModelVersion;

/**
 * Decides whether a published model version may serve: its weights match their SHA-256, they are a
 * readable model file, its input shape and classes agree with its record (and with the model
 * serving now, so clients see the same classes, and perhaps new ones after them), and a smoke inference gives finite outputs
 * (NaN or infinite weights do not).
 */
public final class ModelVerifier {

    /**
     * @param current the snapshot serving now, or {@code null} at start (then any shape is accepted)
     */
    public ModelSnapshot verify(ModelVersion version, ModelSnapshot current) throws ModelRefusedException {
        String what = "model " + version.getName() + " v" + version.getVersion();
        byte[] weights = new byte[version.getWeights().remaining()];
        version.getWeights().duplicate().get(weights);
        String actual = sha256(weights);
        if (!actual.equalsIgnoreCase(version.getWeightsSha256())) {
            throw new ModelRefusedException(what + ": the weights' SHA-256 is " + actual + " but the record says "
                    + version.getWeightsSha256());
        }
        ModelFile model;
        try {
            model = ModelFile.fromBytes(weights, what);
        } catch (IOException e) {
            throw new ModelRefusedException(e.getMessage());
        }
        int[] input = model.network().input();
        int[] declared = {version.getInput().getChannels(), version.getInput().getHeight(), version.getInput().getWidth()};
        if (!Arrays.equals(input, declared)) {
            throw new ModelRefusedException(what + ": the weights take input " + Arrays.toString(input)
                    + " but the record declares " + Arrays.toString(declared));
        }
        if (!model.resize().text().equals(version.getInput().getResize())) {
            throw new ModelRefusedException(what + ": the weights resize images by " + model.resize().text()
                    + " but the record declares " + version.getInput().getResize());
        }
        if (!model.classNames().equals(version.getClassNames())) {
            throw new ModelRefusedException(what + ": the weights' classes " + model.classNames()
                    + " differ from the record's " + version.getClassNames());
        }
        if (current != null) {
            requireCompatible(what, model, current);
        }
        for (Network.NamedTensor tensor : model.network().state()) {
            for (float v : tensor.values()) {
                if (!Float.isFinite(v)) {
                    throw new ModelRefusedException(what + ": " + tensor.name() + " holds " + v);
                }
            }
        }
        ModelSnapshot snapshot = new ModelSnapshot(version.getName(), version.getVersion(), model);
        Tensor logits = snapshot.serving().logits(Tensor.zeros(model.network().batchShape(1)));
        for (float v : logits.data()) {
            if (!Float.isFinite(v)) {
                throw new ModelRefusedException(what + ": a smoke inference on a blank image gives " + v
                        + "; the weights hold NaN or infinite values");
            }
        }
        return snapshot;
    }

    private static void requireCompatible(String what, ModelFile model, ModelSnapshot current) throws ModelRefusedException {
        int[] serving = current.model().network().input();
        if (!Arrays.equals(model.network().input(), serving)) {
            throw new ModelRefusedException(what + ": input " + Arrays.toString(model.network().input())
                    + " does not match the serving v" + current.version() + "'s " + Arrays.toString(serving));
        }
        List<String> classes = current.model().classNames();
        List<String> offered = model.classNames();
        // A trainer that grows the head appends classes: every class served so far keeps its output.
        if (offered.size() < classes.size() || !offered.subList(0, classes.size()).equals(classes)) {
            throw new ModelRefusedException(what + ": classes " + offered + " differ from the serving v"
                    + current.version() + "'s " + classes + " (a version may only add classes after them)");
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
