package dev.anneal.worker.stages;

import ai.djl.engine.Engine;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.distill.DistillationModel;
import dev.anneal.worker.hf.AtomicFiles;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.lora.LoraTransformerModel;
import dev.anneal.worker.model.tokendetection.TokenDetectionModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.ProgressListener;
import dev.anneal.worker.train.TrainerState;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import io.grpc.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Stage 13: the trained model as a Hugging Face directory (config.json, model.safetensors, the tokenizer
 * files, trainer_state.json) or, for a LoRA run, a PEFT adapter directory (adapter_config.json,
 * adapter_model.safetensors, the tokenizer files, trainer_state.json), written into a staging directory
 * and moved into place in one rename, so the job's {@code model/} is either absent or complete.
 */
public final class SaveStage implements PipelineStep {
    /** Tokenizer files copied from the base when present. */
    private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "vocab.txt", "vocab.json", "merges.txt", "spiece.model",
            "tokenizer.model", "added_tokens.json");

    @Override
    public Stage stage() {
        return Stage.SAVE;
    }

    @Override
    public void run(RunState state) {
        Path target = state.environment().modelDir();
        try {
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                throw new RunFailure(Status.Code.FAILED_PRECONDITION, target + " already exists");
            }
            Path staging = Files.createTempDirectory(target.getParent(), ".model.saving-");
            try {
                write(state, staging);
                AtomicFiles.move(staging, target);
                reportParts(state, target);
            } finally {
                deleteTree(staging);
            }
        } catch (IOException e) {
            throw new RunFailure(Status.Code.INTERNAL, "cannot save the model to " + target + ": " + e.getMessage(), e);
        }
    }

    private static void write(RunState state, Path dir) throws IOException {
        TransformerModel model = state.get(TransformerModel.class);
        Path tokenizerDir = state.get(TextTokenizer.class).directory();
        if (model instanceof TokenDetectionModel tokenDetection) {
            // As txtai's TokenDetection.save_pretrained: generator/ and discriminator/, each with the tokenizer.
            for (Map.Entry<String, TransformerModel> part : tokenDetection.parts().entrySet()) {
                HfCheckpoint.writeTo(part.getValue(), dir.resolve(part.getKey()));
                copyTokenizer(tokenizerDir, dir.resolve(part.getKey()));
            }
        } else if (model instanceof LoraTransformerModel adapted) {
            // As txtai's trainer.save_model() on a PeftModel: the adapter alone, in PEFT's layout.
            adapted.lora().save(dir, state.request().getBase());
        } else {
            HfCheckpoint.writeTo(model, dir);
        }
        copyTokenizer(tokenizerDir, dir);
        AtomicFiles.write(dir.resolve("trainer_state.json"), trainerState(state).toJson());
    }

    private static void copyTokenizer(Path tokenizerDir, Path dir) throws IOException {
        for (String name : TOKENIZER_FILES) {
            Path source = tokenizerDir.resolve(name);
            if (Files.isRegularFile(source)) {
                Files.copy(source, dir.resolve(name));
            }
        }
    }

    private static void reportParts(RunState state, Path target) {
        if (state.get(TransformerModel.class) instanceof TokenDetectionModel tokenDetection) {
            String parts = tokenDetection.parts().keySet().stream().map(name -> target.resolve(name).toString())
                    .collect(Collectors.joining(", "));
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                    .setMessage("token-detection model saved as " + parts)).build());
        }
    }

    private static TrainerState trainerState(RunState state) {
        TrainingArgs args = state.get(TrainingArgs.class);
        TrainingLoop loop = state.get(TrainingLoop.class);
        TrainSummary summary = state.get(TrainSummary.class);
        TrainerState trainerState = new TrainerState(summary.globalStep(), summary.epoch(), loop.plan().totalSteps(),
                loop.plan().epochs(), args.perDeviceTrainBatchSize(), args.loggingInterval(loop.plan().totalSteps()),
                args.saveSteps(), args.evalSteps());
        state.get(ProgressListener.class).history().forEach(trainerState::log);
        Map<String, Object> last = new LinkedHashMap<>(summary.metrics());
        last.put("step", summary.globalStep());
        trainerState.log(last);
        EvaluationResult evaluation = state.find(EvaluationResult.class);
        if (evaluation != null) {
            Map<String, Object> eval = new LinkedHashMap<>(evaluation.metrics());
            eval.put("epoch", summary.epoch());
            eval.put("step", summary.globalStep());
            trainerState.log(eval);
        }
        return trainerState.provenance(provenance(state));
    }

    private static Map<String, Object> provenance(RunState state) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        try {
            provenance.put("request", JsonFormat.printer().print(state.request().toBuilder()
                    .clearTrain().clearValidation().build()));
        } catch (InvalidProtocolBufferException e) {
            provenance.put("request", state.request().toString());
        }
        provenance.put("base", state.get(BaseModel.class).directory().toString());
        if (state.get(TransformerModel.class) instanceof DistillationModel distillation) {
            provenance.put("teacher", distillation.teacherDirectory().toString());
        }
        provenance.put("train_features_sha256", fingerprint(state.get(TokenizedData.class).train()));
        provenance.put("train_features", state.get(TokenizedData.class).train().size());
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("anneal", String.valueOf(SaveStage.class.getPackage().getImplementationVersion()));
        versions.put("djl", Engine.getDjlVersion());
        versions.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        provenance.put("versions", versions);
        return provenance;
    }

    /** SHA-256 over every feature's token ids and labels, in training order. */
    static String fingerprint(List<Feature> features) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(8);
            for (Feature feature : features) {
                feature.longs().forEach((name, values) -> {
                    digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    for (long value : values) {
                        digest.update(buffer.clear().putLong(value).array());
                    }
                });
                feature.floats().forEach((name, values) -> {
                    digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    for (float value : values) {
                        digest.update(buffer.clear().putLong(Float.floatToIntBits(value)).array());
                    }
                });
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
