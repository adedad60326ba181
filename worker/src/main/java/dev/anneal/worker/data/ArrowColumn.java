package dev.anneal.worker.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.FixedSizeList;
import org.apache.arrow.flatbuf.FloatingPoint;
import org.apache.arrow.flatbuf.Int;
import org.apache.arrow.flatbuf.Precision;
import org.apache.arrow.flatbuf.Type;

/**
 * One column of an Arrow record batch, read from the batch body without copying: values come out as the
 * plain Java values rows hold (Long, Double, Boolean, String, List, Map or null). Supports the types Hugging
 * Face datasets writes for text data: null, integers, floats, bool, (large) utf8 and binary, (large /
 * fixed-size) lists and structs.
 */
abstract class ArrowColumn {
    final String name;
    private final ByteBuffer validity;

    private ArrowColumn(String name, ByteBuffer validity) {
        this.name = name;
        this.validity = validity;
    }

    /** The value at {@code row}, or null. */
    final Object get(int row) {
        if (validity != null && validity.capacity() > 0 && (validity.get(row >> 3) >> (row & 7) & 1) == 0) {
            return null;
        }
        return value(row);
    }

    abstract Object value(int row);

    /** Reads the column for {@code field} and its children, consuming their nodes and buffers in pre-order. */
    static ArrowColumn read(Field field, Iterator<FieldNode> nodes, Iterator<Buffer> buffers, ByteBuffer body,
            String source) {
        if (field.dictionary() != null) {
            throw new ArrowFormatException(source + ": column '" + field.name() + "' is dictionary-encoded, which is "
                    + "not supported");
        }
        String name = field.name();
        FieldNode node = nodes.next();
        byte type = field.typeType();
        if (type == Type.Null) {
            return new ArrowColumn(name, null) {
                @Override
                Object value(int row) {
                    return null;
                }
            };
        }
        ByteBuffer validity = slice(body, buffers.next());
        switch (type) {
            case Type.Int -> {
                Int spec = (Int) field.type(new Int());
                ByteBuffer data = slice(body, buffers.next());
                int width = spec.bitWidth();
                boolean signed = spec.isSigned();
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        return switch (width) {
                            case 8 -> signed ? (long) data.get(row) : (long) (data.get(row) & 0xff);
                            case 16 -> signed ? (long) data.getShort(row * 2) : (long) (data.getShort(row * 2) & 0xffff);
                            case 32 -> signed ? (long) data.getInt(row * 4) : data.getInt(row * 4) & 0xffffffffL;
                            default -> data.getLong(row * 8);
                        };
                    }
                };
            }
            case Type.FloatingPoint -> {
                short precision = ((FloatingPoint) field.type(new FloatingPoint())).precision();
                ByteBuffer data = slice(body, buffers.next());
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        return switch (precision) {
                            case Precision.HALF -> (double) halfToFloat(data.getShort(row * 2));
                            case Precision.SINGLE -> (double) data.getFloat(row * 4);
                            default -> data.getDouble(row * 8);
                        };
                    }
                };
            }
            case Type.Bool -> {
                ByteBuffer data = slice(body, buffers.next());
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        return (data.get(row >> 3) >> (row & 7) & 1) == 1;
                    }
                };
            }
            case Type.Utf8, Type.Binary, Type.LargeUtf8, Type.LargeBinary -> {
                boolean large = type == Type.LargeUtf8 || type == Type.LargeBinary;
                boolean text = type == Type.Utf8 || type == Type.LargeUtf8;
                ByteBuffer offsets = slice(body, buffers.next());
                ByteBuffer data = slice(body, buffers.next());
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        int start = (int) offset(offsets, row, large);
                        int end = (int) offset(offsets, row + 1, large);
                        byte[] bytes = new byte[end - start];
                        data.get(start, bytes);
                        return text ? new String(bytes, StandardCharsets.UTF_8) : bytes;
                    }
                };
            }
            case Type.List, Type.LargeList -> {
                boolean large = type == Type.LargeList;
                ByteBuffer offsets = slice(body, buffers.next());
                ArrowColumn child = read(field.children(0), nodes, buffers, body, source);
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        long start = offset(offsets, row, large);
                        long end = offset(offsets, row + 1, large);
                        List<Object> values = new ArrayList<>((int) (end - start));
                        for (long i = start; i < end; i++) {
                            values.add(child.get((int) i));
                        }
                        return values;
                    }
                };
            }
            case Type.FixedSizeList -> {
                int size = ((FixedSizeList) field.type(new FixedSizeList())).listSize();
                ArrowColumn child = read(field.children(0), nodes, buffers, body, source);
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        List<Object> values = new ArrayList<>(size);
                        for (int i = 0; i < size; i++) {
                            values.add(child.get(row * size + i));
                        }
                        return values;
                    }
                };
            }
            case Type.Struct_ -> {
                List<ArrowColumn> children = new ArrayList<>();
                for (int i = 0; i < field.childrenLength(); i++) {
                    children.add(read(field.children(i), nodes, buffers, body, source));
                }
                return new ArrowColumn(name, validity) {
                    @Override
                    Object value(int row) {
                        Map<String, Object> values = new LinkedHashMap<>();
                        for (ArrowColumn child : children) {
                            values.put(child.name, child.get(row));
                        }
                        return values;
                    }
                };
            }
            default -> throw new ArrowFormatException(source + ": column '" + name + "' has Arrow type "
                    + Type.name(type) + ", which is not supported (supported: null, int, float, bool, string, "
                    + "binary, list, struct)");
        }
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int sign = (half >> 15) & 1;
        int exponent = (half >> 10) & 0x1f;
        int mantissa = half & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f;
        } else if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            magnitude = Float.intBitsToFloat((exponent - 15 + 127) << 23 | mantissa << 13);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    private static long offset(ByteBuffer offsets, int index, boolean large) {
        return large ? offsets.getLong(index * 8) : offsets.getInt(index * 4);
    }

    private static ByteBuffer slice(ByteBuffer body, Buffer buffer) {
        if (buffer.offset() < 0 || buffer.length() < 0 || buffer.offset() + buffer.length() > body.capacity()) {
            throw new ArrowFormatException("buffer [" + buffer.offset() + ", +" + buffer.length()
                    + ") lies outside the record batch body of " + body.capacity() + " bytes");
        }
        return body.slice((int) buffer.offset(), (int) buffer.length()).order(ByteOrder.LITTLE_ENDIAN);
    }
}
