package dev.anneal.worker.task;

/**
 * Labels one question-answering window with the token positions of its answer, as Hugging Face's run_qa
 * does: the answer's first and last token when the window holds the whole answer, else the CLS position.
 * <p>
 * txtai differs in two ways that Anneal fixes (issue 4): its start scan does not stop at the end of the
 * context, so an answer that ends the window gets the last index of the padded feature as its start; and
 * it has no "answer outside this window" rule, so such windows get the window's last index as start and end.
 */
final class QuestionWindows {
    private QuestionWindows() {
    }

    /**
     * @param sequenceIds per token: 0 first text, 1 second text, -1 special or padding
     * @param offsets per token: character start and end in its own text; (0, 0) for special tokens
     * @param contextSequence 1 when the context is the second text (padding on the right), else 0
     * @return {start position, end position}
     */
    static int[] label(long[] sequenceIds, int[][] offsets, int contextSequence, int clsIndex, Answer answer) {
        if (answer == null) {
            return new int[] {clsIndex, clsIndex};
        }
        int contextStart = 0;
        while (contextStart < sequenceIds.length && sequenceIds[contextStart] != contextSequence) {
            contextStart++;
        }
        int contextEnd = sequenceIds.length - 1;
        while (contextEnd >= 0 && sequenceIds[contextEnd] != contextSequence) {
            contextEnd--;
        }
        if (contextStart > contextEnd || offsets[contextStart][0] > answer.startChar()
                || offsets[contextEnd][1] < answer.endChar()) {
            return new int[] {clsIndex, clsIndex};
        }
        int start = contextStart;
        while (start <= contextEnd && offsets[start][0] <= answer.startChar()) {
            start++;
        }
        int end = contextEnd;
        while (end >= contextStart && offsets[end][1] >= answer.endChar()) {
            end--;
        }
        return new int[] {start - 1, end + 1};
    }
}
