package dev.anneal.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet files written with Parquet's own writer in the schema pyarrow writes for a data frame of
 * text-classification / SQuAD rows (3-level lists, optional columns), several row groups, several codecs.
 */
class ParquetFileTest {
    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message schema {
              optional binary text (STRING);
              optional int64 label;
              optional double score;
              optional boolean flag;
              optional group vector (LIST) {
                repeated group list {
                  optional float element;
                }
              }
              optional group answers {
                optional group text (LIST) {
                  repeated group list {
                    optional binary element (STRING);
                  }
                }
                optional group answer_start (LIST) {
                  repeated group list {
                    optional int32 element;
                  }
                }
              }
            }
            """);

    private static Map<String, Object> expectedRow(int i) {
        Map<String, Object> row = new HashMap<>();
        row.put("text", i % 6 == 5 ? null : "Cats sleep " + i + " ü");
        row.put("label", (long) (i % 2));
        row.put("score", i * 0.25);
        row.put("flag", i % 3 == 0);
        row.put("vector", List.of((double) i, -1.5));
        Map<String, Object> answers = new HashMap<>();
        answers.put("text", i % 4 == 0 ? List.of() : List.of("onion", "red onion"));
        answers.put("answer_start", i % 4 == 0 ? List.of() : List.of(9L, 5L));
        row.put("answers", answers);
        return row;
    }

    private static Path write(Path file, int rows, CompressionCodecName codec) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = hadoopFreeBuilder(file)
                .withType(SCHEMA)
                .withCodecFactory(new ParquetCodecs())
                .withCompressionCodec(codec)
                .withRowGroupSize(2048L)
                .withPageSize(512)
                .build()) {
            for (int i = 0; i < rows; i++) {
                Map<String, Object> expected = expectedRow(i);
                Group row = groups.newGroup();
                if (expected.get("text") != null) {
                    row.add("text", (String) expected.get("text"));
                }
                row.add("label", (Long) expected.get("label"));
                row.add("score", (Double) expected.get("score"));
                row.add("flag", (Boolean) expected.get("flag"));
                Group vector = row.addGroup("vector");
                vector.addGroup("list").add("element", (float) i);
                vector.addGroup("list").add("element", -1.5f);
                Group answers = row.addGroup("answers");
                Group text = answers.addGroup("text");
                Group starts = answers.addGroup("answer_start");
                if (i % 4 != 0) {
                    text.addGroup("list").add("element", "onion");
                    text.addGroup("list").add("element", "red onion");
                    starts.addGroup("list").add("element", 9);
                    starts.addGroup("list").add("element", 5);
                }
                writer.write(row);
            }
        }
        return file;
    }

    /**
     * ExampleParquetWriter.builder(OutputFile).withConf(ParquetConfiguration), bound by reflection: javac
     * would need Hadoop's classes to resolve the Hadoop-typed overloads, and Hadoop is not on the classpath.
     */
    private static ExampleParquetWriter.Builder hadoopFreeBuilder(Path file) {
        try {
            Object builder = ExampleParquetWriter.class.getMethod("builder", OutputFile.class)
                    .invoke(null, new LocalOutputFile(file));
            return (ExampleParquetWriter.Builder) builder.getClass().getMethod("withConf", ParquetConfiguration.class)
                    .invoke(builder, new PlainParquetConfiguration());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CompressionCodecName.class, names = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW"})
    void readsEveryRowOfEveryRowGroup(CompressionCodecName codec, @TempDir Path tmp) throws IOException {
        Path file = write(tmp.resolve("train.parquet"), 300, codec);
        RowSource source = RowSources.of("train", Dataset.newBuilder().setUri(file.toUri().toString()).build());
        assertTrue(source instanceof ParquetFile);
        for (int pass = 0; pass < 2; pass++) {
            List<Map<String, Object>> rows = new ArrayList<>();
            try (RowSource.RowCursor cursor = source.open()) {
                cursor.forEachRemaining(rows::add);
            }
            assertEquals(300, rows.size());
            for (int i = 0; i < rows.size(); i++) {
                assertEquals(expectedRow(i), rows.get(i), codec + " row " + i);
            }
        }
    }

    @Test
    void notParquetIsAnInvalidArgument(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("train.parquet"), "text,label\ncat,1\n");
        RunFailure failure = assertThrows(RunFailure.class, () -> RowSources.of("train",
                Dataset.newBuilder().setUri(file.toString()).build()).open());
        assertTrue(failure.getMessage().startsWith("train (" + file + "): cannot read train.parquet as Parquet"),
                failure.getMessage());
    }
}
