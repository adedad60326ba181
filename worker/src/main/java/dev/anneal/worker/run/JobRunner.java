package dev.anneal.worker.run;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.train.TorchThreads;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job to its end wherever it runs (the gateway's JVM or a worker pod): the pipeline's events,
 * then exactly one {@code finished} event. Never throws; the returned state is the one reported.
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private JobRunner() {
    }

    public static JobState run(TrainRequest request, RunEnvironment environment, EventSink events,
            Cancellation cancellation) {
        Finished.Builder finished = Finished.newBuilder();
        try {
            TorchThreads.pin();
            RunResult result = new TrainingRun(request, environment, events, cancellation).run();
            finished.setState(JobState.SUCCEEDED)
                    .setModelLocation(result.modelDir().toString())
                    .putAllMetrics(result.metrics());
        } catch (RunCancelledException cancelled) {
            finished.setState(JobState.CANCELLED);
        } catch (RunFailure failure) {
            LOG.info("run failed in {}: {}", failure.stage(), failure.getMessage(), failure.getCause());
            finished.setState(JobState.FAILED).setError(errorOf(failure));
        } catch (RuntimeException | Error unexpected) {
            LOG.error("run failed unexpectedly", unexpected);
            finished.setState(JobState.FAILED).setError(JobError.newBuilder()
                    .setCode(Status.Code.INTERNAL.name())
                    .setMessage(String.valueOf(unexpected)));
        }
        events.emit(TrainEvent.newBuilder().setFinished(finished).build());
        return finished.getState();
    }

    private static JobError errorOf(RunFailure failure) {
        JobError.Builder error = JobError.newBuilder()
                .setCode(failure.code().name())
                .setMessage(failure.getMessage());
        if (failure.stage() != null) {
            error.setStage(failure.stage());
        }
        return error.build();
    }
}
