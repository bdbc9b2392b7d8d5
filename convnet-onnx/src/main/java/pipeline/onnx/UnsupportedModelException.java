package pipeline.onnx;

import java.util.List;

/** A model that uses what the engine does not have: the message names every use, node by node. */
public final class UnsupportedModelException extends IllegalArgumentException {

    private final List<String> problems;
    private final List<String> inputsWantedFixed;

    public UnsupportedModelException(String summary, List<String> problems) {
        this(summary, problems, List.of());
    }

    UnsupportedModelException(String summary, List<String> problems, List<String> inputsWantedFixed) {
        super(summary + (problems.isEmpty() ? "" : ":\n  " + String.join("\n  ", problems)));
        this.problems = List.copyOf(problems);
        this.inputsWantedFixed = List.copyOf(inputsWantedFixed);
    }

    /** Inputs of the graph that nodes needed fixed at import (a convolution's weight given as an input). */
    public List<String> inputsWantedFixed() {
        return inputsWantedFixed;
    }

    /** One line per unsupported use: the node, and what about it. */
    public List<String> problems() {
        return problems;
    }
}
