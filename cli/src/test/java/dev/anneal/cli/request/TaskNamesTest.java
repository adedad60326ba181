package dev.anneal.cli.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.api.v1.Task;
import org.junit.jupiter.api.Test;

class TaskNamesTest {

    @Test
    void acceptsTheReferenceNamesAndTheEnumNames() {
        assertEquals(Task.TEXT_CLASSIFICATION, TaskNames.parse("text-classification"));
        assertEquals(Task.QUESTION_ANSWERING, TaskNames.parse("question-answering"));
        assertEquals(Task.TOKEN_DETECTION, TaskNames.parse("TOKEN_DETECTION"));
        assertEquals("sequence-sequence", TaskNames.referenceName(Task.SEQUENCE_SEQUENCE));
        assertEquals("text-classification", TaskNames.referenceName(Task.TASK_UNSPECIFIED));
    }

    @Test
    void anUnknownTaskListsTheSixTasks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaskNames.parse("summarize"));
        assertEquals("--task summarize: unknown task; one of text-classification, question-answering,"
                + " sequence-sequence, language-generation, language-modeling, token-detection", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskNames.parse("task-unspecified"));
    }
}
