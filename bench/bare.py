"""A bare Flask endpoint, the yardstick for bench.http_load: same gunicorn configuration, no database, no template."""
from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    return {"ok": True}
