"""Background tasks (Django's Tasks interface, through the `django-tasks` backport): long work
—building the report's PDF, publishing a year— runs in a worker process, not in the request.

By default the queue is the portal's own database (`django-tasks-db`, worker: `manage.py
trabajador`), so one machine with PostgreSQL (or SQLite) needs nothing else. An institution that
outgrows it names another backend of the same interface in TAREAS_BACKEND and adds its apps in
TAREAS_APPS; the code that enqueues does not change (docs/tareas.md). RQ is provided for
(`pip install '.[rq]'`): TAREAS_BACKEND=django_tasks_rq.RQBackend and TAREAS_REDIS_URL, and its
workers run `manage.py rqworker default`."""

import os

from django.core.exceptions import ImproperlyConfigured

BACKEND_RQ = "django_tasks_rq.RQBackend"
TAREAS_BACKEND = os.environ.get("TAREAS_BACKEND", "django_tasks_db.DatabaseBackend")

# The database backend is always installed: its table must exist even while another backend
# runs the queue, so that switching back needs no migration.
APPS_TAREAS: list[str] = list(
    # Once each: the docs once told RQ's installations to name django_rq in TAREAS_APPS.
    dict.fromkeys(
        [
            "django_tasks",
            # django_tasks_db, under a Spanish name in the admin.
            "casmul.apps.TareasConfig",
            # RQ's: its worker command (`rqworker`), and the backend's check asks for it.
            *(["django_rq"] if TAREAS_BACKEND == BACKEND_RQ else []),
            *[app.strip() for app in os.environ.get("TAREAS_APPS", "").split(",") if app.strip()],
        ]
    )
)

TASKS = {
    "default": {
        "BACKEND": TAREAS_BACKEND,
        "QUEUES": ["default"],
    }
}

# Where finished tasks leave the files they built (a report's PDF), under MEDIA_ROOT but never
# served from /media/: only through the task page, to the user who asked for them.
TAREAS_CARPETA = "generados"
# Days the files tasks built, and the records of finished tasks, are kept (`manage.py
# tareas_depurar`, daily): a prepared PDF is downloaded at once, and can be prepared again.
TAREAS_CONSERVAR_DIAS = int(os.environ.get("TAREAS_CONSERVAR_DIAS", "7"))

# RQ (read only when TAREAS_BACKEND names it). No default address: the web and every worker
# must share one Redis, and a worker that fell back to its own machine's would wait on an empty
# queue while the portal's tasks stay «en cola».
TAREAS_REDIS_URL = os.environ.get("TAREAS_REDIS_URL", "")
if TAREAS_BACKEND == BACKEND_RQ and not TAREAS_REDIS_URL:
    raise ImproperlyConfigured(
        "Defina TAREAS_REDIS_URL (por ejemplo redis://redis.interno:6379/1): la cola RQ no "
        "tiene una dirección de Redis."
    )
RQ_QUEUES = {
    "default": {
        "URL": TAREAS_REDIS_URL or "redis://127.0.0.1:6379/0",
        # RQ stops a task after 180 s by default; the database's worker never does, and
        # importing the whole register or publishing a large year may take longer.
        "DEFAULT_TIMEOUT": 60 * 60,
        # Keeps results as long as the database backend does (casmul/tareas_rq.py).
        "QUEUE_CLASS": "casmul.tareas_rq.ColaRQ",
    }
}
# The worker reads django-tasks-rq's jobs (their task, their result for the task page) without
# being told `--job-class` on its command line.
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
