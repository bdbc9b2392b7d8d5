package pipeline.trainer;

import java.io.IOException;
import java.util.List;
import pipeline.convnet.data.ImageInput;
import pipeline.convnet.model.ModelFile;
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

    private final ImageInput input;
    private final List<String> classes;

    SampleDecoder(ModelFile model) {
        this.input = new ImageInput(model.network().input(), model.normalisation());
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
            return new Sample(imageId, input.pixels(ImageInput.decode(bytes, "image " + imageId)), label);
        } catch (IOException e) {
            throw new Refused("UNDECODABLE_IMAGE", e.getMessage());
        }
    }
}
