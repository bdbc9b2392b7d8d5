package pipeline.convnet.net;

import java.util.ArrayList;
import java.util.List;
import pipeline.convnet.layer.Activation;
import pipeline.convnet.layer.BatchNorm2d;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Layer;
import pipeline.convnet.layer.Linear;
import pipeline.convnet.layer.Residual;
import pipeline.convnet.layer.Sequential;

/**
 * Rewrites a network for inference, layer runs that are one pass once fused:
 * <ul>
 *   <li>convolution → batch-norm: the running statistics folded into the convolution's weights and bias;</li>
 *   <li>convolution (folded or not) → ReLU or ReLU6: applied as the convolution writes its output;</li>
 *   <li>residual block → ReLU: the ReLU applied as the sum is written;</li>
 *   <li>3×3 stride-1 convolution: a copy that also holds its weights transformed for Winograd's
 *   algorithm ({@link Conv2d#forServing});</li>
 *   <li>linear: a copy that also holds its weight transposed ({@link Linear#forServing}).</li>
 * </ul>
 * Inside residual blocks too. The result computes the same function as the original in inference
 * (up to float rounding of the folded weights) and has no backward pass where it fused. Fused layers
 * are new; layers left as they were (pooling, …) are shared with the original, so fuse a
 * network once its training is done.
 */
final class InferenceFusion {

    private InferenceFusion() {
    }

    static Sequential fuse(Sequential layers) {
        List<Layer> in = layers.layers();
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < in.size(); i++) {
            Layer layer = in.get(i);
            if (layer instanceof Conv2d conv) {
                if (i + 1 < in.size() && in.get(i + 1) instanceof BatchNorm2d bn) {
                    conv = conv.foldedWith(bn);
                    i++;
                }
                if (i + 1 < in.size() && in.get(i + 1) instanceof Activation.Relu) {
                    conv = conv.withFusedRelu();
                    i++;
                } else if (i + 1 < in.size() && in.get(i + 1) instanceof Activation.Relu6) {
                    conv = conv.withFusedRelu6();
                    i++;
                }
                out.add(conv.forServing());
            } else if (layer instanceof Residual block) {
                Layer main = fuseInside(block.main());
                Layer shortcut = block.shortcut() == null ? null : fuseInside(block.shortcut());
                if (i + 1 < in.size() && in.get(i + 1) instanceof Activation.Relu) {
                    out.add(Residual.fusedWithRelu(main, shortcut));
                    i++;
                } else {
                    out.add(new Residual(main, shortcut));
                }
            } else if (layer instanceof Linear linear) {
                out.add(linear.forServing());
            } else if (layer instanceof Sequential nested) {
                out.add(fuse(nested));
            } else {
                out.add(layer);
            }
        }
        return new Sequential(out);
    }

    private static Layer fuseInside(Layer layer) {
        return layer instanceof Sequential nested ? fuse(nested) : fuse(Sequential.of(layer));
    }
}
