"""Crafted requests never get a 500 (issue 18.11): every web route of the access matrix, its form fields and the
query strings of its GET forms, sent hostile values — over-long numbers (Python's 4,300-digit limit), NUL, CR/LF,
url_for's own argument names (`endpoint=`, `_method=`) — by a role allowed to use it."""
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from flask import url_for

import config
from tests.conftest import TODAY, _empty_tables
from tests.factories import build_world
from tests.test_access_matrix import EXPECTED, LETTERS, ROUTES, Matrix, Stage
from tracker import create_app
from tracker.extensions import db
from tracker.services.people import throttle

HOSTILE = ("9" * 5000, "-" + "9" * 4400, "1e999999", "\x00", "a\x00b\r\nBcc: x@example.com", "９", "%", "-1")
# url_for's keyword arguments: a query parameter with one of these names once reached url_for as that argument.
RESERVED = {"endpoint": "x", "_method": "DELETE", "_external": "1", "_anchor": "x", "_scheme": "javascript",
            "values": "x", "page": "2", "per_page": "1"}
SKIP = {("auth.logout", "POST"), ("auth.login", "POST")}  # they would end the shared browser's session


@pytest.fixture(scope="module")
def fuzz_app(services, tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    app = create_app(config.TestConfig(), INSTANCE_DIR=str(base / "instance"), UPLOAD_DIR=str(base / "uploads"),
                     FIXED_TODAY=TODAY, SECRET_KEY="test-secret")
    yield app
    with app.app_context():
        _empty_tables()
        throttle.forget_all()
        db.engine.dispose()


@pytest.fixture
def matrix(fuzz_app):
    """The access matrix's world, afresh for each route: a hostile value that was accepted (a template of one
    section, a deactivated user) must not change what the next route is sent."""
    with fuzz_app.app_context():
        _empty_tables()
        throttle.forget_all()
        world = build_world()
        plan_ids = (world.plan.id, world.other_plan.id)
    return Matrix(fuzz_app, plan_ids)


def _role(endpoint: str, method: str) -> str | None:
    """The first role the matrix lets through, so the hostile value reaches the form and the service."""
    for part in EXPECTED[(endpoint, method)].split():
        if part[1] == "+" and part[0] in "OLCVX":
            return LETTERS[part[0]]
    return None


def _web_cases(method: str) -> list[str]:
    return sorted(e for (e, m) in EXPECTED if m == method and not e.startswith("api.") and (e, m) not in SKIP
                  and _role(e, m) and (method == "GET" or ROUTES[e][1] is not None))


class _GetForms(HTMLParser):
    """The field names of the page's GET forms (the list filters)."""

    def __init__(self):
        super().__init__()
        self.names, self.inside = set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("method") or "get").lower() == "get"
        elif self.inside and tag in ("input", "select", "textarea") and attrs.get("name"):
            self.names.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _path(matrix, endpoint):
    with matrix.app.app_context():
        stage = Stage(matrix.world())
        stage.task, stage.draft_task  # noqa: B018  two tasks at least, so lists of one per page have pages
        values = ROUTES[endpoint][0](stage)
        body = ROUTES[endpoint][1](stage) if ROUTES[endpoint][1] else None
        with matrix.app.test_request_context():
            return url_for(endpoint, **values), body


@pytest.mark.parametrize("endpoint", _web_cases("GET"))
def test_query_strings_never_give_500(matrix, endpoint):
    path, _ = _path(matrix, endpoint)
    client, _ = matrix.browser(_role(endpoint, "GET"))
    first = client.get(path)
    assert first.status_code < 500
    bad = [f"{path}?{urlencode(RESERVED)}"]
    names = set()
    if first.mimetype == "text/html":
        parser = _GetForms()
        parser.feed(first.get_data(as_text=True))
        names = parser.names
    bad += [f"{path}?{urlencode({name: value, 'page': '2', 'per_page': '1'})}" for name in sorted(names | {"page"})
            for value in HOSTILE]
    failures = [(url[:120], r.status_code) for url in bad if (r := client.get(url)).status_code >= 500]
    assert not failures


@pytest.mark.parametrize("endpoint", _web_cases("POST"))
def test_form_fields_never_give_500(matrix, endpoint):
    path, body = _path(matrix, endpoint)
    client, token = matrix.browser(_role(endpoint, "POST"))
    failures = []
    for field in sorted(k for k, v in body.items() if isinstance(v, str)):
        for value in HOSTILE:
            if endpoint.startswith("task_pages.") or endpoint in ("plans.split", "reminders.urge") \
                    or not all(isinstance(v, str) for v in body.values()):
                path, body = _path(matrix, endpoint)  # a fresh task: a successful post may have closed the last
            response = client.post(path, data={"csrf_token": token, **body, field: value})
            if response.status_code >= 500:
                failures.append((field, value[:20], response.status_code))
    assert not failures
