"""Importing centres changes what defines an existing centre from a year on, as the admin's form
does (`centro_definir`): the file's «Desde el año», the year in course without it. The years
before keep their definition and their report; a change that reaches a year with approved
months is refused in the preview, naming the year and what to do, and nothing is written."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import Centro, LineaServicio, Modalidad, OperacionAnual
from centros.resources import centros_plantilla
from rendicion.selectors import informe_rendicion
from tests.factories import csv_de_excel

ENCABEZADOS = [
    "Número",
    "Nombre",
    "Nombre corto",
    "Código del área",
    "Modalidad",
    "Línea de servicio",
    "Parroquia",
    "Desde el año",
]
TITULO = "Centros del CASMUL"


@pytest.fixture
def admin(datos_2023):
    """The administration's user the command is told to write as."""
    return usuario_con_rol_guardar(
        username="admin", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
    )


@pytest.fixture
def centro_4(datos_2023):
    """Centre 4 (Convenio MIES, every month of 2023 approved), going on in 2024."""
    centro = Centro.objects.select_related("area", "parroquia").get(numero=4)
    OperacionAnual.objects.get_or_create(centro=centro, anio=2024)
    return centro


def _fila(centro: Centro, *, modalidad: str, desde) -> tuple:
    return (
        centro.numero,
        centro.nombre,
        centro.nombre_corto,
        centro.area.codigo,
        modalidad,
        LineaServicio(centro.linea_servicio).label,
        centro.parroquia.nombre,
        desde,
    )


def _archivo(tmp_path, *filas, encabezados=ENCABEZADOS) -> str:
    ruta = tmp_path / "centros.csv"
    ruta.write_bytes(csv_de_excel(TITULO, encabezados, *filas))
    return str(ruta)


def _importar(ruta: str, errores: io.StringIO, *, confirmar: bool = True) -> str:
    """`manage.py importar centros <ruta> --usuario admin [--confirmar]`: what it prints (its
    refused rows go to `errores`)."""
    salida = io.StringIO()
    opciones = ["--confirmar"] if confirmar else []
    call_command(
        "importar", "centros", ruta, "--usuario", "admin", *opciones, stdout=salida, stderr=errores
    )
    return salida.getvalue()


def _informe_2023():
    """What the 2023 report says of child care: each centre's modality and mark, the counts
    by modality and the users."""
    tabla = informe_rendicion(anio=2023).desarrollo_infantil
    return (
        [
            (fila.numero, fila.modalidad, fila.marca_modalidad, fila.usuarios)
            for fila in tabla.filas
        ],
        tabla.por_modalidad_mies,
        tabla.por_modalidad_directa,
        tabla.total,
    )


def _pagina_2023(admin) -> bytes:
    """The 2023 report as its page shows it, without what changes at every request (the CSP
    nonce, the CSRF token)."""
    cliente = Client()
    cliente.force_login(admin)
    respuesta = cliente.get(reverse("rendicion:informe", args=[2023]))
    assert respuesta.status_code == 200
    return re.sub(rb'(nonce|value)="[^"]*"', rb'\1=""', respuesta.content)


def _foto():
    return (
        list(Centro.objects.order_by("pk").values()),
        list(OperacionAnual.objects.order_by("pk").values()),
        OperacionAnual.history.count(),
    )


def test_a_change_from_2024_keeps_2023_and_its_report(admin, centro_4, tmp_path):
    # Given: the 2023 report, with centre 4 under agreement with the MIES.
    informe = _informe_2023()
    assert (4, Modalidad.CONVENIO_MIES, "**") in [fila[:3] for fila in informe[0]]

    # When: a file makes it run by the CASMUL from 2024 on.
    errores = io.StringIO()
    salida = _importar(
        _archivo(tmp_path, _fila(centro_4, modalidad="Financiado por el CASMUL", desde=2024)),
        errores,
    )

    # Then: imported; the centre is now run by the CASMUL, 2024 follows it, 2023 keeps its
    # modality and the 2023 report does not change.
    assert errores.getvalue() == ""
    assert "Fila 3: actualizada" in salida
    assert "Importado: 0 nuevas, 1 actualizadas" in salida
    centro_4.refresh_from_db()
    assert centro_4.modalidad == Modalidad.DIRECTA
    anio_2023 = OperacionAnual.objects.get(centro=centro_4, anio=2023)
    assert (anio_2023.definicion_propia, anio_2023.modalidad) == (True, Modalidad.CONVENIO_MIES)
    assert anio_2023.history.latest().history_user == admin
    assert not OperacionAnual.objects.get(centro=centro_4, anio=2024).definicion_propia
    assert _informe_2023() == informe


def test_a_change_from_2024_leaves_the_2023_report_page_as_it_was(admin, centro_4, tmp_path):
    pagina = _pagina_2023(admin)

    _importar(
        _archivo(tmp_path, _fila(centro_4, modalidad="Financiado por el CASMUL", desde=2024)),
        io.StringIO(),
    )

    assert _pagina_2023(admin) == pagina


def test_without_the_column_a_change_applies_from_the_year_in_course(centro_4, admin, tmp_path):
    fila = _fila(centro_4, modalidad="Financiado por el CASMUL", desde=None)[:-1]

    _importar(_archivo(tmp_path, fila, encabezados=ENCABEZADOS[:-1]), io.StringIO())

    centro_4.refresh_from_db()
    assert centro_4.modalidad == Modalidad.DIRECTA
    propias = OperacionAnual.objects.filter(centro=centro_4, definicion_propia=True)
    assert sorted(propias.values_list("anio", "modalidad")) == [
        (anio, Modalidad.CONVENIO_MIES)
        for anio in (2022, 2023, 2024)
        if anio < timezone.localdate().year
    ]


def test_a_change_that_reaches_an_approved_year_is_refused_and_changes_nothing(
    admin, centro_4, tmp_path
):
    antes, informe, pagina = _foto(), _informe_2023(), _pagina_2023(admin)
    ruta = _archivo(tmp_path, _fila(centro_4, modalidad="Financiado por el CASMUL", desde=2023))
    errores = io.StringIO()

    with pytest.raises(CommandError) as error:
        _importar(ruta, errores)

    assert error.value.returncode == 1
    assert "No se importó ninguna fila" in str(error.value)
    rechazo = errores.getvalue()
    assert rechazo.startswith(
        "Fila 3 rechazada: desde_el_anio: CDI Estrellitas iluminando el futuro ya tiene el "
        "informe de 2023 calculado con su definición (meses aprobados o informe publicado)."
    )
    assert "elija «Desde el año» 2024" in rechazo
    assert "haga ese cambio en la ficha del centro, en la administración" in rechazo
    assert _foto() == antes
    assert _informe_2023() == informe
    assert _pagina_2023(admin) == pagina


def test_the_portal_s_preview_shows_the_refused_row(admin, centro_4):
    cliente = Client()
    cliente.force_login(admin)
    antes = _foto()
    contenido = csv_de_excel(
        TITULO, ENCABEZADOS, _fila(centro_4, modalidad="Financiado por el CASMUL", desde=2023)
    )

    respuesta = cliente.post(
        reverse("importar_tipo", args=["centros"]),
        {"archivo": SimpleUploadedFile("centros.csv", contenido)},
    )

    rechazadas = respuesta.context["resumen"].rechazadas
    assert [(fila.numero, fila.encabezado) for fila in rechazadas] == [(3, "Desde el año")]
    assert "informe de 2023" in rechazadas[0].mensaje
    assert respuesta.context["confirmacion"] is None
    assert "elija «Desde el año» 2024" in respuesta.content.decode()
    assert _foto() == antes


@pytest.mark.parametrize("texto", ["dos mil", "24", "2024,5"])
def test_a_year_that_is_not_one_refuses_the_row_in_spanish(admin, centro_4, tmp_path, texto):
    ruta = _archivo(tmp_path, _fila(centro_4, modalidad="Financiado por el CASMUL", desde=texto))
    errores = io.StringIO()

    with pytest.raises(CommandError):
        _importar(ruta, errores, confirmar=False)

    assert errores.getvalue() == (
        f"Fila 3 rechazada: desde_el_anio: «{texto}» no es un año: escriba desde qué año rige "
        "el cambio, con cuatro cifras (2000 o posterior), o deje la celda vacía para el año en "
        "curso.\n"
    )


def test_the_template_has_the_column_with_the_year_in_course(db):
    assert centros_plantilla()[0][-1] == timezone.localdate().year


def test_the_import_page_says_what_a_file_without_the_column_does(admin):
    cliente = Client()
    cliente.force_login(admin)

    pagina = cliente.get(reverse("importar_tipo", args=["centros"])).content.decode()

    assert "sin «Desde el año», los cambios rigen desde el año en curso" in pagina
