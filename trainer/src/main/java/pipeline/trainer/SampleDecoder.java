package pipeline.trainer;

import java.util.List;
import pipeline.convnet.model.ModelFile;
import pipeline.images.ImageProbe;
import pipeline.modelstore.ModelInput;
import pipeline.schemas.avro.LabelledImage;

/** Turns {@code labels} records into samples for one model's input and classes. */
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
    /** The model's input {@code [C, H, W]}: a JPEG need not decode larger. */
    private final List<String> classes;

    SampleDecoder(ModelFile model) {
        this.input = new ModelInput(model);
        this.classes = model.classNames();
    }

    Sample decode(String imageId, LabelledImage labelled) throws Refused {
        int label = classes.indexOf(labelled.getLabel());
        if (label < 0) {
            throw new Refused("UNKNOWN_LABEL", "label '" + labelled.getLabel() + "' of image " + imageId
                    + " is not a class of the model; expected one of " + classes);
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
