package dev.anneal.cli;

import com.google.protobuf.Struct;
import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Distillation;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.cli.data.JsonLines;
import dev.anneal.cli.dataset.DatasetFormatNames;
import dev.anneal.cli.embedded.EmbeddedGateway;
import dev.anneal.cli.embedded.GatewayJar;
import dev.anneal.cli.output.EventPrinter;
import dev.anneal.cli.output.Terminal;
import dev.anneal.cli.request.TaskNames;
import dev.anneal.cli.request.TrainingArgumentsParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "train", sortOptions = false,
        description = {"Submit a fine-tuning job and follow it until it ends.",
                "Ctrl-C detaches: the job keeps running (except with --embedded) and `anneal watch` re-attaches."},
        footer = {"", "Exit codes: 0 succeeded, 1 failed, 2 bad command line, 3 cancelled,"
                + " 4 gateway refused/unreachable, 130 detached."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--base", required = true, paramLabel = "MODEL",
            description = "Base model: a local Hugging Face directory, a hub id known to the gateway, or job:<id>.")
    String base;

    @Option(names = "--train", required = true, paramLabel = "FILE|ID",
            description = "Training rows: a JSON-lines file (sent inline), a .csv/.parquet/.arrow file (uploaded"
                    + " first), or the id of a data set stored with `anneal upload`.")
    Path train;

    @Option(names = "--validation", paramLabel = "FILE|ID",
            description = "Validation rows, as --train; evaluated after training.")
    Path validation;

    @Option(names = "--task", defaultValue = "text-classification", paramLabel = "TASK",
            description = "text-classification (default), question-answering, sequence-sequence,"
                    + " language-generation, language-modeling, token-detection.")
    String task;

    @Option(names = "--columns", split = ",", paramLabel = "a,b,c",
            description = "Column names, e.g. text,label or text,text2,label; default: the task's.")
    List<String> columns = new ArrayList<>();

    @Option(names = "--maxlength", paramLabel = "N", description = "Maximum tokens per example; default: the tokenizer's.")
    int maxlength;

    @Option(names = "--tokenizers", paramLabel = "N",
            description = "Parallel tokenizer workers; -1: one per core of the worker (default: one).")
    int tokenizers;

    @Option(names = "--tokenizebatch", paramLabel = "ROWS",
            description = "Rows each tokenizer worker takes at a time, as txtai's tokenizebatch (default 1000).")
    int tokenizebatch;

    @Option(names = "--stride", paramLabel = "N",
            description = "Question answering: tokens of overlap between context windows (default 128).")
    int stride;

    @Option(names = "--prefix", paramLabel = "TEXT", description = "Sequence-sequence: text put before every source.")
    String prefix;

    @Option(names = "--merge", paramLabel = "MODE",
            description = "Language tasks: concat (default), pack or none, as txtai's merge.")
    String merge;

    @Option(names = "--checkpoint", paramLabel = "REF",
            description = "Resume: latest, job:<id>[/checkpoint-N] or a checkpoint directory.")
    String checkpoint;

    @Option(names = "--teacher", paramLabel = "MODEL",
            description = "Distil from this trained classifier (a directory, hub id or job:<id>), as txtai's teacher.")
    String teacher;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Distillation softmax temperature (default 1.0); needs --teacher.")
    Double temperature;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Distillation weight of the teacher term in [0, 1] (default 0.5); needs --teacher.")
    Double alpha;

    @Option(names = "--metrics", split = ",", paramLabel = "m1,m2",
            description = "Metrics on the validation data, e.g. accuracy; reported as eval_<name>.")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--arg", paramLabel = "NAME=VALUE",
            description = "A Hugging Face TrainingArguments value, e.g. --arg num_train_epochs=3 (repeatable).")
    List<String> args = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label stored with the job (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--idempotency-key", paramLabel = "KEY",
            description = "Submitting the same key again follows the existing job instead of starting another.")
    String idempotencyKey;

    @Option(names = "--by-reference",
            description = "Send the data files' absolute paths instead of their rows (the gateway must see the files).")
    boolean byReference;

    @Option(names = "--upload",
            description = "Upload the data files to the gateway first and train on the stored data sets (no request"
                    + " size limit; the data stays for later jobs).")
    boolean upload;

    @Option(names = "--embedded",
            description = "Run a gateway as a child process for this job only (no server needed), then stop it.")
    boolean embedded;

    @Option(names = "--gateway-jar", paramLabel = "quarkus-run.jar",
            description = "The gateway jar for --embedded; default: $ANNEAL_GATEWAY_JAR or the checkout's"
                    + " gateway/target/quarkus-app/quarkus-run.jar.")
    Path gatewayJar;

    @Option(names = "--plain", description = "One line per event instead of a live progress bar.")
    boolean plain;

    @Override
    public Integer call() {
        TrainRequest request;
        try {
            request = buildRequest();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!embedded) {
            return run(request, gateway.target, out, err);
        }
        Path jar = GatewayJar.locate(gatewayJar, System.getenv(), GatewayJar.cliJar(), Path.of(""));
        int[] ports = EmbeddedGateway.freePorts();
        Path log = embeddedLog();
        err.println("Starting the embedded gateway (" + jar + ", log " + log + ") ...");
        err.flush();
        List<String> jvmOptions = jvmOptions(System.getenv("ANNEAL_GATEWAY_JAVA_OPTS"));
        try (EmbeddedGateway gatewayProcess = EmbeddedGateway.start(
                EmbeddedGateway.jarCommand(jar, jvmOptions, ports[0], ports[1]), ports[0], log, Duration.ofMinutes(3))) {
            Thread stopOnInterrupt = new Thread(gatewayProcess::close, "anneal-embedded-stop");
            Runtime.getRuntime().addShutdownHook(stopOnInterrupt);
            err.println("Embedded gateway serving on " + gatewayProcess.target());
            err.flush();
            int code = run(request, gatewayProcess.target(), out, err);
            if (code != ExitCodes.SUCCEEDED) {
                err.println("Embedded gateway log: " + log);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // The hook is stopping the gateway already.
            }
            gatewayProcess.close();
            if (code == ExitCodes.SUCCEEDED) {
                // Kept only when something went wrong.
                Files.deleteIfExists(log);
            }
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + log, e);
        }
    }

    private int run(TrainRequest request, String target, PrintWriter out, PrintWriter err) {
        boolean live = !plain && Terminal.isInteractive();
        EventPrinter printer = new EventPrinter(out, live, live ? Terminal.width() : Integer.MAX_VALUE);
        // An embedded gateway does not come back once gone: no point re-attaching to it.
        try (AnnealClient client = GatewayOptions.connect(target, embedded ? 0 : GatewayOptions.REATTACH_ATTEMPTS)) {
            TrainRequest sent = byReference ? request : FileUploads.upload(client, request, err);
            return new JobFollower(printer, err, target, embedded).follow(listener -> client.submit(sent, listener));
        }
    }

    /** The request the options describe; IllegalArgumentException names the option and the problem. */
    TrainRequest buildRequest() {
        TrainRequest.Builder request = TrainRequest.newBuilder()
                .setBase(resolveBase(base))
                .setTrain(dataset(train, "--train"))
                .setTask(TaskNames.parse(task))
                .addAllColumns(columns)
                .addAllMetrics(metrics)
                .setArgs(TrainingArgumentsParser.parse(args))
                .putAllLabels(labels);
        if (validation != null) {
            request.setValidation(dataset(validation, "--validation"));
        }
        if (maxlength < 0) {
            throw new IllegalArgumentException("--maxlength must be positive, got " + maxlength);
        }
        request.setMaxlength(maxlength);
        if (tokenizers < -1) {
            throw new IllegalArgumentException("--tokenizers must be -1 (one per core), 0 or a worker count, got "
                    + tokenizers);
        }
        if (tokenizebatch < 0) {
            throw new IllegalArgumentException("--tokenizebatch must be >= 0 (0 means 1000), got " + tokenizebatch);
        }
        request.setTokenizers(tokenizers).setTokenizebatch(tokenizebatch);
        if (stride < 0) {
            throw new IllegalArgumentException("--stride must be positive, got " + stride);
        }
        request.setStride(stride);
        if (prefix != null) {
            request.setPrefix(prefix);
        }
        if (merge != null) {
            request.setMerge(merge);
        }
        if (checkpoint != null) {
            request.setCheckpoint(checkpoint);
        }
        distillation(request);
        if (idempotencyKey != null) {
            request.setIdempotencyKey(idempotencyKey);
        }
        return request.build();
    }

    /** --teacher, --temperature and --alpha; the gateway checks their ranges and names the request fields. */
    private void distillation(TrainRequest.Builder request) {
        if (teacher == null) {
            if (temperature != null || alpha != null) {
                throw new IllegalArgumentException("--temperature and --alpha need --teacher");
            }
            return;
        }
        request.setTeacher(resolveBase(teacher));
        Distillation.Builder settings = Distillation.newBuilder();
        if (temperature != null) {
            settings.setTemperature(temperature);
        }
        if (alpha != null) {
            settings.setAlpha(alpha);
        }
        if (temperature != null || alpha != null) {
            request.setDistillation(settings);
        }
    }

    /** A local directory is sent as an absolute path, so a gateway with another working directory finds it. */
    static String resolveBase(String base) {
        if (base == null || base.isBlank()) {
            throw new IllegalArgumentException("--base must not be empty");
        }
        Path local = Path.of(base);
        return Files.isDirectory(local) ? local.toAbsolutePath().normalize().toString() : base;
    }

    private Dataset dataset(Path file, String option) {
        if (!Files.isRegularFile(file) && DatasetFormatNames.isDatasetId(file.toString())) {
            return Dataset.newBuilder().setDatasetId(file.toString()).build();
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
        if (byReference && upload) {
            throw new IllegalArgumentException("--by-reference and --upload exclude each other");
        }
        if (byReference || upload || DatasetFormatNames.needsUpload(file.getFileName().toString())) {
            // Without --by-reference, run() uploads a file given by path and sends its data set id instead.
            return Dataset.newBuilder().setUri(file.toAbsolutePath().normalize().toString()).build();
        }
        List<Struct> rows = JsonLines.read(file);
        return Dataset.newBuilder().setRows(Rows.newBuilder().addAllRows(rows)).build();
    }

    static List<String> jvmOptions(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.trim().split("\\s+"));
    }

    private static Path embeddedLog() {
        try {
            return Files.createTempFile("anneal-gateway-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded gateway's log file", e);
        }
    }
}
