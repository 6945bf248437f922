"""Headers (issue 18.14): nothing a signed-in person sees is cached, and production asks for HTTPS only (HSTS)."""
import config
from tests.test_thumbnails import _photo
from tests.web_fixtures import login, png_bytes


def test_signed_in_pages_downloads_and_previews_are_not_cached(client, world):
    anonymous = client.get("/login")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")
    item = _photo(world, "现场.png", png_bytes((400, 300)))
    login(client, "cadre")
    for path in ("/", f"/tasks/{item.update.task_id}", f"/evidence/{item.id}", f"/evidence/{item.id}/thumb",
                 f"/exports/plans/{world.plan.id}/ledger.xlsx", f"/exports/plans/{world.plan.id}/ledger.csv",
                 "/no-such-page"):
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_hsts_in_production_only(app, client, world):
    assert config.ProductionConfig.HSTS_SECONDS_DEFAULT >= 180 * 24 * 3600
    assert config.TestConfig.HSTS_SECONDS_DEFAULT == 0
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["HSTS_SECONDS"] = 31536000
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
