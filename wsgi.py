"""Entry point: gunicorn wsgi:app · celery -A wsgi.celery_app worker / beat."""
import gc

# Start-up makes a few hundred thousand objects that all live as long as the process: collecting garbage while
# they are made finds nothing and costs ~0.15 s of every command's start. Frozen afterwards, later collections
# skip them too.
gc.disable()
from tracker import create_app  # noqa: E402

app = create_app()
celery_app = app.extensions["celery"]
gc.freeze()
gc.enable()
