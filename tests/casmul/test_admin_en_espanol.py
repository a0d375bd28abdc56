"""The administration reads its admin in Spanish, the libraries' pages included: the
background tasks' record (its app, model, columns and states) and the errata's plural."""

import pytest
from django.test import Client
from django.urls import reverse

from casmul.roles import Rol
from rendicion.tareas import informe_pdf_tarea
from tests.factories import UserFactory


@pytest.fixture
def administracion(db):
    cliente = Client()
    # The demo's «admin» is a superuser: it sees every app, the tasks' record included.
    cliente.force_login(UserFactory(roles=[Rol.ADMINISTRACION], is_staff=True, is_superuser=True))
    return cliente


def test_the_admin_index_names_the_tasks_and_the_errata_in_spanish(administracion):
    html = administracion.get(reverse("admin:index")).content.decode()

    assert "Tareas en segundo plano" in html and "Resultados de tareas" in html
    assert "Fe de erratas" in html
    for ingles in ("Tasks Database Backend", "Task Results", "Fes de erratas"):
        assert ingles not in html


def test_the_tasks_page_has_spanish_columns_and_states(administracion, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    informe_pdf_tarea.using(backend="default").enqueue(anio=2023, borrador=False, usuario_id=1)

    html = administracion.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
    ).content
    html = html.decode()

    for columna in ("Tarea", "Estado", "En cola desde", "Comenzó", "Terminó", "Prioridad"):
        assert f">{columna}<" in html, columna
    assert "En cola" in html  # the state of the task just enqueued, and the filter's
    for ingles in ("Task name", "Enqueued at", "Ready", "Successful", "Queue name"):
        assert ingles not in html, ingles
