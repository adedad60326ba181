package dev.anneal.worker.data;

import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Path;

/** A {@link RowSource} read from one file: its name for error messages and the file. */
abstract class FileRowSource implements RowSource {
    protected final String name;
    protected final Path path;

    protected FileRowSource(String name, Path path) {
        this.name = name;
        this.path = path;
    }

    @Override
    public String name() {
        return name;
    }

    /** The INVALID_ARGUMENT for a file that cannot be opened, naming the source. */
    protected RunFailure unreadable(IOException e) {
        return RunFailure.invalidArgument(name, "cannot read " + path + ": " + e.getMessage());
    }
}
