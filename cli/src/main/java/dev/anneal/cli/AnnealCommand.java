package dev.anneal.cli;

import picocli.CommandLine.Command;

@Command(name = "anneal", mixinStandardHelpOptions = true, version = "anneal 0.1.0",
        description = "Fine-tune Hugging Face transformer models on an Anneal gateway.",
        subcommands = {TrainCommand.class, WatchCommand.class, JobsCommand.class, CancelCommand.class})
final class AnnealCommand {
}
