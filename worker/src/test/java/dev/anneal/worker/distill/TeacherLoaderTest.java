package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A teacher reference resolves like {@code base}: here a hub id in the Hugging Face cache layout. */
class TeacherLoaderTest {
    @Test
    void aHubIdResolvesInTheModelCacheAndMissingOnesNameTheTeacherField(@TempDir Path work) throws Exception {
        Path cache = work.resolve("hub");
        Path repo = cache.resolve("models--acme--tiny-teacher");
        Path snapshot = repo.resolve("snapshots").resolve("0123abcd");
        Files.createDirectories(snapshot);
        try (Stream<Path> files = Files.list(FixtureClassifiers.DISTILBERT)) {
            for (Path file : files.toList()) {
                Files.copy(file, snapshot.resolve(file.getFileName().toString()));
            }
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs").resolve("main"), "0123abcd\n");
        RunEnvironment environment = new RunEnvironment(work.resolve("jobs/job"), work.resolve("jobs"), cache);

        try (TransformerModel student = FixtureClassifiers.load(FixtureClassifiers.BERT)) {
            TeacherLoader.Teacher teacher = TeacherLoader.load("acme/tiny-teacher", environment, student.config());
            try (TransformerModel model = teacher.model()) {
                assertEquals(snapshot.toAbsolutePath().normalize(), teacher.directory());
                assertEquals("DistilBertForSequenceClassification", model.architecture());
                model.namedParameters().forEach((name, parameter) ->
                        assertFalse(parameter.requiresGradient(), name + " is not frozen"));
            }
            RunFailure missing = assertThrows(RunFailure.class,
                    () -> TeacherLoader.load("acme/missing", environment, student.config()));
            assertEquals(Status.Code.INVALID_ARGUMENT, missing.code());
            assertEquals("teacher: 'acme/missing' is neither a model directory, a job:<id> nor a hub id in the model "
                    + "cache", missing.getMessage());
        }
    }
}
