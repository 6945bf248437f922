"""Bearer tokens for the API."""
from flask import g, jsonify

from tracker.api import schemas
from tracker.api.blueprint import bp
from tracker.api.parsing import parse_json
from tracker.api.spec import build, operation
from tracker.security import remember_device, sign_in
from tracker.services.people.users import issue_token, revoke_token


@operation(bp, "/auth/token", "POST", summary="登录,取得令牌", body=schemas.TokenIn,
           response=schemas.TokenOut, public=True)
def create_token():
    body = parse_json(schemas.TokenIn)
    user = sign_in(body.username, body.password)  # the web login's count and delay (issue 18.9)
    token, expires_at = issue_token(user)
    return remember_device(jsonify(schemas.TokenOut(token=token, expires_at=expires_at).model_dump(mode="json")),
                           user.username)


@operation(bp, "/auth/token", "DELETE", summary="注销当前令牌", status=204)
def delete_token():
    revoke_token(g.api_token)
    return "", 204


@operation(bp, "/openapi.json", "GET", summary="本 API 的 OpenAPI 3 文档", public=True)
def openapi():
    return jsonify(build(bp.url_prefix))


