"""Bearer tokens for the API."""
from flask import g, jsonify

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import parse_json
from tracker.api.spec import build, operation
from tracker.extensions import limiter
from tracker.security import login_key, login_limit
from tracker.services.people.users import authenticate, issue_token, revoke_token


@operation(bp, "/auth/token", "POST", summary="登录,取得令牌", body=schemas.TokenIn,
           response=schemas.TokenOut, public=True)
@limiter.limit(login_limit, key_func=login_key, deduct_when=lambda response: response.status_code == 401)
def create_token():
    body = parse_json(schemas.TokenIn)
    user = authenticate(body.username, body.password)
    token, expires_at = issue_token(user)
    return jsonify(schemas.TokenOut(token=token, expires_at=expires_at).model_dump(mode="json"))


@operation(bp, "/auth/token", "DELETE", summary="注销当前令牌", status=204)
def delete_token():
    revoke_token(g.api_token)
    return "", 204


@operation(bp, "/openapi.json", "GET", summary="本 API 的 OpenAPI 3 文档", public=True)
def openapi():
    return jsonify(build(bp.url_prefix))


