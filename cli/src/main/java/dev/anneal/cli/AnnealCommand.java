package dev.anneal.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

// INHERIT: every subcommand gets --help and --version too.
@Command(name = "anneal", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "anneal 0.1.0",
        description = "Fine-tune Hugging Face transformer models on an Anneal gateway.",
        subcommands = {TrainCommand.class, WatchCommand.class, JobsCommand.class, CancelCommand.class,
            UploadCommand.class, DatasetsCommand.class})
final class AnnealCommand {
}
