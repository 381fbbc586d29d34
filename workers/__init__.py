"""Celery app and tasks for batch jobs.

``workers.app`` holds the app factory and the module-level ``app`` that
``celery -A workers.app worker`` loads; ``workers.tasks`` the thin task that
hands a chunk of a job to the process's event loop. Start a worker with
``router worker``: it applies the settings below and warms the Runtime up.
"""
