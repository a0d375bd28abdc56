"""Notices by e-mail: a month returned or reopened reaches its centre's staff, the day's
submissions reach the coordination as one digest, a reminder reaches the staff of centres that
have not submitted before the due day; each with its direct link, sent by the task queue
after the write commits, once, and never to a person who turned that kind off."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from centros.models import AvisoDesactivado, AvisoEnviado, ReporteMensual, TipoDeAviso
from centros.services import (
    mes_devuelto_avisar,
    recordatorios_enviar,
    reporte_devolver,
    reporte_reabrir,
    resumen_diario_enviar,
)
from tests.factories import (
    CentroFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
    UserFactory,
)

E = ReporteMensual.Estado
PORTAL = "https://portal.casmul.test"


@pytest.fixture(autouse=True)
def _portal(settings):
    settings.PORTAL_URL = PORTAL
    settings.AVISO_DIAS_ANTES_DEL_PLAZO = 3


@pytest.fixture
def mundo(db):
    propio = CentroFactory(nombre_corto="CDI Propio", nombre="CDI Propio de Zamora Huayco")
    ajeno = CentroFactory(nombre_corto="CDI Ajeno")
    for centro in (propio, ajeno):
        OperacionAnualFactory(centro=centro, anio=2024)
    personal = UserFactory(roles=[Rol.PERSONAL_CENTRO], email="ana@casmul.test")
    sin_correo = UserFactory(roles=[Rol.PERSONAL_CENTRO], email="")
    propio.personal_asignado.add(personal, sin_correo)
    del_otro = UserFactory(roles=[Rol.PERSONAL_CENTRO], email="otro@casmul.test")
    ajeno.personal_asignado.add(del_otro)
    coordinacion = UserFactory(roles=[Rol.COORDINACION], email="coord@casmul.test")
    return {
        "propio": propio,
        "ajeno": ajeno,
        "personal": personal,
        "del_otro": del_otro,
        "coordinacion": coordinacion,
    }


def _devolver(mundo, django_capture_on_commit_callbacks, motivo="Revise las raciones"):
    reporte = ReporteMensualFactory(centro=mundo["propio"], anio=2024, mes=3, estado=E.ENVIADO)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reporte_devolver(
            reporte=reporte, version=reporte.version, motivo=motivo, usuario=mundo["coordinacion"]
        )
    return reporte, callbacks


def test_a_returned_month_reaches_its_centre_s_staff_with_the_reason_and_the_link(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    reporte, callbacks = _devolver(mundo, django_capture_on_commit_callbacks)

    assert len(callbacks) == 1  # enqueued when the return commits, not inside it
    assert [correo.to for correo in mailoutbox] == [["ana@casmul.test"]]
    correo = mailoutbox[0]
    assert correo.subject == "[CASMUL] Devuelto: CDI Propio, marzo de 2024"
    assert "«Revise las raciones»" in correo.body
    assert f"{PORTAL}{reverse('centros:mes', args=[reporte.centro_id, 2024, 3])}" in correo.body
    assert f"{PORTAL}{reverse('mis_avisos')}" in correo.body


def test_the_reason_is_sent_as_typed_not_escaped_for_a_web_page(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    _devolver(mundo, django_capture_on_commit_callbacks, motivo="Niños <3 años & bebés")

    assert "«Niños <3 años & bebés»" in mailoutbox[0].body


def test_a_reopened_month_reaches_its_staff_too(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    reporte = ReporteMensualFactory(centro=mundo["propio"], anio=2024, mes=4, estado=E.APROBADO)
    with django_capture_on_commit_callbacks(execute=True):
        reporte_reabrir(reporte=reporte, motivo="Falta un niño", usuario=mundo["coordinacion"])

    assert [correo.subject for correo in mailoutbox] == [
        "[CASMUL] Reabierto: CDI Propio, abril de 2024"
    ]
    assert "reabrió abril de 2024" in mailoutbox[0].body and "«Falta un niño»" in mailoutbox[0].body


def test_nothing_is_sent_to_whoever_turned_the_notice_off(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    AvisoDesactivado.objects.create(usuario=mundo["personal"], tipo=TipoDeAviso.DEVUELTO)

    _devolver(mundo, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_a_retried_notice_is_not_sent_twice_and_a_moved_on_month_sends_none(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    reporte, _ = _devolver(mundo, django_capture_on_commit_callbacks)
    reporte.refresh_from_db()

    otra_vez = mes_devuelto_avisar(reporte_id=reporte.pk, version=reporte.version)
    antigua = mes_devuelto_avisar(reporte_id=reporte.pk, version=reporte.version - 1)

    assert (otra_vez, antigua) == (0, 0)
    assert len(mailoutbox) == 1


def test_a_failed_send_is_recorded_as_not_sent_so_that_the_retry_sends_it(
    mundo, mailoutbox, django_capture_on_commit_callbacks
):
    reporte = ReporteMensualFactory(centro=mundo["propio"], anio=2024, mes=3, estado=E.ENVIADO)
    reporte_devolver(reporte=reporte, version=1, motivo="Revise", usuario=mundo["coordinacion"])
    reporte.refresh_from_db()

    with (
        mock.patch(
            "django.core.mail.EmailMessage.send", side_effect=ConnectionRefusedError("SMTP")
        ),
        pytest.raises(ConnectionRefusedError),
    ):
        mes_devuelto_avisar(reporte_id=reporte.pk, version=reporte.version)
    assert not AvisoEnviado.objects.exists()

    assert mes_devuelto_avisar(reporte_id=reporte.pk, version=reporte.version) == 1
    assert len(mailoutbox) == 1


def _enviado_el(centro, mes, momento):
    reporte = ReporteMensualFactory(centro=centro, anio=2024, mes=mes, estado=E.ENVIADO)
    ReporteMensual.objects.filter(pk=reporte.pk).update(enviado_en=momento)
    return reporte


def _a_las(dia: datetime.date, hora: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(dia, datetime.time(hora)))


def test_the_coordination_gets_one_digest_of_the_day_s_submissions_with_their_links(
    mundo, mailoutbox
):
    dia = datetime.date(2024, 4, 8)
    marzo = _enviado_el(mundo["propio"], 3, _a_las(dia, 9))
    _enviado_el(mundo["ajeno"], 3, _a_las(dia, 23))  # late evening, local time: same day
    _enviado_el(mundo["ajeno"], 2, _a_las(dia - datetime.timedelta(days=1), 10))

    assert resumen_diario_enviar(fecha=dia) == 1
    assert resumen_diario_enviar(fecha=dia) == 0  # the second run of the day

    correo = mailoutbox[0]
    assert correo.to == ["coord@casmul.test"]
    assert correo.subject == "[CASMUL] 2 meses enviados el 08/04/2024 para revisar"
    assert (
        f"- CDI Propio, marzo de 2024: {PORTAL}{reverse('centros:revisar', args=[marzo.pk])}"
        in correo.body
    )
    assert "febrero" not in correo.body
    assert "En total esperan revisión 3 meses" in correo.body


def test_no_digest_on_a_day_without_submissions_nor_for_who_turned_it_off(mundo, mailoutbox):
    dia = datetime.date(2024, 4, 8)
    assert resumen_diario_enviar(fecha=dia) == 0

    _enviado_el(mundo["propio"], 3, _a_las(dia, 9))
    AvisoDesactivado.objects.create(usuario=mundo["coordinacion"], tipo=TipoDeAviso.RESUMEN)
    assert resumen_diario_enviar(fecha=dia) == 0
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("hoy", "enviados"),
    [
        (datetime.date(2024, 4, 6), 0),  # four days before the 10th
        (datetime.date(2024, 4, 7), 2),
        (datetime.date(2024, 4, 10), 2),  # the due day itself, if no earlier run sent it
        (datetime.date(2024, 4, 11), 0),  # late: the home pages and the matrix say so
    ],
)
def test_the_reminder_goes_in_the_days_before_the_due_day_to_centres_that_have_not_submitted(
    mundo, mailoutbox, hoy, enviados
):
    assert recordatorios_enviar(fecha=hoy) == enviados
    if enviados:
        destinatarios = sorted(correo.to[0] for correo in mailoutbox)
        assert destinatarios == ["ana@casmul.test", "otro@casmul.test"]
        correo = next(c for c in mailoutbox if c.to == ["ana@casmul.test"])
        assert correo.subject == "[CASMUL] Plazo de marzo de 2024: hasta el 10/04/2024"
        enlace = f"{PORTAL}{reverse('centros:mes', args=[mundo['propio'].pk, 2024, 3])}"
        assert f"- CDI Propio de Zamora Huayco: {enlace}" in correo.body
        assert "CDI Ajeno" not in correo.body


def test_the_reminder_skips_a_centre_that_submitted_and_is_sent_once_per_month(mundo, mailoutbox):
    ReporteMensualFactory(centro=mundo["ajeno"], anio=2024, mes=3, estado=E.ENVIADO)
    ReporteMensualFactory(centro=mundo["propio"], anio=2024, mes=3, estado=E.DEVUELTO)

    primero = recordatorios_enviar(fecha=datetime.date(2024, 4, 7))
    segundo = recordatorios_enviar(fecha=datetime.date(2024, 4, 8))

    assert (primero, segundo) == (1, 0)
    assert [correo.to for correo in mailoutbox] == [["ana@casmul.test"]]


def test_the_morning_command_enqueues_the_day_s_notices_for_the_worker(mundo, mailoutbox):
    _enviado_el(mundo["propio"], 3, _a_las(datetime.date(2024, 4, 6), 9))

    call_command("avisos_del_dia", "--fecha", "2024-04-07", stdout=mock.Mock())

    asuntos = sorted(correo.subject for correo in mailoutbox)
    assert asuntos == [
        "[CASMUL] 1 mes enviado el 06/04/2024 para revisar",
        "[CASMUL] Plazo de marzo de 2024: hasta el 10/04/2024",  # only the centre still owing
    ]


def test_each_person_chooses_the_notices_of_their_role(mundo):
    cliente = Client()
    cliente.force_login(mundo["personal"])
    url = reverse("mis_avisos")

    pagina = cliente.get(url).content.decode()
    respuesta = cliente.post(url, {TipoDeAviso.RECORDATORIO: "on"})

    assert TipoDeAviso.DEVUELTO.label in pagina and TipoDeAviso.RECORDATORIO.label in pagina
    assert TipoDeAviso.RESUMEN.label not in pagina
    assert respuesta.status_code == 302
    assert list(
        AvisoDesactivado.objects.filter(usuario=mundo["personal"]).values_list("tipo", flat=True)
    ) == [TipoDeAviso.DEVUELTO]
    despues = cliente.get(url).content.decode()
    assert '<input type="checkbox" name="devuelto" id="id_devuelto">' in despues
    assert 'name="recordatorio" id="id_recordatorio" checked>' in despues

    cliente.post(url, {TipoDeAviso.DEVUELTO: "on", TipoDeAviso.RECORDATORIO: "on"})
    assert not AvisoDesactivado.objects.exists()


def test_the_coordination_chooses_the_digest_and_a_person_without_e_mail_is_told(mundo):
    coordinacion = Client()
    coordinacion.force_login(mundo["coordinacion"])
    sin_correo = Client()
    sin_correo.force_login(UserFactory(roles=[Rol.PERSONAL_CENTRO], email=""))

    pagina = coordinacion.get(reverse("mis_avisos")).content.decode()
    aviso = sin_correo.get(reverse("mis_avisos")).content.decode()

    assert TipoDeAviso.RESUMEN.label in pagina and TipoDeAviso.DEVUELTO.label not in pagina
    assert "coord@casmul.test" in pagina
    assert "No tiene una dirección de correo registrada" in aviso
