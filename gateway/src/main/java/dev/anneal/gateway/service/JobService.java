package dev.anneal.gateway.service;

import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.ListJobsResponse;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.job.JobConflictException;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.paging.PageTokens;
import dev.anneal.gateway.schedule.QueueFullException;
import dev.anneal.gateway.schedule.Scheduler;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.validate.RequestValidator;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * What the TrainService does, independent of the wire: accept a job, find, list and cancel jobs. Every
 * refusal is a {@link StatusRuntimeException} with the code the gRPC docs intend and a message naming
 * the field.
 */
@ApplicationScoped
public class JobService {
    private static final Logger LOG = Logger.getLogger(JobService.class);
    static final int DEFAULT_PAGE_SIZE = 100;

    private final JobStore store;
    private final Scheduler scheduler;

    @Inject
    public JobService(JobStore store, Scheduler scheduler) {
        this.store = store;
        this.scheduler = scheduler;
    }

    /**
     * Validates and queues a job, or returns the existing job of a repeated idempotency key.
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT, ALREADY_EXISTS or RESOURCE_EXHAUSTED
     */
    public JobRecord submit(TrainRequest request) {
        try {
            RequestValidator.validate(request);
        } catch (RunFailure failure) {
            throw Status.fromCode(failure.code()).withDescription(failure.getMessage()).asRuntimeException();
        }
        JobStore.Creation creation;
        try {
            creation = store.create(request);
        } catch (JobConflictException conflict) {
            throw Status.ALREADY_EXISTS.withDescription(conflict.getMessage()).asRuntimeException();
        }
        JobRecord job = creation.job();
        if (!creation.created()) {
            LOG.infof("idempotency key %s: returning the existing job %s", request.getIdempotencyKey(), job.id());
            return job;
        }
        try {
            scheduler.submit(job);
        } catch (QueueFullException full) {
            store.discard(job);
            throw Status.RESOURCE_EXHAUSTED.withDescription(full.getMessage()).asRuntimeException();
        }
        LOG.infof("job %s accepted (base %s, task %s)", job.id(), request.getBase(), request.getTask());
        return job;
    }

    /** @throws StatusRuntimeException NOT_FOUND or INVALID_ARGUMENT for an empty id */
    public JobRecord find(String jobId) {
        if (jobId.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription("job_id: is required").asRuntimeException();
        }
        return store.find(jobId).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("job_id: no job \"" + jobId + "\"").asRuntimeException());
    }

    /**
     * A page of jobs, newest first, continuing after {@code pageToken} (empty for the first page).
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT for a negative page size or a token the gateway did not give
     */
    public ListJobsResponse list(int pageSize, Map<String, String> labelSelector, String pageToken) {
        if (pageSize < 0) {
            throw Status.INVALID_ARGUMENT.withDescription("page_size: must be >= 0, got " + pageSize)
                    .asRuntimeException();
        }
        JobStore.JobPage page;
        try {
            String after = pageToken.isEmpty() ? null : PageTokens.position(pageToken);
            page = store.list(pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize, labelSelector, after);
        } catch (IllegalArgumentException notOurs) {
            throw Status.INVALID_ARGUMENT.withDescription("page_token: not a next_page_token of this gateway")
                    .asRuntimeException();
        }
        ListJobsResponse.Builder response = ListJobsResponse.newBuilder().addAllJobs(page.jobs());
        if (page.more()) {
            response.setNextPageToken(PageTokens.after(page.jobs().get(page.jobs().size() - 1).getJobId()));
        }
        return response.build();
    }

    /**
     * Cancels a job: at once if it is queued, at its next step boundary if it runs.
     *
     * @throws StatusRuntimeException FAILED_PRECONDITION if the job already ended
     */
    public Job cancel(String jobId) {
        JobRecord job = find(jobId);
        if (job.ended()) {
            throw Status.FAILED_PRECONDITION.withDescription("job_id: job " + jobId + " already ended "
                    + job.state()).asRuntimeException();
        }
        scheduler.cancel(job);
        return job.snapshot();
    }
}
