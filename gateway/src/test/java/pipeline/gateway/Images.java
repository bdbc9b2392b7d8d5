package pipeline.gateway;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Real encoded images for the gateway's tests, made with ImageIO, and a PNG that lies about its size. */
final class Images {

    private Images() {
    }

    /** A 28×28 grey picture with a diagonal, encoded as {@code format} ("png", "jpeg", "bmp", "gif", "tiff"). */
    static byte[] encoded(String format) throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 28; i++) {
            image.getRaster().setSample(i, i, 0, 200);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IOException("ImageIO cannot write " + format);
        }
        return out.toByteArray();
    }

    /** A small PNG whose header declares {@code width × height} (a decompression bomb's calling card). */
    static byte[] pngDeclaring(int width, int height) throws IOException {
        byte[] png = encoded("png");
        ByteBuffer ihdr = ByteBuffer.wrap(png, 8 + 8, 13);
        ihdr.putInt(width).putInt(height);
        CRC32 crc = new CRC32();
        crc.update(png, 8 + 4, 4 + 13);
        ByteBuffer.wrap(png, 8 + 8 + 13, 4).putInt((int) crc.getValue());
        return png;
    }
}
