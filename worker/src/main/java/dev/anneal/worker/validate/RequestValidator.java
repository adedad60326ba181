package dev.anneal.worker.validate;

import com.google.protobuf.Struct;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.data.InlineRows;
import dev.anneal.worker.data.UploadedDatasets;
import dev.anneal.worker.distill.DistillationSettings;
import dev.anneal.worker.metrics.Metrics;
import dev.anneal.worker.model.lora.LoraRequest;
import dev.anneal.worker.model.quantize.QuantizeRequest;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.task.Columns;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.task.TrainingTasks;
import dev.anneal.worker.tokenize.ParallelTokenization;
import dev.anneal.worker.train.TrainingArgs;
import java.util.List;

/**
 * Checks a request against what this build supports before any work starts, so that a bad request is
 * refused with INVALID_ARGUMENT naming the field (and, for inline rows, the row) instead of failing later.
 * The gateway calls it before accepting a job; the VALIDATE stage calls it again wherever the job runs.
 */
public final class RequestValidator {
    private RequestValidator() {
    }

    public static void validate(TrainRequest request) {
        if (request.getBase().isBlank()) {
            throw RunFailure.invalidArgument("base", "is required: a Hugging Face model directory, hub id or job:<id>");
        }
        TrainingTask task = TrainingTasks.create(request);
        Columns columns = task.columns(request.getColumnsList());
        requireData("train", request.getTrain(), true);
        if (request.hasValidation()) {
            requireData("validation", request.getValidation(), false);
        }
        checkInlineRows("train", request.getTrain(), task, columns);
        if (request.hasValidation()) {
            checkInlineRows("validation", request.getValidation(), task, columns);
        }
        if (request.getMaxlength() < 0) {
            throw RunFailure.invalidArgument("maxlength", "must be >= 0 (0 means the tokenizer's maximum), got "
                    + request.getMaxlength());
        }
        if (request.getStride() < 0) {
            throw RunFailure.invalidArgument("stride", "must be >= 0, got " + request.getStride());
        }
        if (request.getTokenizers() < -1) {
            throw RunFailure.invalidArgument("tokenizers", "must be -1 (all cores), 0 or a worker count, got "
                    + request.getTokenizers());
        }
        ParallelTokenization.batchSize(request.getTokenizebatch());
        Metrics.requireApplicable(request.getMetricsList(), request.getTask());
        DistillationSettings.validate(request);
        LoraRequest.validate(request);
        QuantizeRequest.validate(request);
        refuseUnsupported(request);
        TrainingArgs.resolve(request.getArgs());
    }

    private static void requireData(String field, Dataset dataset, boolean required) {
        switch (dataset.getSourceCase()) {
            case ROWS -> {
                if (dataset.getRows().getRowsCount() == 0) {
                    throw RunFailure.invalidArgument(field + ".rows", "is empty");
                }
            }
            case URI -> {
                if (dataset.getUri().isBlank()) {
                    throw RunFailure.invalidArgument(field + ".uri", "is empty");
                }
            }
            case DATASET_ID -> {
                if (!UploadedDatasets.isValidId(dataset.getDatasetId())) {
                    throw RunFailure.invalidArgument(field + ".dataset_id", "'" + dataset.getDatasetId()
                            + "' is not a data set id (UploadDataset returns one)");
                }
            }
            case SOURCE_NOT_SET -> {
                if (required) {
                    throw RunFailure.invalidArgument(field, "is required: give rows, a uri or a dataset_id");
                }
            }
        }
    }

    private static void checkInlineRows(String field, Dataset dataset, TrainingTask task, Columns columns) {
        if (!dataset.hasRows()) {
            return;
        }
        List<Struct> rows = dataset.getRows().getRowsList();
        for (int i = 0; i < rows.size(); i++) {
            task.checkRow(columns, InlineRows.toMap(rows.get(i)), i, field + ".rows");
        }
    }

    /** Fields of the contract that later releases fill in: refused, never silently ignored. */
    private static void refuseUnsupported(TrainRequest request) {
        if (!request.getMerge().isEmpty() && request.getTask() != Task.LANGUAGE_GENERATION
                && request.getTask() != Task.LANGUAGE_MODELING && request.getTask() != Task.TOKEN_DETECTION) {
            throw RunFailure.invalidArgument("merge", "is only used by the language tasks, not by "
                    + request.getTask());
        }
        if (!request.getPrefix().isEmpty() && request.getTask() != Task.SEQUENCE_SEQUENCE) {
            throw RunFailure.invalidArgument("prefix", "is only used by SEQUENCE_SEQUENCE, not by "
                    + request.getTask());
        }
    }
}
