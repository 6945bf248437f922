"""Celery jobs. They take ids, call tracker services and commit; the Celery app lives in wsgi.py."""
