package pipeline.convnet.inspect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import pipeline.convnet.layer.Conv2d;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.layer.Parameter;
import pipeline.convnet.net.Graph;
import pipeline.convnet.net.Network;
import pipeline.convnet.tensor.Tensor;

/**
 * Looking inside a trained network, as pictures: what the first layer's filters look for, how a
 * layer responds to an image, which pixels a class score depends on, and what input a unit likes most.
 * Everything runs in inference mode and leaves the weights as they are.
 */
public final class Inspector {

    private final Network network;

    public Inspector(Network network) {
        this.network = network;
    }

    /**
     * The first convolution's filters, {@code scale}× enlarged: one grey tile per (output, input) channel pair, or for a
     * colour model (three input channels) one colour tile per filter.
     */
    public BufferedImage firstLayerFilters(int scale) {
        Conv2d conv = network.graph().nodes().stream().map(Graph.Node::op).filter(Conv2d.class::isInstance)
                .map(Conv2d.class::cast).findFirst().orElseThrow(() -> new IllegalArgumentException("the network has no convolution"));
        int[] shape = conv.weight().value().shape();
        int kh = shape[2];
        int kw = shape[3];
        float[] weights = conv.weight().value().data();
        if (shape[1] == 3) {
            // A colour model's first filters read red, green and blue: one colour tile per filter.
            float[][][] tiles = new float[shape[0]][3][];
            for (int f = 0; f < shape[0]; f++) {
                for (int c = 0; c < 3; c++) {
                    int from = (f * 3 + c) * kh * kw;
                    tiles[f][c] = Arrays.copyOfRange(weights, from, from + kh * kw);
                }
            }
            return Picture.colourGrid(tiles, kh, kw, Math.min(8, tiles.length), scale);
        }
        float[][] planes = new float[shape[0] * shape[1]][];
        for (int p = 0; p < planes.length; p++) {
            planes[p] = Arrays.copyOfRange(weights, p * kh * kw, (p + 1) * kh * kw);
        }
        return Picture.grid(planes, kh, kw, Math.min(8, planes.length), scale);
    }

    /** One layer's (node's) output for one image, as a grid of its channel maps. */
    public record LayerMaps(int index, String layer, int[] shape, BufferedImage picture) {
    }

    /** How many layers (nodes of its graph, in the order they run) the network has; they are numbered from 0. */
    public int layers() {
        return network.graph().nodes().size();
    }

    /** The channels of layer {@code index}'s output (0-based) for one image {@code [1, C, H, W]}. */
    public BufferedImage activationMaps(Tensor image, int index, int scale) {
        Tensor out = outputOf(index, image);
        if (out.rank() != 4) {
            throw new IllegalArgumentException("layer " + index + " (" + node(index).label() + ") gives " + out.shapeString()
                    + ", not channel maps [1, C, H, W]");
        }
        return channelGrid(out, scale, Integer.MAX_VALUE);
    }

    /** Every layer's output that is channel maps {@code [1, C, H, W]}, in order, from one forward pass of {@code image}. */
    public List<LayerMaps> activationMaps(Tensor image, int scale) {
        return activationMaps(image, scale, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * {@link #activationMaps(Tensor, int)} for a network of any size: the first {@code maxChannels} channels of each
     * layer, and, when more than {@code maxLayers} layers give channel maps (an imported MobileNet has a hundred), those
     * of its convolutions only.
     */
    public List<LayerMaps> activationMaps(Tensor image, int scale, int maxChannels, int maxLayers) {
        List<LayerMaps> maps = new ArrayList<>();
        Tensor[] values = network.graph().forward(Mode.INFER, image);
        List<Graph.Node> nodes = network.graph().nodes();
        List<Integer> shown = IntStream.range(0, nodes.size()).filter(i -> values[nodes.get(i).outputs()[0]].rank() == 4).boxed().toList();
        if (shown.size() > maxLayers) {
            shown = shown.stream().filter(i -> nodes.get(i).op() instanceof Conv2d).toList();
        }
        for (int i : shown) {
            maps.add(new LayerMaps(i, nodes.get(i).op().describe(), values[nodes.get(i).outputs()[0]].shape(),
                    channelGrid(values[nodes.get(i).outputs()[0]], scale, maxChannels)));
        }
        return maps;
    }

    /** {@code [1, C, H, W]} as a grid of its first {@code maxChannels} channels' pictures, 8 to a row. */
    private static BufferedImage channelGrid(Tensor out, int scale, int maxChannels) {
        int c = Math.min(maxChannels, out.dim(1));
        int plane = out.dim(2) * out.dim(3);
        float[][] planes = new float[c][];
        for (int ch = 0; ch < c; ch++) {
            planes[ch] = Arrays.copyOfRange(out.data(), ch * plane, (ch + 1) * plane);
        }
        return Picture.grid(planes, out.dim(2), out.dim(3), Math.min(8, c), scale);
    }

    /**
     * {@code |∂ score_class / ∂ input|}, the largest over the input's channels, {@code [H·W]}: the
     * pixels whose change would move the class score most (Simonyan et al. 2014).
     */
    public float[] saliency(Tensor image, int classIndex) {
        Tensor logits = network.forward(image, Mode.INFER);
        if (classIndex < 0 || classIndex >= logits.dim(1)) {
            throw new IllegalArgumentException("class " + classIndex + " is not one of the " + logits.dim(1) + " outputs");
        }
        Tensor seed = Tensor.zeros(logits.shape());
        seed.data()[classIndex] = 1f;
        Tensor grad = network.backward(seed);
        int plane = image.dim(2) * image.dim(3);
        float[] map = new float[plane];
        for (int c = 0; c < image.dim(1); c++) {
            for (int p = 0; p < plane; p++) {
                map[p] = Math.max(map[p], Math.abs(grad.data()[c * plane + p]));
            }
        }
        network.parameters().forEach(Parameter::zeroGrad);
        return map;
    }

    /** {@link #saliency} as a picture the size of the input, {@code scale}× enlarged. */
    public BufferedImage saliencyMap(Tensor image, int classIndex, int scale) {
        return Picture.grid(new float[][] {saliency(image, classIndex)}, image.dim(2), image.dim(3), 1, scale);
    }

    /** {@link #saliency} as a red heat layer for the input, {@code scale}× enlarged (see {@link Picture#heat}). */
    public BufferedImage saliencyHeat(Tensor image, int classIndex, int scale) {
        return Picture.heat(saliency(image, classIndex), image.dim(2), image.dim(3), scale);
    }

    /**
     * An input that makes channel {@code channel} of layer {@code index} respond strongly: gradient
     * ascent from faint noise on the channel's mean activation, in steps of {@code rate} along the
     * RMS-normalised gradient, with a little L2 decay to keep the input bounded (Erhan et al. 2009).
     * Returns the input {@code [1, C, H, W]}.
     */
    public Tensor maximumResponse(int index, int channel, int steps, float rate, long seed) {
        int[] in = network.input();
        SplittableRandom random = new SplittableRandom(seed);
        Tensor x = Tensor.zeros(1, in[0], in[1], in[2]);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) (random.nextGaussian() * 0.1);
        }
        for (int step = 0; step < steps; step++) {
            Tensor out = outputOf(index, x);
            Tensor grad = Tensor.zeros(out.shape());
            int units = out.size() / out.dim(1);
            for (int u = 0; u < units; u++) {
                grad.data()[channel * units + u] = 1f / units;
            }
            Tensor dx = network.graph().backward(node(index).outputs()[0], grad)[0];
            // Steps of fixed size along the gradient's direction: a unit that starts nearly silent
            // passes back tiny gradients, and a raw step would barely move the input.
            double squares = 0;
            for (float g : dx.data()) {
                squares += g * g;
            }
            float norm = (float) Math.sqrt(squares / dx.size()) + 1e-8f;
            for (int i = 0; i < x.size(); i++) {
                x.data()[i] += rate * (dx.data()[i] / norm - 1e-2f * x.data()[i]);
            }
        }
        network.parameters().forEach(Parameter::zeroGrad);
        return x;
    }

    /** The shape of layer {@code index}'s output for one input, e.g. {@code [1, 16, 10, 10]} or {@code [1, 120]}. */
    public int[] outputShape(int index) {
        return network.graph().shapes(network.batchShape(1))[node(index).outputs()[0]];
    }

    /** The mean activation of one channel of layer {@code index} for {@code x}. */
    public float response(Tensor x, int index, int channel) {
        Tensor out = outputOf(index, x);
        int units = out.size() / out.dim(1);
        float sum = 0f;
        for (int u = 0; u < units; u++) {
            sum += out.data()[channel * units + u];
        }
        return sum / units;
    }

    /** Layer {@code index}'s output for {@code x}, running the graph as far as that layer. */
    private Tensor outputOf(int index, Tensor x) {
        return network.graph().forward(Mode.INFER, index + 1, x)[node(index).outputs()[0]];
    }

    private Graph.Node node(int index) {
        List<Graph.Node> nodes = network.graph().nodes();
        if (index < 0 || index >= nodes.size()) {
            throw new IllegalArgumentException("layer " + index + " does not exist; the network has layers 0 to "
                    + (nodes.size() - 1));
        }
        return nodes.get(index);
    }
}
