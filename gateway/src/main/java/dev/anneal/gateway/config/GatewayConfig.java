package dev.anneal.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** The gateway's own settings, under {@code anneal.*}. */
@ConfigMapping(prefix = "anneal")
public interface GatewayConfig {

    /** Root of everything the gateway stores: {@code jobs/<job-id>/} (events.log, model/, checkpoints/). */
    @WithDefault("anneal-data")
    Path dataDir();

    /** {@code local} runs jobs in the gateway's JVM; {@code kubernetes} is not available yet. */
    @WithDefault("local")
    String scheduler();

    /** A Hugging Face cache-layout directory ({@code models--org--name/...}) for hub ids in {@code base}. */
    Optional<Path> modelCache();

    Local local();

    EventLog eventLog();

    Stream stream();

    /** The local scheduler. */
    interface Local {
        /** Jobs that run at the same time. */
        @WithDefault("1")
        int concurrency();

        /** Jobs that may wait for a free slot; one more is refused with RESOURCE_EXHAUSTED. */
        @WithDefault("16")
        int queueSize();
    }

    /** Train and Watch streams. */
    interface Stream {
        /**
         * Bytes a stream may have queued in gRPC for a client that has not read them before the gateway stops
         * sending to it (grpc-java's on-ready threshold); everything else waits in the job's event log.
         */
        @WithDefault("32768")
        int bufferBytes();
    }

    /** The per-job event journals. */
    interface EventLog {
        /** Force every event to the disk before it is sent to clients. */
        @WithDefault("true")
        boolean fsync();
    }
}
