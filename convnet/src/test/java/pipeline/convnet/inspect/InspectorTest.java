package pipeline.convnet.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import pipeline.convnet.data.Augmentation;
import pipeline.convnet.data.BatchLoader;
import pipeline.convnet.data.Dataset;
import pipeline.convnet.data.Normalisation;
import pipeline.convnet.init.Initializer;
import pipeline.convnet.layer.Mode;
import pipeline.convnet.net.Network;
import pipeline.convnet.net.NetworkSpec;
import pipeline.convnet.optim.LearningRateSchedule;
import pipeline.convnet.optim.Sgd;
import pipeline.convnet.tensor.Tensor;
import pipeline.convnet.train.Trainer;

/** Looking inside a LeNet-5 trained briefly on the committed sample. */
class InspectorTest {

    static Network lenet;
    static Tensor image;

    @BeforeAll
    static void trainBriefly() throws IOException {
        Dataset train = Dataset.readIdx(Path.of("src/test/resources/fashion-mnist-sample"), "train", Dataset.FASHION_MNIST_CLASSES);
        lenet = NetworkSpec.builtIn("lenet5", 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(lenet.graph());
        new Trainer(lenet, Normalisation.FASHION_MNIST, new Trainer.Config(1, 32, LearningRateSchedule.constant(0.05f),
                new Sgd(0.9f, false, 0f), Augmentation.NONE, 0f, 1)).fit(train.head(1000), null, new Trainer.Listener() { });
        image = new BatchLoader(train, Normalisation.FASHION_MNIST).load(new int[] {0}, 0, 1, Augmentation.NONE, null).images();
    }

    @Test
    void aColourModelsFiltersAreColourTilesAndABigGraphShowsItsConvolutionsCapped() {
        Network colour = NetworkSpec.parse("""
                input 3 16 16
                conv 4 kernel=3 padding=1
                relu
                conv 40 kernel=3 padding=1
                relu
                global-avgpool
                linear 2
                """, 1);
        new Initializer(Initializer.Scheme.HE, 1).initialise(colour.graph());
        // Filter 0 reads red only: its tile is red where its weights are largest.
        float[] weights = colour.state().getFirst().values();
        Arrays.fill(weights, 0, 27, 0f);
        weights[4] = 1f;

        BufferedImage filters = new Inspector(colour).firstLayerFilters(2);
        var maps = new Inspector(colour).activationMaps(Tensor.zeros(1, 3, 16, 16), 1, 8, 3);

        // 4 filters of 3×3 at 2×, one row: 4·7 + 1 by 7 + 1, in colour.
        assertThat(new int[] {filters.getWidth(), filters.getHeight()}).containsExactly(29, 8);
        assertThat(filters.getRGB(3, 3) & 0xffffff).as("the centre of filter 0").isEqualTo(0xff0000);
        assertThat(maps).as("four layers give channel maps; past three only the convolutions are shown").hasSize(2);
        assertThat(maps.get(1).picture().getWidth()).as("8 of the 40 channels, 8 to a row").isEqualTo(8 * 17 + 1);
    }

    @Test
    void firstLayerFiltersAreTiledOnePerFilter() throws IOException {
        BufferedImage grid = new Inspector(lenet).firstLayerFilters(4);

        // 6 filters of 5×5 at 4×, one row, one-pixel gaps: 6·21 + 1 by 21 + 1.
        assertThat(grid.getWidth()).isEqualTo(127);
        assertThat(grid.getHeight()).isEqualTo(22);
        assertThat(ImageIO.read(new ByteArrayInputStream(Picture.png(grid)))).isNotNull();
    }

    @Test
    void activationMapsShowEveryChannelOfALayer() {
        BufferedImage maps = new Inspector(lenet).activationMaps(image, 1, 1);

        // Layer 1 (ReLU after the first convolution): 6 maps of 28×28.
        assertThat(maps.getWidth()).isEqualTo(6 * 29 + 1);
        assertThat(maps.getHeight()).isEqualTo(29 + 1);
        assertThatThrownBy(() -> new Inspector(lenet).activationMaps(image, 7, 1)).hasMessageContaining("not channel maps");
    }

    @Test
    void oneForwardPassGivesTheMapsOfEveryLayerWithChannelOutput() {
        Inspector inspector = new Inspector(lenet);

        var maps = inspector.activationMaps(image, 1);

        // LeNet-5: conv, ReLU, pool, conv, ReLU, pool give [1, C, H, W]; flatten and the dense layers do not.
        assertThat(maps).extracting(Inspector.LayerMaps::index).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(maps.get(3).shape()).containsExactly(1, 16, 10, 10);
        BufferedImage single = inspector.activationMaps(image, 4, 1);
        BufferedImage fromAll = maps.get(4).picture();
        assertThat(fromAll.getWidth()).isEqualTo(single.getWidth());
        for (int y = 0; y < single.getHeight(); y++) {
            for (int x = 0; x < single.getWidth(); x++) {
                assertThat(fromAll.getRGB(x, y)).as("pixel %d,%d", x, y).isEqualTo(single.getRGB(x, y));
            }
        }
    }

    @Test
    void theSaliencyHeatLayerIsOpaqueWhereTheGradientIsLargestAndClearWhereItIsZero() {
        float[] plane = {0f, 1f, 4f, 2f};

        BufferedImage heat = Picture.heat(plane, 2, 2, 3);

        assertThat(heat.getWidth()).isEqualTo(6);
        assertThat(heat.getRGB(0, 0) >>> 24).isZero();
        assertThat(heat.getRGB(3, 0) >>> 24).isEqualTo(64);
        assertThat(heat.getRGB(0, 3) >>> 24).isEqualTo(255);
        assertThat(heat.getRGB(5, 5) >>> 24).isEqualTo(128);
        assertThat(new Inspector(lenet).saliencyHeat(image, 9, 2).getWidth()).isEqualTo(56);
    }

    @Test
    void saliencyIsTheGradientOfTheClassScore() {
        Inspector inspector = new Inspector(lenet);
        int label = 9;
        float[] saliency = inspector.saliency(image, label);
        int pixel = 0;
        for (int p = 1; p < saliency.length; p++) {
            pixel = saliency[p] > saliency[pixel] ? p : pixel;
        }

        float saved = image.data()[pixel];
        image.data()[pixel] = saved + 1e-2f;
        float plus = lenet.forward(image, Mode.INFER).data()[label];
        image.data()[pixel] = saved - 1e-2f;
        float minus = lenet.forward(image, Mode.INFER).data()[label];
        image.data()[pixel] = saved;

        assertThat(saliency).hasSize(784);
        assertThat((double) saliency[pixel]).isCloseTo(Math.abs((plus - minus) / 2e-2), within(0.05 * saliency[pixel] + 1e-3));
    }

    @Test
    void theMaximumResponseInputExcitesItsUnitFarMoreThanNoise() {
        Inspector inspector = new Inspector(lenet);

        Tensor noise = inspector.maximumResponse(4, 3, 0, 0.1f, 5);
        Tensor found = inspector.maximumResponse(4, 3, 60, 0.1f, 5);

        // Layer 4: ReLU after the second convolution, channel 3.
        assertThat(inspector.response(found, 4, 3)).isGreaterThan(inspector.response(noise, 4, 3) + 1f);
    }
}
