package dev.anneal.worker.train;

/**
 * Hugging Face's learning-rate schedules ({@code transformers.get_scheduler}) as multipliers of the
 * base rate after {@code step} optimizer steps (step 0 is the first update, so warmup starts at 0).
 */
public final class LearningRateSchedule {
    /** Hugging Face's polynomial decay default end rate. */
    static final double POLYNOMIAL_LR_END = 1e-7;

    private final String type;
    private final double baseRate;
    private final long warmup;
    private final long total;

    public LearningRateSchedule(String type, double baseRate, long warmupSteps, long totalSteps) {
        if (!TrainingArgs.SCHEDULERS.contains(type)) {
            throw new IllegalArgumentException("unknown scheduler " + type);
        }
        this.type = type;
        this.baseRate = baseRate;
        this.warmup = warmupSteps;
        this.total = totalSteps;
    }

    /** The learning rate used by the update after {@code step} completed steps. */
    public double rate(long step) {
        return baseRate * factor(step);
    }

    double factor(long step) {
        if (step < warmup && !type.equals("constant")) {
            return (double) step / Math.max(1, warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return switch (type) {
            case "linear" -> Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
            case "cosine" -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * progress)));
            case "cosine_with_restarts" -> progress >= 1.0
                    ? 0.0
                    : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((1.0 * progress) % 1.0))));
            case "polynomial" -> polynomial(step);
            case "constant", "constant_with_warmup" -> 1.0;
            case "inverse_sqrt" -> inverseSqrt(step);
            default -> throw new IllegalStateException(type);
        };
    }

    private double polynomial(long step) {
        if (baseRate <= POLYNOMIAL_LR_END) {
            return 1.0;
        }
        if (step > total) {
            return POLYNOMIAL_LR_END / baseRate;
        }
        double remaining = 1.0 - (double) (step - warmup) / Math.max(1, total - warmup);
        return ((baseRate - POLYNOMIAL_LR_END) * remaining + POLYNOMIAL_LR_END) / baseRate;
    }

    private double inverseSqrt(long step) {
        long timescale = warmup > 0 ? warmup : 10_000;
        long shift = timescale - warmup;
        return 1.0 / Math.sqrt((double) (step + shift) / timescale);
    }
}
