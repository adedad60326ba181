package dev.anneal.gateway.e2e.txtai;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Hugging Face {@code datasets.Dataset.save_to_disk} directory of (text: string, label: int64) rows, written
 * with Arrow's own IPC stream writer in the layout datasets uses: {@code data-00000-of-00001.arrow} (record
 * batches of at most 1000 rows, as datasets writes them), {@code state.json} naming it, {@code dataset_info.json}.
 */
final class SavedToDiskDataset {
    private static final int BATCH_ROWS = 1000;
    private static final String DATA_FILE = "data-00000-of-00001.arrow";

    private SavedToDiskDataset() {
    }

    static Path write(Path dir, List<String> texts, List<Long> labels) throws IOException {
        if (texts.size() != labels.size()) {
            throw new IllegalArgumentException(texts.size() + " texts but " + labels.size() + " labels");
        }
        Files.createDirectories(dir);
        Schema schema = new Schema(List.of(
                new Field("text", FieldType.nullable(new ArrowType.Utf8()), null),
                new Field("label", FieldType.nullable(new ArrowType.Int(64, true)), null)));
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                OutputStream out = Files.newOutputStream(dir.resolve(DATA_FILE));
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            writer.start();
            for (int start = 0; start < texts.size(); start += BATCH_ROWS) {
                int rows = Math.min(BATCH_ROWS, texts.size() - start);
                root.allocateNew();
                VarCharVector text = (VarCharVector) root.getVector("text");
                BigIntVector label = (BigIntVector) root.getVector("label");
                for (int r = 0; r < rows; r++) {
                    text.setSafe(r, texts.get(start + r).getBytes(StandardCharsets.UTF_8));
                    label.setSafe(r, labels.get(start + r));
                }
                root.setRowCount(rows);
                writer.writeBatch();
            }
            writer.end();
        }
        Files.writeString(dir.resolve("state.json"), "{\"_data_files\": [{\"filename\": \"" + DATA_FILE + "\"}], "
                + "\"_fingerprint\": \"txtai-scenario\", \"_format_columns\": null, \"_format_kwargs\": {}, "
                + "\"_format_type\": null, \"_output_all_columns\": false, \"_split\": null}");
        Files.writeString(dir.resolve("dataset_info.json"), "{\"citation\": \"\", \"description\": \"\", \"features\": "
                + "{\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
                + "\"label\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}}");
        return dir;
    }
}
