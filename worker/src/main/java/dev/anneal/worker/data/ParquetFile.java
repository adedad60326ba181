package dev.anneal.worker.data;

import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet file (pandas / pyarrow / Hugging Face datasets' {@code to_parquet}), read one row group at a
 * time through Parquet's Hadoop-free API. Values become plain Java values: integers Long, floats Double,
 * booleans, UTF-8 strings, LIST-annotated groups List (3-level and legacy 2-level layouts), other groups Map.
 */
public final class ParquetFile extends FileRowSource {
    /**
     * {@code ParquetFileReader.open(InputFile, ParquetReadOptions)}, bound without javac: its overloads name
     * Hadoop's Configuration, which javac would need to resolve them, and Hadoop is not on the classpath.
     */
    private static final MethodHandle OPEN;

    static {
        try {
            OPEN = MethodHandles.publicLookup().findStatic(ParquetFileReader.class, "open",
                    MethodType.methodType(ParquetFileReader.class, InputFile.class, ParquetReadOptions.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public ParquetFile(String name, Path path) {
        super(name, path);
    }

    @Override
    public RowCursor open() {
        ParquetFileReader reader;
        try {
            reader = (ParquetFileReader) OPEN.invoke(new LocalInputFile(path),
                    ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new ParquetCodecs())
                            .build());
        } catch (IOException | RuntimeException e) {
            throw RunFailure.invalidArgument(name, "cannot read " + path.getFileName() + " as Parquet: "
                    + e.getMessage());
        } catch (Throwable e) {
            throw new IllegalStateException("cannot open " + path, e);
        }
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
        return new RowCursor() {
            private RecordReader<Group> records;
            private long left;

            @Override
            public boolean hasNext() {
                while (left == 0) {
                    PageReadStore rowGroup;
                    try {
                        rowGroup = reader.readNextRowGroup();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (RuntimeException e) {
                        throw RunFailure.invalidArgument(name, "cannot read a row group of " + path.getFileName()
                                + ": " + e.getMessage());
                    }
                    if (rowGroup == null) {
                        return false;
                    }
                    records = columns.getRecordReader(rowGroup, new GroupRecordConverter(schema));
                    left = rowGroup.getRowCount();
                }
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                left--;
                return fields(records.read());
            }

            @Override
            public void close() {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // Read-only file: nothing to lose.
                }
            }
        };
    }

    private static Map<String, Object> fields(Group group) {
        GroupType type = group.getType();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < type.getFieldCount(); i++) {
            Type field = type.getType(i);
            int count = group.getFieldRepetitionCount(i);
            if (field.isRepetition(Type.Repetition.REPEATED)) {
                List<Object> repeated = new ArrayList<>(count);
                for (int r = 0; r < count; r++) {
                    repeated.add(value(group, i, r, field));
                }
                values.put(field.getName(), repeated);
            } else {
                values.put(field.getName(), count == 0 ? null : value(group, i, 0, field));
            }
        }
        return values;
    }

    private static Object value(Group group, int field, int index, Type type) {
        if (type.isPrimitive()) {
            return primitive(group, field, index, type.asPrimitiveType());
        }
        Group child = group.getGroup(field, index);
        GroupType groupType = type.asGroupType();
        if (groupType.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation
                && groupType.getFieldCount() == 1) {
            return list(child, groupType);
        }
        return fields(child);
    }

    /** A LIST group: a repeated field of elements (2-level) or of one-field groups holding the element (3-level). */
    private static List<Object> list(Group list, GroupType listType) {
        Type repeated = listType.getType(0);
        int count = list.getFieldRepetitionCount(0);
        List<Object> values = new ArrayList<>(count);
        boolean threeLevel = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
                && !repeated.getName().equals("array") && !repeated.getName().equals(listType.getName() + "_tuple");
        for (int r = 0; r < count; r++) {
            if (threeLevel) {
                Group wrapper = list.getGroup(0, r);
                Type element = repeated.asGroupType().getType(0);
                values.add(wrapper.getFieldRepetitionCount(0) == 0 ? null : value(wrapper, 0, 0, element));
            } else {
                values.add(value(list, 0, r, repeated));
            }
        }
        return values;
    }

    private static Object primitive(Group group, int field, int index, PrimitiveType type) {
        return switch (type.getPrimitiveTypeName()) {
            case INT32 -> (long) group.getInteger(field, index);
            case INT64 -> group.getLong(field, index);
            case FLOAT -> (double) group.getFloat(field, index);
            case DOUBLE -> group.getDouble(field, index);
            case BOOLEAN -> group.getBoolean(field, index);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> {
                LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
                boolean text = logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                        || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
                yield text ? group.getString(field, index) : group.getBinary(field, index).getBytes();
            }
            case INT96 -> throw RunFailure.invalidArgument("data", "column '" + type.getName()
                    + "' is an INT96 timestamp, which is not supported");
        };
    }
}
