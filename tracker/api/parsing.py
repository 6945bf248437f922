"""Reading requests: JSON bodies into schemas, query parameters, pagination, with Chinese messages."""
from flask import request
from pydantic import BaseModel, ValidationError

from tracker.services.errors import ValidationFailed
from tracker.services.validation import MAX_ID

MESSAGES = {
    "missing": "必填",
    "extra_forbidden": "不支持的字段",
    "string_type": "须为文字",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_type": "须为数字",
    "bool_type": "须为 true 或 false",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "date_type": "不是有效日期(格式:2024-06-30)",
    "date_parsing": "不是有效日期(格式:2024-06-30)",
    "date_from_datetime_parsing": "不是有效日期(格式:2024-06-30)",
    "date_from_datetime_inexact": "不是有效日期(格式:2024-06-30)",
    "json_invalid": "JSON 格式错误",
    "json_type": "JSON 格式错误",
}


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx", {})
    if kind == "string_too_short":
        return "不能为空"
    if kind == "string_too_long":
        return f"不能超过{ctx.get('max_length')}个字"
    if kind == "too_long":
        return f"最多{ctx.get('max_length')}项"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": "不能小于", "less_than_equal": "不能大于",
                 "greater_than": "须大于", "less_than": "须小于"}[kind]
        return f"{bound}{next(iter(ctx.values()))}"
    return MESSAGES.get(kind, "格式不正确")


def validation_failed(exc: ValidationError) -> ValidationFailed:
    """A pydantic error as per-field Chinese messages."""
    fields: dict = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        fields.setdefault(loc, _message(err))
    first = next(iter(fields.items()))
    return ValidationFailed(f"输入有误:{first[0]} {first[1]}", fields)


def parse_json(model: type[BaseModel]):
    """The request body as `model`; anything but a well-formed JSON object is refused."""
    if not request.is_json:
        raise ValidationFailed("请求体须为 JSON(Content-Type: application/json)", {"body": "须为 JSON 对象"})
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        if any(e["type"] in ("json_invalid", "model_type", "dict_type") and not e["loc"] for e in exc.errors()):
            raise ValidationFailed("请求体不是有效的 JSON 对象", {"body": "须为 JSON 对象"}) from None
        raise validation_failed(exc) from None


def parse_data(model: type[BaseModel], data: dict):
    """A dict (e.g. from a form) as `model`."""
    try:
        return model.model_validate_json(__import__("json").dumps(data))
    except ValidationError as exc:
        raise validation_failed(exc) from None


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int | None = None) -> int | None:
    """A whole-number query parameter."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdecimal() or len(raw) > 12:
        raise ValidationFailed(f"参数 {name} 须为正整数", {name: "须为正整数"})
    value = int(raw)
    if value < low:
        raise ValidationFailed(f"参数 {name} 不能小于{low}", {name: f"不能小于{low}"})
    if high is not None and value > high:
        value = high
    if value > MAX_ID:  # an id no row can have; PostgreSQL would refuse to compare it with an INTEGER column
        raise ValidationFailed(f"参数 {name} 过大", {name: "数值过大"})
    return value


def pagination() -> tuple[int, int]:
    """page from 1; per_page default 20, capped at 100."""
    return int_arg("page", 1), int_arg("per_page", 20, high=100)


def page_body(items: list, total: int, page: int, per_page: int) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page}
