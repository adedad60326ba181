package dev.anneal.worker.main;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobSpec;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import io.grpc.Status;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a worker pod: runs one attempt of one job with the same pipeline as the local
 * scheduler ({@link JobRunner}), streaming its events to the gateway. Exits with an {@link ExitCodes} code.
 */
public final class WorkerMain {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    /** Runs the attempt described by {@code environment}; returns the process exit code. */
    static int run(java.util.Map<String, String> environment) {
        WorkerSettings settings;
        try {
            settings = WorkerSettings.fromEnvironment(environment);
        } catch (IllegalArgumentException invalid) {
            LOG.error("invalid worker environment: {}", invalid.getMessage());
            return ExitCodes.INVALID;
        }
        LOG.info("starting {}", settings);
        Cancellation cancellation = new Cancellation();
        try (GatewayLink link = new GatewayLink(settings, new GatewayLink.Listener() {
            @Override
            public void cancel() {
                LOG.info("the gateway asked to cancel the run");
                cancellation.request();
            }

            @Override
            public void checkpointNow() {
                LOG.info("the gateway asked for a checkpoint after the current step");
                cancellation.requestCheckpoint();
            }
        })) {
            link.start();
            JobSpec spec;
            try {
                spec = link.awaitSpec();
            } catch (GatewayLink.RefusedException refused) {
                return refusedCode(refused.status());
            }
            RunEnvironment run = new RunEnvironment(settings.dataDir().resolve(spec.getJobDir()),
                    settings.dataDir().resolve(spec.getJobsRoot()),
                    spec.getModelCache().isEmpty() ? settings.modelCache() : settings.dataDir().resolve(spec.getModelCache()));
            StorePaths paths = new StorePaths(settings.dataDir());
            Finished[] finished = new Finished[1];
            JobState state = JobRunner.run(spec.getRequest(), run, event -> {
                if (event.hasFinished()) {
                    finished[0] = event.getFinished();
                }
                link.emit(paths.relativize(event));
            }, cancellation);
            LOG.info("run ended {}; waiting for the gateway to acknowledge every event", state);
            if (!link.awaitAcknowledged()) {
                Status refused = link.refused();
                LOG.error("the gateway did not take the run's last events: {}", refused);
                return refusedCode(refused);
            }
            return ExitCodes.of(finished[0]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.LOST;
        } catch (RuntimeException | Error unexpected) {
            LOG.error("worker failed", unexpected);
            return ExitCodes.LOST;
        }
    }

    /** A job that ended or an attempt that was superseded needs nothing more from this pod. */
    private static int refusedCode(Status status) {
        return status.getCode() == Status.Code.FAILED_PRECONDITION ? ExitCodes.ENDED : ExitCodes.LOST;
    }

    /** Paths in events as the gateway sees them: relative to the shared store's root. */
    record StorePaths(Path dataDir) {
        TrainEvent relativize(TrainEvent event) {
            if (event.hasFinished() && !event.getFinished().getModelLocation().isEmpty()) {
                TrainEvent.Builder builder = event.toBuilder();
                builder.getFinishedBuilder().setModelLocation(relative(event.getFinished().getModelLocation()));
                return builder.build();
            }
            if (event.hasCheckpointSaved()) {
                TrainEvent.Builder builder = event.toBuilder();
                builder.getCheckpointSavedBuilder().setLocation(relative(event.getCheckpointSaved().getLocation()));
                return builder.build();
            }
            return event;
        }

        private String relative(String location) {
            Path path = Path.of(location).toAbsolutePath().normalize();
            return path.startsWith(dataDir) ? dataDir.relativize(path).toString() : location;
        }
    }
}
