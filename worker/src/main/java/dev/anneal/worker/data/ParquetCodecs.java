package dev.anneal.worker.data;

import com.github.luben.zstd.Zstd;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet page codecs without Hadoop: Parquet's own codec factory builds Hadoop codecs from a Hadoop
 * Configuration (and so pulls in Hadoop's whole runtime); these call the compression libraries directly.
 * Uncompressed, SNAPPY (pandas' and pyarrow's default), GZIP, ZSTD and LZ4_RAW.
 */
public final class ParquetCodecs implements CompressionCodecFactory {
    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return new Compressor(codec);
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new Decompressor(codec);
    }

    @Override
    public void release() {
        // Nothing pooled.
    }

    private static UnsupportedOperationException unsupported(CompressionCodecName codec) {
        return new UnsupportedOperationException("Parquet codec " + codec + " is not supported; supported: "
                + "UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW");
    }

    private record Decompressor(CompressionCodecName codec) implements BytesInputDecompressor {
        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            return BytesInput.from(decompress(bytes.toByteArray(), uncompressedSize));
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] compressed = new byte[compressedSize];
            input.get(compressed);
            output.put(decompress(compressed, uncompressedSize));
        }

        private byte[] decompress(byte[] compressed, int uncompressedSize) throws IOException {
            byte[] plain = switch (codec) {
                case UNCOMPRESSED -> compressed;
                case SNAPPY -> Snappy.uncompress(compressed);
                case GZIP -> {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
                        yield in.readAllBytes();
                    }
                }
                case ZSTD -> Zstd.decompress(compressed, uncompressedSize);
                case LZ4_RAW -> {
                    byte[] out = new byte[uncompressedSize];
                    int written = new Lz4Decompressor().decompress(compressed, 0, compressed.length, out, 0,
                            uncompressedSize);
                    yield written == uncompressedSize ? out : Arrays.copyOf(out, written);
                }
                default -> throw unsupported(codec);
            };
            if (plain.length != uncompressedSize) {
                throw new IOException(codec + " page decompressed to " + plain.length + " bytes, expected "
                        + uncompressedSize);
            }
            return plain;
        }

        @Override
        public void release() {
            // Nothing pooled.
        }
    }

    private record Compressor(CompressionCodecName codec) implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            byte[] plain = bytes.toByteArray();
            byte[] compressed = switch (codec) {
                case UNCOMPRESSED -> plain;
                case SNAPPY -> Snappy.compress(plain);
                case GZIP -> {
                    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                    try (GZIPOutputStream out = new GZIPOutputStream(buffer)) {
                        out.write(plain);
                    }
                    yield buffer.toByteArray();
                }
                case ZSTD -> Zstd.compress(plain);
                case LZ4_RAW -> {
                    Lz4Compressor lz4 = new Lz4Compressor();
                    byte[] out = new byte[lz4.maxCompressedLength(plain.length)];
                    int written = lz4.compress(plain, 0, plain.length, out, 0, out.length);
                    yield Arrays.copyOf(out, written);
                }
                default -> throw unsupported(codec);
            };
            return BytesInput.from(compressed);
        }

        @Override
        public CompressionCodecName getCodecName() {
            return codec;
        }

        @Override
        public void release() {
            // Nothing pooled.
        }
    }
}
