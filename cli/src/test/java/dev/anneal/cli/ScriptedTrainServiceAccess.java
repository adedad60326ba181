package dev.anneal.cli;

import io.grpc.BindableService;

/** Lets the embedded-mode tests' stand-in gateway (another package) serve {@link ScriptedTrainService}. */
public final class ScriptedTrainServiceAccess {

    private ScriptedTrainServiceAccess() {}

    public static BindableService create() {
        return new ScriptedTrainService();
    }
}
