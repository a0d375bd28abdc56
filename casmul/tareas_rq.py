"""The task queue on RQ (docs/tareas.md, «RQ»), for an institution that runs its workers on other
machines: only what the portal needs beyond `django-tasks-rq`. Imported by django-rq, through
RQ_QUEUES, only when TAREAS_BACKEND names RQ (`pip install '.[rq]'`)."""

from django.conf import settings
from django_rq.queues import DjangoRQ


class ColaRQ(DjangoRQ):
    """django-tasks-rq creates its jobs with no time to live of their own, so RQ would forget a
    finished task after 500 seconds (its page, opened again later, would not exist) and keep a
    failed one, with its arguments and traceback, for a year. These are kept
    TAREAS_CONSERVAR_DIAS days, as the database backend keeps them until `tareas_depurar`."""

    def create_job(self, *args, result_ttl=None, failure_ttl=None, **kwargs):
        conservar = settings.TAREAS_CONSERVAR_DIAS * 24 * 60 * 60
        return super().create_job(
            *args,
            result_ttl=conservar if result_ttl is None else result_ttl,
            failure_ttl=conservar if failure_ttl is None else failure_ttl,
            **kwargs,
        )
