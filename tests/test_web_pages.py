"""What every page shares: it fits a phone, says it is Chinese, and loads nothing from outside.

Which role gets which answer on every route is tests/test_access_matrix.py's.
"""
from tests.web_fixtures import login, scene  # noqa: F401  (fixture)


def test_pages_fit_a_phone_and_load_nothing_from_outside(app, client, world, scene):
    login(client, "office")
    for path in ["/", "/tasks", f"/tasks/{scene.task.id}", "/plans", "/dashboard", "/review", "/users/"]:
        html = client.get(path).get_data(as_text=True)
        assert 'name="viewport" content="width=device-width' in html
        assert "http://" not in html and "https://" not in html, path
        assert 'lang="zh-CN"' in html
