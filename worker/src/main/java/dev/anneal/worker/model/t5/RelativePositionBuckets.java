package dev.anneal.worker.model.t5;

/**
 * T5's relative position buckets: exact buckets for small distances, logarithmically wider ones up to
 * {@code maxDistance}; bidirectional (encoder) buckets keep the sign, causal (decoder) ones only look back.
 * The logarithm is evaluated in float32, as torch does, so the integer bucket boundaries agree.
 */
final class RelativePositionBuckets {
    private RelativePositionBuckets() {
    }

    /** Bucket of every (query, key) pair, row-major [queries][keys]. */
    static long[] matrix(int queries, int keys, boolean bidirectional, int numBuckets, int maxDistance) {
        long[] out = new long[queries * keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                out[q * keys + k] = bucket(k - q, bidirectional, numBuckets, maxDistance);
            }
        }
        return out;
    }

    /** The bucket of {@code relativePosition} = key position - query position. */
    static long bucket(int relativePosition, boolean bidirectional, int numBuckets, int maxDistance) {
        long bucket = 0;
        int n = relativePosition;
        int buckets = numBuckets;
        if (bidirectional) {
            buckets /= 2;
            if (n > 0) {
                bucket += buckets;
            }
            n = Math.abs(n);
        } else {
            n = -Math.min(n, 0);
        }
        int maxExact = buckets / 2;
        if (n < maxExact) {
            return bucket + n;
        }
        float ratio = (float) n / (float) maxExact;
        float scaled = (float) Math.log(ratio) / (float) Math.log((double) maxDistance / maxExact) * (float) (buckets - maxExact);
        long large = Math.min(maxExact + (long) scaled, buckets - 1);
        return bucket + large;
    }
}
