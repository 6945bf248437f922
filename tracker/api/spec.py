"""Routes that describe themselves, and the OpenAPI 3 document built from them."""
import functools
import re
from dataclasses import dataclass, field

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from tracker.api.schemas import ErrorOut
from tracker.extensions import db
from tracker.services.errors import RACES, lost_race
from tracker.services.validation import MAX_ID


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    query: list[tuple[str, str, str]] = field(default_factory=list)
    public: bool = False
    multipart: bool = False
    binary: bool = False
    also: dict[int, tuple[str, type[BaseModel]]] = field(default_factory=dict)  # other successes


OPERATIONS: list[Operation] = []
ERROR_CODES = {"400": "输入有误", "401": "未登录", "403": "无权操作", "404": "不存在或不可见",
               "409": "版本冲突或状态不允许", "413": "内容过大", "429": "请求过于频繁"}


def operation(bp, rule: str, method: str, *, summary: str, body=None, response=None, status: int = 200,
              query=(), public: bool = False, multipart: bool = False, binary: bool = False, also=None):
    """Register a view on the blueprint and describe it for the OpenAPI document.

    An operation that changes something is one unit of work: it commits once the view has answered; a refusal
    (a ServiceError, or a write that lost a race: a 409) rolls back in the blueprint's error handler instead.
    A GET never writes.
    """
    def decorate(view):
        view.is_public = public
        target = view if method == "GET" else _committing(view)  # functools.wraps carries is_public over
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=target, methods=[method])
        OPERATIONS.append(Operation(rule, method.lower(), view.__name__, summary, body, response, status,
                                    list(query), public, multipart, binary, dict(also or {})))
        return view
    return decorate


def _committing(view):
    @functools.wraps(view)
    def unit_of_work(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
            db.session.commit()
        except RACES as exc:  # a stale version or a duplicate key found at a flush or the commit
            conflict = lost_race(exc)
            if conflict is None:
                raise
            raise conflict from exc
        return response
    return unit_of_work


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []
    for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule):
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if conv == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def build(prefix: str) -> dict:
    """The OpenAPI 3.1 document for every registered operation."""
    models = {ErrorOut}
    for op in OPERATIONS:
        models |= {m for m in (op.body, op.response, *(m for _, m in op.also.values())) if m is not None}
    keyed = [(m, "validation") for m in models]
    refs, defs = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    ref = {m: refs[(m, "validation")] for m in models}
    paths: dict = {}
    for op in OPERATIONS:
        path, params = _path(op.rule)
        params += [{"name": n, "in": "query", "required": False, "schema": {"type": t}, "description": d}
                   for n, t, d in op.query]
        entry: dict = {"summary": op.summary, "operationId": op.endpoint, "parameters": params,
                       "responses": {}}
        if op.body is not None:
            content_type = "multipart/form-data" if op.multipart else "application/json"
            content = {"application/json": {"schema": ref[op.body]}}
            if op.multipart:
                content[content_type] = {"schema": {"type": "object", "properties": {
                    "percent": {"type": "integer"}, "note": {"type": "string"},
                    "metrics": {"type": "string", "description": "JSON 数组"},
                    "evidence": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}
            entry["requestBody"] = {"required": True, "content": content}
        if op.binary:
            entry["responses"][str(op.status)] = {"description": "文件",
                                                 "content": {"application/octet-stream": {"schema": {}}}}
        elif op.response is not None:
            entry["responses"][str(op.status)] = {"description": "成功",
                                                 "content": {"application/json": {"schema": ref[op.response]}}}
        else:
            entry["responses"][str(op.status)] = {"description": "成功"}
        for code, (text, model) in op.also.items():
            entry["responses"][str(code)] = {"description": text,
                                             "content": {"application/json": {"schema": ref[model]}}}
        for code, text in ERROR_CODES.items():
            entry["responses"][code] = {"description": text,
                                        "content": {"application/json": {"schema": ref[ErrorOut]}}}
        if not op.public:
            entry["security"] = [{"bearer": []}]
        paths.setdefault(prefix + path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "法治建设任务督办 API", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
