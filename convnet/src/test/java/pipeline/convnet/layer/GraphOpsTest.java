package pipeline.convnet.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import java.util.List;
import org.junit.jupiter.api.Test;
import pipeline.convnet.tensor.Tensor;

/** The ops ONNX models are made of beside the layers, on values worked out by hand. */
class GraphOpsTest {

    @Test
    void softmaxAndItsLogarithmAlongAnAxis() {
        Tensor x = new Tensor(new float[] {1, 2, 3, 1000, 1000, 1000}, 2, 3);

        Tensor y = new Softmax(1, false).forward(x, Mode.INFER);
        Tensor logY = new Softmax(-1, true).forward(x, Mode.INFER);

        double e = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertThat(y.data()).containsExactly(new float[] {(float) (Math.exp(1) / e), (float) (Math.exp(2) / e),
                (float) (Math.exp(3) / e), 1 / 3f, 1 / 3f, 1 / 3f}, offset(1e-6f));
        assertThat(logY.data()[2]).isCloseTo((float) (3 - Math.log(e)), offset(1e-5f));
        assertThat(logY.data()[3]).as("large logits do not overflow").isCloseTo((float) -Math.log(3), offset(1e-5f));
        Tensor columns = new Softmax(0, false).forward(x, Mode.INFER);
        assertThat(columns.data()[0] + columns.data()[3]).isCloseTo(1f, offset(1e-6f));
    }

    @Test
    void transposeMovesAxes() {
        Tensor x = new Tensor(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);

        Tensor y = new Transpose(0, 2, 1).forward(x, Mode.INFER);

        assertThat(y.shape()).containsExactly(1, 3, 2);
        assertThat(y.data()).containsExactly(0, 3, 1, 4, 2, 5);
        assertThatThrownBy(() -> new Transpose(0, 2, 2)).hasMessageContaining("a permutation of 0 to 2");
    }

    @Test
    void padSurroundsEachAxisWithTheValue() {
        Tensor x = new Tensor(new float[] {1, 2, 3, 4}, 1, 2, 2);

        Tensor y = new Pad(new int[] {0, 1, 0, 0, 0, 1}, 9f).forward(x, Mode.INFER);

        assertThat(y.shape()).containsExactly(1, 3, 3);
        assertThat(y.data()).containsExactly(9, 9, 9, 1, 2, 9, 3, 4, 9);
        assertThatThrownBy(() -> new Pad(new int[] {0, -1}, 0f)).hasMessageContaining("0 or more");
    }

    @Test
    void reshapeKeepsTheBatchWithZeroAndInfersMinusOne() {
        Reshape reshape = new Reshape(0, -1);

        assertThat(reshape.outputShape(new int[] {7, 2, 3, 4})).containsExactly(7, 24);
        assertThat(new Reshape(0, 2, -1).outputShape(new int[] {5, 4, 3})).containsExactly(5, 2, 6);
        assertThatThrownBy(() -> new Reshape(0, 5).outputShape(new int[] {2, 3, 4}))
                .hasMessageContaining("cannot shape [2, 3, 4] (24 values) into [2, 5] (10 values)");
        assertThatThrownBy(() -> new Reshape(-1, -1)).hasMessageContaining("at most one −1");
    }

    @Test
    void matmulMultipliesBroadcastBatchesOfMatrices() {
        Tensor a = new Tensor(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
        Tensor b = new Tensor(new float[] {1, 0, 1, 1}, 2, 2);

        Tensor y = new MatMul().forward(List.of(a, b), Mode.INFER).getFirst();

        // [[1,2],[3,4]]·[[1,0],[1,1]] = [[3,2],[7,4]]; [[5,6],[7,8]]·… = [[11,6],[15,8]]
        assertThat(y.shape()).containsExactly(2, 2, 2);
        assertThat(y.data()).containsExactly(3, 2, 7, 4, 11, 6, 15, 8);
        Tensor v = new MatMul().forward(List.of(new Tensor(new float[] {1, 1}, 2), b), Mode.INFER).getFirst();
        assertThat(v.shape()).containsExactly(2);
        assertThat(v.data()).containsExactly(2, 1);
        assertThatThrownBy(() -> new MatMul().outputShapes(List.of(new int[] {2, 3}, new int[] {2, 3})))
                .hasMessageContaining("3 columns against 2 rows");
    }

    @Test
    void clipHardSigmoidAndHardSwish() {
        Tensor x = new Tensor(new float[] {-4, -1, 0, 2, 4, Float.NaN}, 6);

        assertThat(new Activation.Clip(-1, 2).forward(x, Mode.INFER).data()).containsExactly(-1, -1, 0, 2, 2, Float.NaN);
        assertThat(new Activation.HardSigmoid(0.2f, 0.5f).forward(x, Mode.INFER).data())
                .containsExactly(new float[] {0, 0.3f, 0.5f, 0.9f, 1, Float.NaN}, offset(1e-6f));
        assertThat(new Activation.HardSwish().forward(x, Mode.INFER).data())
                .containsExactly(new float[] {0, -1 / 3f, 0, 2 * 5 / 6f, 4, Float.NaN}, offset(1e-6f));
        assertThatThrownBy(() -> new Activation.Clip(1, 0)).hasMessageContaining("min ≤ max");
    }

    @Test
    void aConstantGivesItsValueAndTakesNoInputs() {
        Constant constant = new Constant(new Tensor(new float[] {2, 3}, 2, 1));

        assertThat(constant.arity()).isZero();
        assertThat(constant.forward(List.of(), Mode.TRAIN).getFirst().data()).containsExactly(2, 3);
        Tensor out = Tensor.zeros(2, 1);
        constant.infer(List.of(), List.of(out));
        assertThat(out.data()).containsExactly(2, 3);
    }

    @Test
    void sliceReduceMeanPreluAndLocalResponseNormalisation() {
        Tensor x = new Tensor(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 1, 2, 4);

        assertThat(new Slice(new int[] {1}, new int[] {Integer.MAX_VALUE}, new int[] {-1}, new int[] {2}).forward(x, Mode.INFER)
                .data()).containsExactly(1, 3, 5, 7);
        assertThat(new Slice(new int[] {-1}, new int[] {-9}, new int[] {2}, new int[] {-1}).forward(x, Mode.INFER).data())
                .as("backwards, clamped").containsExactly(3, 2, 1, 0, 7, 6, 5, 4);
        assertThat(new ReduceMean(new int[] {2}, true).forward(x, Mode.INFER).data()).containsExactly(1.5f, 5.5f);
        assertThat(new ReduceMean(new int[0], false).outputShape(new int[] {1, 2, 4})).isEmpty();
        PRelu prelu = new PRelu(2, 1);
        prelu.slope().value().data()[1] = 0.5f;
        assertThat(prelu.forward(new Tensor(new float[] {-4, 4, -4, 4}, 1, 2, 2), Mode.INFER).data()).containsExactly(-1, 4, -2, 4);

        // Channel 1 of 3, size 3: (1 + 0.3/3 · (1 + 4 + 9))^0.5 = √2.4
        Tensor y = new LocalResponseNorm(3, 0.3f, 0.5f, 1f).forward(new Tensor(new float[] {1, 2, 3}, 1, 3, 1), Mode.INFER);
        assertThat(y.data()[1]).isCloseTo((float) (2 / Math.sqrt(2.4)), offset(1e-6f));
        assertThat(y.data()[0]).as("the edge's window is short").isCloseTo((float) (1 / Math.sqrt(1 + 0.1 * 5)), offset(1e-6f));
    }
}
