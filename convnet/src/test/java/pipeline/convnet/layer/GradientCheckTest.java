package pipeline.convnet.layer;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pipeline.convnet.kernel.Broadcast;
import pipeline.convnet.kernel.Pooling;
import pipeline.convnet.tensor.Tensor;

/** Every layer, with every option, against finite differences. */
class GradientCheckTest {

    static Stream<Arguments> layers() {
        return Stream.of(
                case2d(Conv2d.square(2, 3, 3, 1, 0, 1, 1, true), "conv 3×3"),
                case2d(Conv2d.square(2, 3, 3, 2, 1, 1, 1, true), "conv stride 2, padding 1"),
                case2d(Conv2d.square(2, 2, 3, 1, 2, 2, 1, true), "conv dilation 2, padding 2"),
                case2d(Conv2d.square(4, 6, 3, 1, 1, 1, 2, true), "conv groups 2"),
                case2d(Conv2d.square(4, 4, 3, 1, 1, 1, 4, false), "conv depthwise, no bias"),
                case2d(Conv2d.square(4, 4, 3, 2, 1, 1, 4, true), "conv depthwise stride 2, bias"),
                case2d(new Conv2d(4, 4, 3, 2, 1, 2, 2, 0, 1, 2, 4, false), "conv depthwise 3×2, stride 1×2, dilation 1×2"),
                case2d(Conv2d.square(4, 3, 1, 2, 0, 1, 1, false), "conv 1×1 stride 2 (projection)"),
                case2d(new Conv2d(2, 2, 2, 3, 2, 1, 1, 0, 1, 2, 1, true), "conv 2×3, unequal stride/padding/dilation"),
                // Stride 1 trains without a column matrix when the padding is within the kernel's reach.
                case2d(new Conv2d(2, 3, 2, 3, 1, 1, 1, 2, 2, 1, 1, true), "conv 2×3 stride 1, padding 1×2, dilation 2×1"),
                case2d(Conv2d.square(3, 4, 1, 1, 0, 1, 1, true), "conv 1×1 stride 1 (read in place, unpadded)"),
                // Padded along the width only: no rows of padding below the image (a 1-d convolution as a 2-d one).
                Arguments.of(new Conv2d(4, 5, 1, 3, 1, 1, 0, 1, 1, 1, 1, true), GradientCheck.input(3, 2, 4, 1, 7), Mode.TRAIN,
                        "conv 1×3 stride 1, padding 0×1 (one row high)"),
                case2d(Conv2d.square(2, 3, 1, 1, 1, 1, 1, true), "conv 1×1 padding 1 (beyond the kernel's reach: columns)"),
                Arguments.of(new Conv1d(2, 3, 3, 2, 1, 2, 1, true), GradientCheck.input(1, 2, 2, 11), Mode.TRAIN, "conv1d"),
                case2d(new MaxPool2d(2, 2, 0), "maxpool 2"),
                case2d(new MaxPool2d(3, 2, 1), "maxpool 3 stride 2 padding 1"),
                case2d(new AvgPool2d(2, 2, 0), "avgpool 2"),
                case2d(new AvgPool2d(3, 2, 1), "avgpool 3 stride 2 padding 1"),
                case2d(new MaxPool2d(new Pooling.Slide(3, 2, 2, 1, 0), new Pooling.Slide(2, 1, 1, 0, 1), true),
                        "maxpool 3×2, stride 2×1, dilation 2×1, asymmetric padding, ceil"),
                case2d(new AvgPool2d(Pooling.Slide.of(2, 2, 1), new Pooling.Slide(3, 2, 1, 0, 2), true, true),
                        "avgpool 2×3 stride 2, asymmetric padding, ceil, padding counted"),
                case2d(new AvgPool2d(Pooling.Slide.of(2, 2, 1), new Pooling.Slide(3, 2, 1, 0, 2), true, false),
                        "avgpool 2×3 stride 2, asymmetric padding, ceil, padding not counted"),
                case2d(new GlobalAvgPool(), "global average pool"),
                case2d(new Softmax(1, false), "softmax over channels"),
                case2d(new Softmax(-1, true), "log-softmax over the last axis"),
                case2d(new Transpose(0, 2, 3, 1), "transpose to NHWC"),
                case2d(new Pad(new int[] {0, 1, 2, 0, 0, 0, 1, 3}, 0.5f), "pad"),
                case2d(new Reshape(0, -1, 5), "reshape"),
                case2d(new Activation.Clip(-0.5f, 0.5f), "clip"),
                case2d(new Activation.HardSigmoid(2f, 0.5f), "hard sigmoid"),
                case2d(new Activation.HardSwish(), "hard swish"),
                case2d(new ReduceMean(new int[] {2, 3}, true), "reduce-mean over the plane, kept"),
                case2d(new ReduceMean(new int[] {1}, false), "reduce-mean over channels, dropped"),
                case2d(new Slice(new int[] {1, -1}, new int[] {4, 0}, new int[] {2, 3}, new int[] {2, -2}), "slice, steps 2 and -2"),
                case2d(new PRelu(4, 1, 1), "prelu per channel"),
                case2d(new LocalResponseNorm(3, 0.5f, 0.75f, 1f), "local response normalisation"),
                case2d(new Activation.Relu(), "relu"),
                case2d(new Activation.Relu6(), "relu6"),
                case2d(new Activation.LeakyRelu(0.1f), "leaky relu"),
                case2d(new Activation.Sigmoid(), "sigmoid"),
                case2d(new Activation.Tanh(), "tanh"),
                Arguments.of(new Linear(5, 4, true), GradientCheck.input(2, 3, 5), Mode.TRAIN, "linear"),
                Arguments.of(new Linear(5, 4, false), GradientCheck.input(2, 3, 5), Mode.TRAIN, "linear, no bias"),
                case2d(new Flatten(), "flatten"),
                case2d(new BatchNorm2d(4), "batchnorm, training"),
                Arguments.of(new BatchNorm2d(4), GradientCheck.input(3, 2, 4, 3, 3), Mode.INFER, "batchnorm, inference"),
                case2d(Sequential.of(Conv2d.square(4, 3, 3, 1, 1, 1, 1, true), new Activation.Relu(), new MaxPool2d(2, 2, 0),
                        new Flatten(), new Linear(12, 5, true)), "small network"));
    }

    private static Arguments case2d(Layer layer, String name) {
        int channels = switch (layer) {
            case Conv2d c -> c.inChannels();
            default -> 4;
        };
        return Arguments.of(layer, GradientCheck.input(name.hashCode(), 2, channels, 5, 5), Mode.TRAIN, name);
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("layers")
    void backwardMatchesFiniteDifferences(Layer layer, Tensor input, Mode mode, String name) {
        GradientCheck.randomise(layer.parameters(), name.hashCode());
        if (mode == Mode.INFER && layer instanceof BatchNorm2d bn) {
            // Give the running statistics values of their own, as after training.
            for (int c = 0; c < bn.runningMean().length; c++) {
                bn.runningMean()[c] = 0.1f * c;
                bn.runningVar()[c] = 0.5f + c;
            }
        }
        GradientCheck.check(layer, input, mode);
    }

    static Stream<Arguments> ops() {
        return Stream.of(
                Arguments.of(new Arithmetic(Broadcast.Operator.ADD), new int[] {2, 3, 4}, new int[] {2, 3, 4}, "add"),
                Arguments.of(new Arithmetic(Broadcast.Operator.ADD), new int[] {2, 3, 4}, new int[] {3, 1}, "add, broadcast"),
                Arguments.of(new Arithmetic(Broadcast.Operator.SUB), new int[] {4}, new int[] {2, 3, 4}, "sub, broadcast first"),
                Arguments.of(new Arithmetic(Broadcast.Operator.MUL), new int[] {2, 3, 2, 2}, new int[] {3, 1, 1}, "mul per channel"),
                Arguments.of(new Arithmetic(Broadcast.Operator.MUL), new int[] {2, 1, 3}, new int[] {4, 1}, "mul, both broadcast"),
                Arguments.of(new Arithmetic(Broadcast.Operator.DIV), new int[] {2, 3, 4}, new int[] {1, 4}, "div, broadcast"),
                Arguments.of(new Concat(1), new int[] {2, 3, 2, 2}, new int[] {2, 1, 2, 2}, "concat channels"),
                Arguments.of(new MatMul(), new int[] {2, 3, 4}, new int[] {4, 5}, "matmul, batch broadcast"),
                Arguments.of(new MatMul(), new int[] {4}, new int[] {2, 4, 3}, "matmul, vector first"),
                Arguments.of(new MatMul(), new int[] {2, 1, 3, 4}, new int[] {3, 4, 2}, "matmul, both broadcast"),
                Arguments.of(new Concat(-1), new int[] {2, 3}, new int[] {2, 5}, "concat last axis"));
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("ops")
    void twoInputOpsMatchFiniteDifferences(Op op, int[] a, int[] b, String name) {
        Tensor x = GradientCheck.input(1, a);
        Tensor y = GradientCheck.input(2, b);
        if (name.startsWith("div")) {
            // Denominators away from zero, where 1/y is smooth on the scale of a finite-difference step.
            for (int i = 0; i < y.size(); i++) {
                y.data()[i] = 1f + Math.abs(y.data()[i]);
            }
        }
        GradientCheck.check(op, List.of(x, y), Mode.TRAIN);
    }
}
