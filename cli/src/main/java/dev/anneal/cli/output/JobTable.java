package dev.anneal.cli.output;

import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.Stage;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table of jobs for {@code anneal jobs}. */
public final class JobTable {

    private static final String[] HEADER = {"JOB", "STATE", "STAGE", "STEP", "CREATED", "BASE"};
    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private JobTable() {}

    public static String render(List<Job> jobs) {
        if (jobs.isEmpty()) {
            return "No jobs.\n";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Job job : jobs) {
            rows.add(new String[] {
                job.getJobId(),
                job.getState().name(),
                job.getStage() == Stage.STAGE_UNSPECIFIED ? "-" : job.getStage().name(),
                job.hasProgress() ? job.getProgress().getGlobalStep() + "/" + job.getProgress().getMaxSteps() : "-",
                job.hasCreated() ? created(job.getCreated()) : "-",
                job.getRequest().getBase().isEmpty() ? "-" : job.getRequest().getBase()
            });
        }
        int[] widths = new int[HEADER.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                table.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            table.append('\n');
        }
        return table.toString();
    }

    private static String created(Timestamp time) {
        return CREATED.format(Instant.ofEpochSecond(time.getSeconds(), time.getNanos()));
    }
}
