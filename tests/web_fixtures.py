"""Helpers for the web page tests: log in, post forms with their CSRF token, a world with history."""
import io
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.factories import PASSWORD, csrf_token
from tracker.extensions import db
from tracker.models import PlanTask, User
from tracker.services.people.users import get_user
from tracker.services.tasks import progress, requests
from tracker.services.tasks.evidence import IncomingFile


def login(client, username: str, password: str = PASSWORD):
    """Log the test client in through the login form."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def token(client, path: str = "/") -> str:
    """A CSRF token from a page the client can open."""
    return csrf_token(client.get(path).get_data(as_text=True))


def post(client, path: str, data: dict, page: str = "/", **kwargs):
    """Post a form the way a browser would: with the session's CSRF token."""
    return client.post(path, data={"csrf_token": token(client, page), **data}, **kwargs)


def png_bytes(size=(40, 30)) -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Scene:
    """A task with an update carrying a photo, a pending completion request, and a user to manage."""

    task: PlanTask
    draft: PlanTask
    evidence_id: int
    member: User


@pytest.fixture
def scene(world) -> Scene:
    task = world.task(title="开展“法律明白人”培训")
    draft = world.task(title="草拟村规民约", owner=None, co_owners=[], due_date=None)
    update = progress.record_progress(get_user("cadre"), task, percent=40, note="已培训两批",
                                      metrics=[{"name": "培训", "value": 2, "unit": "场"}],
                                      files=[IncomingFile("现场.png", png_bytes())])
    requests.request_completion(get_user("cadre"), task, "已全部完成")
    db.session.commit()
    return Scene(task, draft, update.evidence[0].id, get_user("cadre3"))


@contextmanager
def as_user(app, username: str):
    """Another person's browser: a new client in a fresh app context (no cached login from the test's)."""
    other = app.test_client()
    with app.app_context():
        login(other, username)
        yield other
