"""OpenAI's Files and Batch API over the router's batch jobs, so ``client.batches`` works unchanged.

    POST /v1/files                  upload a JSONL input file (purpose ``batch``)
    GET  /v1/files/{id}             the file object
    GET  /v1/files/{id}/content     an input file, or a batch's output or error file
    POST /v1/batches                run an input file as a batch job (endpoint /v1/chat/completions)
    GET  /v1/batches                the key's batches, newest first
    GET  /v1/batches/{id}           one batch, with its request counts
    POST /v1/batches/{id}/cancel    stop the items that have not started

A batch is a router batch job (Celery workers on ``ROUTER_REDIS_URL``): each line is routed on
its own, cleared models only, with the key's team and tag. Uploaded files live in Redis for the
results' lifetime (7 days); output and error files are written on request from the job's
results, in OpenAI's line format (``{"id", "custom_id", "response": {"status_code",
"request_id", "body"}, "error"}``). A key sees only the batches it created.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
import time
from collections.abc import Iterator, Mapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from router._config._schema import RoutesConfig
from router._errors import JobNotFound
from router._gateway._errors import ApiError, bad_request
from router._gateway._keys import ApiKey
from router._gateway._limits import Limits
from router._state._store import STORE_ERRORS, Store

FILE_TTL_S = 7 * 24 * 3600
_OUT, _ERR = "file-batch-out-", "file-batch-err-"
_STATES = {"validating", "in_progress", "completed", "failed", "cancelling", "cancelled"}


class Batches:
    """The Files and Batch endpoints for one gateway."""

    def __init__(self, store: Store, config: RoutesConfig, limits: Limits) -> None:
        self.store = store
        self.config = config
        self.limits = limits

    # ------------------------------------------------------------------ files

    async def upload(self, request: Request, key: ApiKey) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limits.max_body_bytes:
            raise ApiError(413, "the file is over the gateway's body limit", code="request_too_large")
        form = await request.form(max_files=1, max_part_size=self.limits.max_body_bytes)
        upload, purpose = form.get("file"), form.get("purpose")
        if purpose != "batch":
            raise bad_request("only purpose 'batch' is supported", "purpose")
        if not isinstance(upload, UploadFile):
            raise bad_request("send the JSONL file as the multipart field 'file'", "file")
        content = await upload.read()
        meta = {
            "id": f"file-{secrets.token_hex(12)}",
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": upload.filename or "input.jsonl",
            "purpose": "batch",
            "status": "processed",
            "key": key.id,
        }
        await asyncio.to_thread(self._save_file, meta, content)
        return JSONResponse(_public(meta))

    async def file(self, file_id: str, key: ApiKey) -> Response:
        if file_id.startswith((_OUT, _ERR)):
            job_id = file_id.removeprefix(_OUT).removeprefix(_ERR)
            await asyncio.to_thread(self._owned_batch, job_id, key)
            meta = {
                "id": file_id,
                "object": "file",
                "bytes": 0,
                "created_at": 0,
                "filename": f"{file_id}.jsonl",
            }
            return JSONResponse({**meta, "purpose": "batch_output", "status": "processed"})
        return JSONResponse(_public(await asyncio.to_thread(self._file_meta, file_id, key)))

    async def content(self, file_id: str, key: ApiKey) -> Response:
        if file_id.startswith((_OUT, _ERR)):
            errors = file_id.startswith(_ERR)
            job_id = file_id.removeprefix(_ERR if errors else _OUT)
            await asyncio.to_thread(self._owned_batch, job_id, key)
            lines = _output_lines(self.store, job_id, errors=errors)
            return StreamingResponse(lines, media_type="application/jsonl")
        await asyncio.to_thread(self._file_meta, file_id, key)
        content = await asyncio.to_thread(self._checked, lambda c: c.hget(self._file_key(file_id), "content"))
        return Response(content or b"", media_type="application/jsonl")

    # ------------------------------------------------------------------ batches

    async def create(self, body: Any, key: ApiKey) -> Response:
        if not isinstance(body, Mapping):
            raise bad_request("the request body must be a JSON object")
        if body.get("endpoint") != "/v1/chat/completions":
            raise bad_request("only endpoint '/v1/chat/completions' is supported", "endpoint")
        if body.get("completion_window", "24h") != "24h":
            raise bad_request("completion_window must be '24h'", "completion_window")
        file_id = body.get("input_file_id")
        if not isinstance(file_id, str):
            raise bad_request(
                "'input_file_id' is required: upload the file with POST /v1/files", "input_file_id"
            )
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, Mapping) or not all(isinstance(v, str) for v in metadata.values()):
            raise bad_request("'metadata' must be an object of string values", "metadata")
        await asyncio.to_thread(self._file_meta, file_id, key)
        job_id = await asyncio.to_thread(self._submit, file_id, key, dict(metadata))
        return JSONResponse(await asyncio.to_thread(self._batch_object, job_id, key))

    async def get(self, job_id: str, key: ApiKey) -> Response:
        return JSONResponse(await asyncio.to_thread(self._batch_object, job_id, key))

    async def cancel(self, job_id: str, key: ApiKey) -> Response:
        from router._batch import get_job

        await asyncio.to_thread(self._owned_batch, job_id, key)
        await asyncio.to_thread(lambda: get_job(self.store, job_id).cancel())
        return JSONResponse(await asyncio.to_thread(self._batch_object, job_id, key))

    async def listing(self, request: Request, key: ApiKey) -> Response:
        limit = request.query_params.get("limit", "20")
        if not limit.isdigit() or not 1 <= int(limit) <= 100:
            raise bad_request("limit must be between 1 and 100", "limit")
        data = await asyncio.to_thread(self._listed, key, int(limit), request.query_params.get("after"))
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return JSONResponse(
            {"object": "list", "data": data, "first_id": first, "last_id": last, "has_more": False}
        )

    # ------------------------------------------------------------------ Redis (sync, run in a thread)

    def _file_key(self, file_id: str) -> str:
        return self.store.key("gateway", "file", file_id)

    def _batch_key(self, job_id: str) -> str:
        return self.store.key("gateway", "batch", job_id)

    def _checked(self, call: Any) -> Any:
        try:
            return call(self.store.sync())
        except STORE_ERRORS as exc:
            raise self.store.unavailable(exc) from None

    def _save_file(self, meta: Mapping[str, Any], content: bytes) -> None:
        def save(client: Any) -> None:
            key = self._file_key(str(meta["id"]))
            with client.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping={"meta": json.dumps(meta), "content": content})
                pipe.expire(key, FILE_TTL_S)
                pipe.execute()

        self._checked(save)

    def _file_meta(self, file_id: str, key: ApiKey) -> dict[str, Any]:
        raw = self._checked(lambda c: c.hget(self._file_key(file_id), "meta"))
        meta: dict[str, Any] | None = json.loads(raw) if raw else None
        if meta is None or meta.get("key") != key.id:
            raise ApiError(404, f"no file {file_id!r}", code="file_not_found", param="file_id")
        return meta

    def _submit(self, file_id: str, key: ApiKey, metadata: dict[str, str]) -> str:
        from router._batch import submit_batch

        content = self._checked(lambda c: c.hget(self._file_key(file_id), "content")) or b""
        # Through a file, so the batch parser reports bad lines with their numbers as for the CLI.
        with tempfile.NamedTemporaryFile(suffix=".jsonl") as handle:
            handle.write(content)
            handle.flush()
            job = submit_batch(
                self.store,
                self.config,
                handle.name,
                name=metadata.get("name"),
                team=key.team,
                tags=(key.tag,),
            )
        meta = {"key": key.id, "input_file_id": file_id, "metadata": metadata, "created_at": int(time.time())}
        self._checked(lambda c: c.set(self._batch_key(job.id), json.dumps(meta), ex=FILE_TTL_S))
        self._checked(lambda c: c.zadd(self.store.key("gateway", "batches", key.id), {job.id: time.time()}))
        return job.id

    def _owned_batch(self, job_id: str, key: ApiKey) -> dict[str, Any]:
        raw = self._checked(lambda c: c.get(self._batch_key(job_id)))
        meta: dict[str, Any] | None = json.loads(raw) if raw else None
        if meta is None or meta.get("key") != key.id:
            raise ApiError(404, f"no batch {job_id!r}", code="batch_not_found", param="batch_id")
        return meta

    def _batch_object(self, job_id: str, key: ApiKey) -> dict[str, Any]:
        from router._batch import get_job

        meta = self._owned_batch(job_id, key)
        try:
            status = get_job(self.store, job_id).status()
        except JobNotFound:
            raise ApiError(404, f"batch {job_id!r} has expired", code="batch_not_found") from None
        return batch_object(status, meta)

    def _listed(self, key: ApiKey, limit: int, after: str | None) -> list[dict[str, Any]]:
        ids = [
            _text(i)
            for i in self._checked(lambda c: c.zrevrange(self.store.key("gateway", "batches", key.id), 0, -1))
        ]
        if after in ids:
            ids = ids[ids.index(after) + 1 :]
        found = []
        for job_id in ids[:limit]:
            try:
                found.append(self._batch_object(job_id, key))
            except ApiError:
                continue  # expired
        return found


def batch_object(status: Any, meta: Mapping[str, Any]) -> dict[str, Any]:
    """OpenAI's Batch object for a router job."""
    state = status.status if status.status in _STATES else "in_progress"
    done = state in ("completed", "failed", "cancelled")
    ended = int(status.finished_at) if status.finished_at else None
    return {
        "id": status.id,
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "errors": {"object": "list", "data": [{"code": "failed", "message": status.error}]}
        if status.error
        else None,
        "input_file_id": meta["input_file_id"],
        "completion_window": "24h",
        "status": state,
        "output_file_id": f"{_OUT}{status.id}" if done and status.completed else None,
        "error_file_id": f"{_ERR}{status.id}" if done and (status.failed or status.cancelled) else None,
        "created_at": int(status.created_at or meta["created_at"]),
        "in_progress_at": int(status.started_at) if status.started_at else None,
        "expires_at": int(meta["created_at"]) + 24 * 3600,
        "finalizing_at": ended,
        "completed_at": ended if state == "completed" else None,
        "failed_at": ended if state == "failed" else None,
        "expired_at": None,
        "cancelling_at": int(status.cancel_requested_at) if status.cancel_requested_at else None,
        "cancelled_at": ended if state == "cancelled" else None,
        "request_counts": {
            "total": status.total,
            "completed": status.completed,
            "failed": status.failed + status.cancelled,
        },
        "metadata": meta.get("metadata") or None,
    }


def _output_lines(store: Store, job_id: str, *, errors: bool) -> Iterator[bytes]:
    from router._batch import get_job

    # The error file, like OpenAI's, holds the failed items and those a cancel stopped (which
    # request_counts counts as failed): the items ``errors_only`` keeps.
    for result in get_job(store, job_id).results():
        if (result.get("status") == "completed") == errors:
            continue
        yield json.dumps(output_line(result, job_id), ensure_ascii=False).encode() + b"\n"


def output_line(result: Mapping[str, Any], job_id: str) -> dict[str, Any]:
    """One line of an output or error file, in OpenAI's batch format."""
    line_id = f"batch_req_{job_id}_{result.get('line')}"
    response = result.get("response")
    if result.get("status") != "completed" or not response:
        error = result.get("error") or {}
        return {"id": line_id, "custom_id": result["custom_id"], "response": None, "error": error}
    usage = response.get("usage") or {}
    body = {
        "id": "chatcmpl-" + str(response.get("request_id", "")).removeprefix("req_"),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": response.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": response.get("content"),
                    "tool_calls": response.get("tool_calls"),
                },
                "finish_reason": response.get("finish_reason") or "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": usage.get("prompt_tokens", 0),
            "completion_tokens": usage.get("completion_tokens", 0),
            "total_tokens": usage.get("prompt_tokens", 0) + usage.get("completion_tokens", 0),
        },
    }
    return {
        "id": line_id,
        "custom_id": result["custom_id"],
        "response": {"status_code": 200, "request_id": response.get("request_id"), "body": body},
        "error": None,
    }


def _public(meta: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in meta.items() if name != "key"}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
