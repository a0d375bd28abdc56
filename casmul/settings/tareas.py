"""Background tasks (Django's Tasks interface, through the `django-tasks` backport): long work
—building the report's PDF, publishing a year— runs in a worker process, not in the request.

By default the queue is the portal's own database (`django-tasks-db`, worker: `manage.py
db_worker`), so one machine with PostgreSQL (or SQLite) needs nothing else. An institution that
outgrows it names another backend of the same interface (RQ, Celery) in TAREAS_BACKEND and adds
its apps in TAREAS_APPS; the code that enqueues does not change (docs/tareas.md)."""

import os

# The database backend is always installed: its table must exist even while another backend
# runs the queue, so that switching back needs no migration.
APPS_TAREAS: list[str] = [
    "django_tasks",
    # django_tasks_db, under a Spanish name in the admin.
    "casmul.apps.TareasConfig",
    *[app.strip() for app in os.environ.get("TAREAS_APPS", "").split(",") if app.strip()],
]

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TAREAS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Where finished tasks leave the files they built (a report's PDF), under MEDIA_ROOT but never
# served from /media/: only through the task page, to the user who asked for them.
TAREAS_CARPETA = "generados"
# Days the files tasks built, and the records of finished tasks, are kept (`manage.py
# tareas_depurar`, daily): a prepared PDF is downloaded at once, and can be prepared again.
TAREAS_CONSERVAR_DIAS = int(os.environ.get("TAREAS_CONSERVAR_DIAS", "7"))
