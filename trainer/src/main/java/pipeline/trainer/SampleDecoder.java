package pipeline.trainer;

import java.util.List;
import pipeline.convnet.model.ModelFile;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelInput;
import pipeline.schemas.avro.LabelledImage;

/**
 * Turns {@code labels} records into samples for one model's input and classes; a label of a class the
 * model does not have is refused, or, when the trainer grows the model ({@code trainer.new-classes=grow}),
 * kept as a sample of a new class.
 */
final class SampleDecoder {

    /** A labelled image the trainer cannot use, with a stable code for the dead letter. */
    static final class Refused extends Exception {
        final String code;

        Refused(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The largest labelled image decoded, width·height: 8192², checked from the header before decoding. */
    private static final ImageProbe PROBE = new ImageProbe(8192L * 8192);

    private final ModelInput input;
    private final List<String> classes;
    private final boolean newClasses;

    /** @param newClasses whether a label may name a class the model does not have */
    SampleDecoder(ModelFile model, boolean newClasses) {
        this.input = new ModelInput(model);
        this.classes = model.classNames();
        this.newClasses = newClasses;
    }

    Sample decode(String imageId, LabelledImage labelled) throws Refused {
        String label = labelled.getLabel();
        if (!newClasses && !classes.contains(label)) {
            throw new Refused("UNKNOWN_LABEL", "label '" + label + "' of image " + imageId
                    + " is not a class of the model; expected one of " + classes + " (trainer.new-classes=grow keeps it)");
        }
        byte[] bytes = new byte[labelled.getImage().remaining()];
        labelled.getImage().duplicate().get(bytes);
        try {
            return new Sample(imageId, input.pixels(input.decode(PROBE, bytes)), label);
        } catch (ImageProbe.RejectedImage e) {
            throw new Refused(e.reason().name(), "image " + imageId + ": " + e.getMessage());
        }
    }
}
