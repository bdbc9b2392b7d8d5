package pipeline.convnet.layer;

/** Training uses batch statistics and dropout; inference uses running statistics and no dropout. */
public enum Mode { TRAIN, INFER }
