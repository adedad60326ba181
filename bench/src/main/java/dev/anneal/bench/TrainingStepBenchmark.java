package dev.anneal.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.train.PaddingCollator;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Full training steps (forward, backward, clipping, AdamW) of BERT sequence classification at the
 * bert-tiny and bert-mini shapes, seq 128, batch 32, with figures relative to libtorch's own 1024^3
 * matmul throughput measured in the same process.
 *
 * <p>Usage: {@code bench/run [warmup steps] [timed steps] [rounds]}.
 */
public final class TrainingStepBenchmark {
    private record Shape4(String name, int layers, int hidden, int heads, int intermediate) {
    }

    private static final List<Shape4> SHAPES =
            List.of(new Shape4("bert-tiny", 2, 128, 2, 512), new Shape4("bert-mini", 4, 256, 4, 1024));

    /** Arguments: warmup steps, timed steps, then the shapes to time (all when none are named). */
    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int timed = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        List<String> names = args.length > 2 ? List.of(args).subList(2, args.length) : List.of();
        int batch = 32;
        int sequence = 128;
        System.out.printf("libtorch %s, %d intra-op threads%n", Engine.getInstance().getVersion(),
                Runtime.getRuntime().availableProcessors());
        double matmul = matmulGflops();
        System.out.printf("matmul 1024^3 fp32: %.1f GFLOP/s%n", matmul);
        for (Shape4 shape : SHAPES) {
            if (!names.isEmpty() && !names.contains(shape.name)) {
                continue;
            }
            StepFigures step = timeSteps(shape, batch, sequence, warmup, timed);
            double ms = step.medianMillis;
            double flops = trainingFlops(shape, batch, sequence);
            double gflops = flops / (ms / 1000) / 1e9;
            System.out.printf("%-9s %8.1f ms/step %9.0f tokens/s %7.1f GFLOP/s  %5.1f%% of matmul %8.0f page faults/step%n",
                    shape.name, ms, batch * sequence / (ms / 1000), gflops, 100 * gflops / matmul, step.faultsPerStep);
        }
    }

    /** The median time of one step and the mean minor page faults per step (NaN where /proc is not there). */
    private record StepFigures(double medianMillis, double faultsPerStep) {
    }

    /** Times optimizer steps on random token ids, after warmup steps. */
    private static StepFigures timeSteps(Shape4 shape, int batch, int sequence, int warmup, int timed) {
        HfConfig config = HfConfig.parse("""
                {"model_type": "bert", "vocab_size": 30522, "hidden_size": %d, "num_hidden_layers": %d,
                 "num_attention_heads": %d, "intermediate_size": %d, "max_position_embeddings": 512,
                 "type_vocab_size": 2, "hidden_act": "gelu", "layer_norm_eps": 1e-12, "pad_token_id": 0,
                 "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "num_labels": 2,
                 "initializer_range": 0.02}""".formatted(shape.hidden, shape.layers, shape.heads, shape.intermediate));
        Random random = new Random(42);
        List<Feature> features = new ArrayList<>();
        for (int i = 0; i < batch * (warmup + timed); i++) {
            long[] ids = new long[sequence];
            for (int t = 0; t < sequence; t++) {
                ids[t] = 1000 + random.nextInt(29000);
            }
            Map<String, long[]> longs = new LinkedHashMap<>();
            longs.put("input_ids", ids);
            longs.put("attention_mask", ones(sequence));
            longs.put("token_type_ids", new long[sequence]);
            longs.put("labels", new long[] {random.nextInt(2)});
            features.add(new Feature(longs, Map.of()));
        }
        TrainingArgs args = TrainingArgs.resolve(TrainingArguments.newBuilder()
                .setPerDeviceTrainBatchSize(batch).setNumTrainEpochs(1).build());
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION)) {
            model.initializeMissingParameters(42);
            PaddingCollator collator = new PaddingCollator(0, "right");
            try (TrainingLoop loop = new TrainingLoop(model, features, collator, args, new Cancellation())) {
                double[] millis = new double[timed];
                long faultsBefore = 0;
                for (int step = 0; step < warmup + timed; step++) {
                    if (step == warmup) {
                        faultsBefore = minorFaults();
                    }
                    long start = System.nanoTime();
                    List<Feature> rows = features.subList(step * batch, (step + 1) * batch);
                    loop.step(new TrainingLoop.MicroBatches() {
                        @Override
                        public int size() {
                            return 1;
                        }

                        @Override
                        public Batch collate(int index, NDManager scope) {
                            return collator.collate(rows, scope);
                        }
                    });
                    if (step >= warmup) {
                        millis[step - warmup] = (System.nanoTime() - start) / 1e6;
                    }
                }
                double faults = (minorFaults() - faultsBefore) / (double) timed;
                Arrays.sort(millis);
                double median = timed % 2 == 1 ? millis[timed / 2] : (millis[timed / 2 - 1] + millis[timed / 2]) / 2;
                return new StepFigures(median, faultsBefore < 0 ? Double.NaN : faults);
            }
        }
    }

    /** Training FLOPs of one step: three times the forward pass's matmul FLOPs (backward is about twice forward). */
    static double trainingFlops(Shape4 shape, int batch, int sequence) {
        double tokens = (double) batch * sequence;
        double perLayer = 2 * tokens * (4.0 * shape.hidden * shape.hidden + 2.0 * shape.hidden * shape.intermediate)
                + 2 * 2 * (double) batch * sequence * sequence * shape.hidden;
        double head = 2.0 * batch * (shape.hidden * shape.hidden + shape.hidden * 2);
        return 3 * (shape.layers * perLayer + head);
    }

    private static double matmulGflops() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(1024, 1024));
            NDArray b = manager.randomNormal(new Shape(1024, 1024));
            for (int i = 0; i < 3; i++) {
                a.matMul(b).close();
            }
            int runs = 20;
            long start = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                try (NDArray c = a.matMul(b)) {
                    c.getFloat(0, 0);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9 / runs;
            return 2.0 * 1024 * 1024 * 1024 / seconds / 1e9;
        }
    }

    /** The process's minor page faults so far (field 10 of /proc/self/stat), or -1 where there is no /proc. */
    private static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name, which is in parentheses and may hold spaces.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[7]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long[] ones(int length) {
        long[] ones = new long[length];
        Arrays.fill(ones, 1);
        return ones;
    }
}
