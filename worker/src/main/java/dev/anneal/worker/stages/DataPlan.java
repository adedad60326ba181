package dev.anneal.worker.stages;

import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.task.Columns;

/** The columns to read and where the training and (optional) validation rows come from. */
public record DataPlan(Columns columns, RowSource train, RowSource validation) {
}
