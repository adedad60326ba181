package dev.anneal.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.TrainEvent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileEventJournalTest {
    @TempDir
    Path dir;

    private static TrainEvent event(long sequence) {
        return TrainEvent.newBuilder().setJobId("j").setSequence(sequence)
                .setLog(Log.newBuilder().setMessage("event " + sequence)).build();
    }

    @Test
    void reopenedJournalReturnsWhatWasAppended() {
        Path file = dir.resolve("events.log");
        try (FileEventJournal journal = FileEventJournal.open(file, true)) {
            assertEquals(List.of(), journal.recovered());
            journal.append(event(1));
            journal.append(event(2));
        }
        try (FileEventJournal journal = FileEventJournal.open(file, true)) {
            assertEquals(List.of(event(1), event(2)), journal.recovered());
            journal.append(event(3));
        }
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            assertEquals(List.of(event(1), event(2), event(3)), journal.recovered());
        }
    }

    @Test
    void tornTailIsTruncatedAndAppendsContinueAfterTheLastIntactRecord() throws IOException {
        Path file = dir.resolve("events.log");
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            journal.append(event(1));
            journal.append(event(2));
        }
        long intact = Files.size(file);
        // A crash in the middle of writing record 3: header and part of the body.
        byte[] third = event(3).toByteArray();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.APPEND)) {
            channel.write(java.nio.ByteBuffer.allocate(8 + 3).putInt(third.length).putInt(0).put(third, 0, 3).flip());
        }
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            assertEquals(List.of(event(1), event(2)), journal.recovered());
            assertEquals(intact, Files.size(file));
            journal.append(event(3));
        }
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            assertEquals(List.of(event(1), event(2), event(3)), journal.recovered());
        }
    }

    @Test
    void recordWithBadChecksumEndsTheJournal() throws IOException {
        Path file = dir.resolve("events.log");
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            journal.append(event(1));
            journal.append(event(2));
        }
        long firstRecordEnd = 8 + event(1).getSerializedSize();
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) firstRecordEnd + 8] ^= 0x5a; // flip bits inside record 2's body
        Files.write(file, bytes);
        try (FileEventJournal journal = FileEventJournal.open(file, false)) {
            assertEquals(List.of(event(1)), journal.recovered());
            assertEquals(firstRecordEnd, Files.size(file));
        }
    }
}
