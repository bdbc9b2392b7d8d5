package pipeline.convnet.optim;

import java.util.List;
import pipeline.convnet.layer.Parameter;

/** Updates parameters from their accumulated gradients, at a learning rate given per step. */
public interface Optimizer {

    /** One update of every parameter with learning rate {@code lr}; gradients are left as they are. */
    void step(List<Parameter> parameters, float lr);
}
