package dev.anneal.worker.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A Hugging Face {@code datasets} directory written by {@code save_to_disk}: {@code state.json} lists the
 * Arrow stream files ({@code _data_files}) in order, {@code dataset_info.json} describes the features. A
 * {@code DatasetDict} directory ({@code dataset_dict.json} with one sub-directory per split) is read through
 * the split named after the request field ("train" or "validation") unless a split is given.
 */
public final class HfDatasetDirectory implements RowSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final List<Path> files;

    private HfDatasetDirectory(String name, List<Path> files) {
        this.name = name;
        this.files = files;
    }

    /** True when {@code dir} looks like a save_to_disk directory (a Dataset or a DatasetDict). */
    public static boolean isDatasetDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve("state.json")) || Files.isRegularFile(dir.resolve("dataset_dict.json"));
    }

    /**
     * @param split the DatasetDict split to read; ignored for a plain Dataset directory
     */
    public static HfDatasetDirectory open(String name, Path dir, String split) {
        Path datasetDir = dir;
        if (Files.isRegularFile(dir.resolve("dataset_dict.json"))) {
            List<String> splits = new ArrayList<>();
            readJson(name, dir.resolve("dataset_dict.json")).path("splits").forEach(s -> splits.add(s.asText()));
            if (!splits.contains(split)) {
                throw RunFailure.invalidArgument(name, "the DatasetDict in " + dir + " has no split '" + split
                        + "'; it has " + splits);
            }
            datasetDir = dir.resolve(split);
        }
        Path state = datasetDir.resolve("state.json");
        if (!Files.isRegularFile(state)) {
            throw RunFailure.invalidArgument(name, datasetDir + " is not a Hugging Face datasets directory "
                    + "(no state.json)");
        }
        List<Path> files = new ArrayList<>();
        for (JsonNode file : readJson(name, state).path("_data_files")) {
            Path data = datasetDir.resolve(file.path("filename").asText());
            if (!data.normalize().startsWith(datasetDir.normalize()) || !Files.isRegularFile(data)) {
                throw RunFailure.invalidArgument(name, "state.json names a data file that is not in " + datasetDir
                        + ": " + file.path("filename").asText());
            }
            files.add(data);
        }
        if (files.isEmpty()) {
            files.addAll(arrowFiles(name, datasetDir));
        }
        if (files.isEmpty()) {
            throw RunFailure.invalidArgument(name, datasetDir + " has no Arrow data files");
        }
        return new HfDatasetDirectory(name, List.copyOf(files));
    }

    @Override
    public String name() {
        return name;
    }

    public List<Path> files() {
        return files;
    }

    @Override
    public RowCursor open() {
        return new RowCursor() {
            private int next;
            private RowCursor current;

            @Override
            public boolean hasNext() {
                while (current == null || !current.hasNext()) {
                    if (current != null) {
                        current.close();
                        current = null;
                    }
                    if (next >= files.size()) {
                        return false;
                    }
                    current = new ArrowStreamFile(name, files.get(next++)).open();
                }
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }

            @Override
            public void close() {
                if (current != null) {
                    current.close();
                }
            }
        };
    }

    private static List<Path> arrowFiles(String name, Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "data-*.arrow")) {
            entries.forEach(files::add);
        } catch (IOException e) {
            throw RunFailure.invalidArgument(name, "cannot list " + dir + ": " + e.getMessage());
        }
        files.sort(null);
        return files;
    }

    private static JsonNode readJson(String name, Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw RunFailure.invalidArgument(name, "cannot read " + file + ": " + e.getMessage());
        }
    }
}
