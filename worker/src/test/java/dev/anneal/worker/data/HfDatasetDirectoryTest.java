package dev.anneal.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.complex.writer.BaseWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * save_to_disk directories written with Arrow's own IPC stream writer, in the layout and types Hugging Face
 * datasets uses (string, large_string, int64, float64, bool, list&lt;float&gt;, SQuAD's
 * struct&lt;text: list&lt;string&gt;, answer_start: list&lt;int32&gt;&gt;, null), several record batches and files.
 */
class HfDatasetDirectoryTest {
    private static final Schema SCHEMA = new Schema(List.of(
            field("question", new ArrowType.Utf8()),
            field("context", new ArrowType.LargeUtf8()),
            field("label", new ArrowType.Int(64, true)),
            field("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            field("flag", new ArrowType.Bool()),
            new Field("vector", FieldType.nullable(new ArrowType.List()),
                    List.of(field("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)))),
            new Field("answers", FieldType.nullable(new ArrowType.Struct()), List.of(
                    new Field("text", FieldType.nullable(new ArrowType.List()), List.of(field("item",
                            new ArrowType.Utf8()))),
                    new Field("answer_start", FieldType.nullable(new ArrowType.List()), List.of(field("item",
                            new ArrowType.Int(32, true)))))),
            field("nothing", new ArrowType.Null())));

    private static Field field(String name, ArrowType type) {
        return new Field(name, FieldType.nullable(type), null);
    }

    /** Row i of the test data, as the reader must give it back. */
    private static Map<String, Object> expectedRow(int i) {
        Map<String, Object> row = new HashMap<>();
        row.put("question", i % 7 == 3 ? null : "What ingredient? " + i);
        row.put("context", "1 yellow onion, row " + i + " – é");
        row.put("label", (long) (i % 3) - 1);
        row.put("score", i / 4.0);
        row.put("flag", i % 2 == 0);
        row.put("vector", List.of((double) i, 0.5));
        Map<String, Object> answers = new HashMap<>();
        answers.put("text", i % 5 == 0 ? List.of() : List.of("onion"));
        answers.put("answer_start", i % 5 == 0 ? List.of() : List.of(9L));
        row.put("answers", answers);
        row.put("nothing", null);
        return row;
    }

    /** Writes rows [from, to) as an Arrow stream with batches of {@code batch} rows. */
    private static void writeArrow(Path file, int from, int to, int batch) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
                OutputStream out = Files.newOutputStream(file);
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            for (int start = from; start < to; start += batch) {
                int rows = Math.min(batch, to - start);
                root.allocateNew();
                VarCharVector question = (VarCharVector) root.getVector("question");
                LargeVarCharVector context = (LargeVarCharVector) root.getVector("context");
                BigIntVector label = (BigIntVector) root.getVector("label");
                Float8Vector score = (Float8Vector) root.getVector("score");
                BitVector flag = (BitVector) root.getVector("flag");
                UnionListWriter vector = ((ListVector) root.getVector("vector")).getWriter();
                StructVector answers = (StructVector) root.getVector("answers");
                BaseWriter.StructWriter answerWriter = answers.getWriter();
                for (int r = 0; r < rows; r++) {
                    Map<String, Object> row = expectedRow(start + r);
                    if (row.get("question") == null) {
                        question.setNull(r);
                    } else {
                        question.setSafe(r, ((String) row.get("question")).getBytes(StandardCharsets.UTF_8));
                    }
                    context.setSafe(r, ((String) row.get("context")).getBytes(StandardCharsets.UTF_8));
                    label.setSafe(r, (Long) row.get("label"));
                    score.setSafe(r, (Double) row.get("score"));
                    flag.setSafe(r, (Boolean) row.get("flag") ? 1 : 0);
                    vector.setPosition(r);
                    vector.startList();
                    vector.float4().writeFloat4((float) (start + r));
                    vector.float4().writeFloat4(0.5f);
                    vector.endList();
                    answerWriter.setPosition(r);
                    answerWriter.start();
                    BaseWriter.ListWriter text = answerWriter.list("text");
                    BaseWriter.ListWriter answerStart = answerWriter.list("answer_start");
                    text.startList();
                    answerStart.startList();
                    if ((start + r) % 5 != 0) {
                        text.varChar().writeVarChar("onion");
                        answerStart.integer().writeInt(9);
                    }
                    text.endList();
                    answerStart.endList();
                    answerWriter.end();
                }
                vector.setValueCount(rows);
                answers.setValueCount(rows);
                root.setRowCount(rows);
                writer.writeBatch();
            }
            writer.end();
        }
    }

    private static Path saveToDisk(Path dir, int rows, int rowsPerFile, int batch) throws IOException {
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        int count = (rows + rowsPerFile - 1) / rowsPerFile;
        for (int f = 0; f < count; f++) {
            String name = String.format("data-%05d-of-%05d.arrow", f, count);
            writeArrow(dir.resolve(name), f * rowsPerFile, Math.min(rows, (f + 1) * rowsPerFile), batch);
            files.add("{\"filename\": \"" + name + "\"}");
        }
        Files.writeString(dir.resolve("state.json"), "{\"_data_files\": [" + String.join(", ", files)
                + "], \"_fingerprint\": \"test\", \"_format_columns\": null, \"_format_kwargs\": {}, "
                + "\"_format_type\": null, \"_output_all_columns\": false, \"_split\": null}");
        Files.writeString(dir.resolve("dataset_info.json"), "{\"citation\": \"\", \"description\": \"\", "
                + "\"features\": {\"question\": {\"dtype\": \"string\", \"_type\": \"Value\"}}}");
        return dir;
    }

    @Test
    void readsEveryRowOfEveryBatchAndFileInOrder(@TempDir Path tmp) throws IOException {
        Path dir = saveToDisk(tmp.resolve("squad"), 23, 10, 4);
        RowSource source = RowSources.of("train", Dataset.newBuilder().setUri(dir.toString()).build());
        assertTrue(source instanceof HfDatasetDirectory);
        assertEquals(3, ((HfDatasetDirectory) source).files().size());
        for (int pass = 0; pass < 2; pass++) {
            int i = 0;
            try (RowSource.RowCursor rows = source.open()) {
                while (rows.hasNext()) {
                    Map<String, Object> row = rows.next();
                    Map<String, Object> expected = expectedRow(i);
                    assertEquals(expected, row, "row " + i);
                    assertEquals(List.of("question", "context", "label", "score", "flag", "vector", "answers",
                            "nothing"), new ArrayList<>(row.keySet()));
                    i++;
                }
            }
            assertEquals(23, i);
        }
    }

    @Test
    void datasetDictSplitsFollowTheRequestField(@TempDir Path tmp) throws IOException {
        Path dict = tmp.resolve("dict");
        saveToDisk(dict.resolve("train"), 5, 5, 5);
        saveToDisk(dict.resolve("validation"), 2, 2, 2);
        Files.writeString(dict.resolve("dataset_dict.json"), "{\"splits\": [\"train\", \"validation\"]}");
        assertEquals(5, count(RowSources.of("train", Dataset.newBuilder().setUri(dict.toUri().toString()).build())));
        assertEquals(2, count(RowSources.of("validation", Dataset.newBuilder().setUri(dict.toString()).build())));
        Files.writeString(dict.resolve("dataset_dict.json"), "{\"splits\": [\"train\"]}");
        RunFailure missing = assertThrows(RunFailure.class,
                () -> RowSources.of("validation", Dataset.newBuilder().setUri(dict.toString()).build()));
        assertTrue(missing.getMessage().contains("has no split 'validation'; it has [train]"), missing.getMessage());
    }

    @Test
    void aSingleArrowFileIsARowSourceToo(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("rows.arrow");
        writeArrow(file, 0, 9, 2);
        assertEquals(9, count(RowSources.of("train", Dataset.newBuilder().setUri(file.toString()).build())));
    }

    @Test
    void brokenFilesAreInvalidArguments(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("rows.arrow");
        writeArrow(file, 0, 9, 9);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        RowSource truncated = RowSources.of("train", Dataset.newBuilder().setUri(file.toString()).build());
        RunFailure failure = assertThrows(RunFailure.class, () -> count(truncated));
        assertTrue(failure.getMessage().contains("rows.arrow is truncated"), failure.getMessage());
        Files.writeString(file, "{\"text\": \"not arrow\"}\n");
        assertThrows(RunFailure.class, () -> count(RowSources.of("train",
                Dataset.newBuilder().setUri(file.toString()).build())));
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        RunFailure directory = assertThrows(RunFailure.class, () -> RowSources.of("train",
                Dataset.newBuilder().setUri(plain.toString()).build()));
        assertTrue(directory.getMessage().startsWith("train.uri: "), directory.getMessage());
    }

    @Test
    void halfFloats() {
        assertEquals(1.0f, ArrowColumn.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, ArrowColumn.halfToFloat((short) 0xc000));
        assertEquals(0.000060975552f, ArrowColumn.halfToFloat((short) 0x03ff), 1e-12f);
        assertFalse(Float.isFinite(ArrowColumn.halfToFloat((short) 0x7c00)));
    }

    private static int count(RowSource source) {
        int n = 0;
        try (RowSource.RowCursor rows = source.open()) {
            while (rows.hasNext()) {
                rows.next();
                n++;
            }
        }
        return n;
    }
}
