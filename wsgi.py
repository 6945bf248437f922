"""Entry point: gunicorn wsgi:app · celery -A wsgi.celery_app worker / beat."""
from tracker import create_app

app = create_app()
celery_app = app.extensions["celery"]
