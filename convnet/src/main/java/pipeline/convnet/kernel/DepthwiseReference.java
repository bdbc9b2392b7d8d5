package pipeline.convnet.kernel;

/**
 * The plain loops that {@link Depthwise} must equal: one channel's convolution with its own
 * {@code [KH, KW]} filter, straight from the definition (zero padding read as zero).
 *
 * <pre>
 * out[y, x] = Σ_{kh, kw} w[kh, kw] · in[y·SH − PH + kh·DH, x·SW − PW + kw·DW]
 * </pre>
 */
public final class DepthwiseReference {

    private DepthwiseReference() {
    }

    /** {@code out[OH×OW]} at {@code outAt} from {@code in[H×W]} at {@code inAt} and {@code w[KH×KW]} at {@code wAt}. */
    public static void forward(Depthwise.Plane p, float[] in, int inAt, float[] w, int wAt, float[] out, int outAt) {
        for (int y = 0; y < p.outH(); y++) {
            for (int x = 0; x < p.outW(); x++) {
                float sum = 0f;
                for (int kh = 0; kh < p.kernelH(); kh++) {
                    for (int kw = 0; kw < p.kernelW(); kw++) {
                        sum += w[wAt + kh * p.kernelW() + kw] * input(p, in, inAt, y, x, kh, kw);
                    }
                }
                out[outAt + y * p.outW() + x] = sum;
            }
        }
    }

    /** {@code dIn[H×W] += Σ w · dOut} over every output that read each input: forward's adjoint. */
    public static void inputGradient(Depthwise.Plane p, float[] dOut, int dOutAt, float[] w, int wAt, float[] dIn, int dInAt) {
        for (int y = 0; y < p.outH(); y++) {
            for (int x = 0; x < p.outW(); x++) {
                for (int kh = 0; kh < p.kernelH(); kh++) {
                    for (int kw = 0; kw < p.kernelW(); kw++) {
                        int iy = y * p.strideH() - p.padH() + kh * p.dilationH();
                        int ix = x * p.strideW() - p.padW() + kw * p.dilationW();
                        if (iy >= 0 && iy < p.height() && ix >= 0 && ix < p.width()) {
                            dIn[dInAt + iy * p.width() + ix] += w[wAt + kh * p.kernelW() + kw] * dOut[dOutAt + y * p.outW() + x];
                        }
                    }
                }
            }
        }
    }

    /** {@code dW[KH×KW] += Σ_{y, x} dOut[y, x] · in[tap's input of (y, x)]}. */
    public static void weightGradient(Depthwise.Plane p, float[] dOut, int dOutAt, float[] in, int inAt, float[] dW, int dWAt) {
        for (int kh = 0; kh < p.kernelH(); kh++) {
            for (int kw = 0; kw < p.kernelW(); kw++) {
                float sum = 0f;
                for (int y = 0; y < p.outH(); y++) {
                    for (int x = 0; x < p.outW(); x++) {
                        sum += dOut[dOutAt + y * p.outW() + x] * input(p, in, inAt, y, x, kh, kw);
                    }
                }
                dW[dWAt + kh * p.kernelW() + kw] += sum;
            }
        }
    }

    private static float input(Depthwise.Plane p, float[] in, int inAt, int y, int x, int kh, int kw) {
        int iy = y * p.strideH() - p.padH() + kh * p.dilationH();
        int ix = x * p.strideW() - p.padW() + kw * p.dilationW();
        return iy < 0 || iy >= p.height() || ix < 0 || ix >= p.width() ? 0f : in[inAt + iy * p.width() + ix];
    }
}
