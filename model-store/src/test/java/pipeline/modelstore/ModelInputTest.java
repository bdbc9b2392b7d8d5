package pipeline.modelstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Hashtable;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import pipeline.convnet.model.ModelFile;
import pipeline.images.ImageProbe;

/** 16-bit images, as scanners and some cameras write them, reduced to the model's 0–255 levels. */
class ModelInputTest {

    static final ModelInput LENET = input();

    static ModelInput input() {
        try {
            return new ModelInput(ModelFile.read(Path.of("../models/fashion-lenet5.model")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sixteenBitGreyAndColourPngsAreReducedToTheNearestLevel() throws Exception {
        ImageProbe probe = new ImageProbe(1 << 20);
        BufferedImage grey = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        fill(grey.getRaster(), 0xc000);
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_USHORT, 28, 28, 3, null);
        BufferedImage colour = new BufferedImage(new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
                ComponentColorModel.OPAQUE, DataBuffer.TYPE_USHORT), raster, false, new Hashtable<>());
        fill(raster, 0xc000);

        for (BufferedImage image : new BufferedImage[] {grey, colour}) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(image, "png", png);
            byte[] levels = LENET.pixels(probe.decode(png.toByteArray()));

            // 0xc000 of 0xffff is 191.25 of 255; its high byte alone would be 192, its low byte 0.
            assertThat((double) (levels[300] & 0xff)).as("%s", image).isCloseTo(191, within(0.5));
        }
    }

    private static void fill(WritableRaster raster, int sample) {
        for (int y = 0; y < raster.getHeight(); y++) {
            for (int x = 0; x < raster.getWidth(); x++) {
                for (int b = 0; b < raster.getNumBands(); b++) {
                    raster.setSample(x, y, b, sample);
                }
            }
        }
    }
}
