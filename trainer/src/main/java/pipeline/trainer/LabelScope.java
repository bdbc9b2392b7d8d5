package pipeline.trainer;

import pipeline.schemas.topics.Topics;

/**
 * Which labels and predictions a trainer takes when one cluster serves several models: those of its model,
 * whose images arrive on its images topic. A label names its model when it was sent with the gateway's
 * {@code ?model=}; one that names none is for the model served from {@code images}.
 *
 * @param model       the model the trainer fine-tunes ({@code trainer.model-name})
 * @param imagesTopic the topic its workers read and its labels' images are on ({@code trainer.images-topic})
 */
record LabelScope(String model, String imagesTopic) {

    /** A label (or a correction) for {@code labelModel}, {@code null} when it names none. */
    boolean takes(CharSequence labelModel) {
        return labelModel == null ? imagesTopic.equals(Topics.IMAGES.name()) : labelModel.toString().equals(model);
    }

    /** A prediction made by a version of {@code predictingModel}. */
    boolean scores(CharSequence predictingModel) {
        return predictingModel.toString().equals(model);
    }
}
