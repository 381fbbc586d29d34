"""Batch jobs: thousands of prompts in, every answer (or error) out, exactly once each.

``submit_batch`` streams the input into Redis and queues chunks of items for
Celery workers (the app in ``_celery``, run by ``router worker``; ``workers/``
only exposes it to ``celery -A workers``) or for the embedded runner, which
calls the same chunk runner (``_runner``) in-process; ``BatchJob`` follows,
cancels and reads a job.
"""

from router._batch._model import JobStatus
from router._batch._sdk import BatchJob, get_job, list_jobs, submit_batch

__all__ = ["BatchJob", "JobStatus", "get_job", "list_jobs", "submit_batch"]
