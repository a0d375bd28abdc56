"""The portal's import page (`/importar/`): the kinds a role imports, each with its columns,
template and reference; upload → preview (nothing written) → confirmation (all rows or none),
the file kept on the server between the two steps behind a signed token bound to the user and
the kind."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casmul.hojas import FILAS_MAXIMO, importable
from casmul.hojas import portal as hojas
from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from centros.models import CifraMensual, ReporteMensual
from presupuesto.models import LineaPresupuestaria
from tests.factories import (
    AreaFactory,
    ReporteMensualFactory,
    csv_de_excel,
)

E = ReporteMensual.Estado
ENCABEZADOS = ["Centro", "Año", "Mes", "Indicador", "Valor"]
TITULO = "Cifras mensuales 2023"
URL_INDICE = reverse("importar_indice")
URL_CIFRAS = reverse("importar_tipo", args=["cifras"])
URL_CONFIRMAR = reverse("importar_confirmar", args=["cifras"])
FILAS = [
    (1001, 2023, 1, "usuarios", "2.500"),
    (1001, 2023, 1, "ingresos", "8.456,25"),
    (1001, 2023, 2, "usuarios", 2600),
]


def _cliente(usuario) -> Client:
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


def _usuario(rol: Rol):
    return usuario_con_rol_guardar(
        username=f"u-{rol.name.lower()}", password="clave-de-prueba-1", rol=rol
    )


def _csv(*filas, nombre="cifras.csv"):
    return SimpleUploadedFile(nombre, csv_de_excel(TITULO, ENCABEZADOS, *filas))


def _subir(cliente, *filas, url=URL_CIFRAS, archivo=None):
    return cliente.post(url, {"archivo": archivo or _csv(*filas)})


def _token(vista_previa) -> str:
    return vista_previa.context["confirmacion"].initial["token"]


def _foto():
    return (
        list(ReporteMensual.objects.order_by("pk").values_list("pk", "estado", "version")),
        list(CifraMensual.objects.order_by("pk").values_list("pk", "valor")),
        CifraMensual.history.count(),
    )


def _guardados() -> list[Path]:
    carpeta = Path(settings.IMPORTACIONES_ROOT)
    return sorted(carpeta.iterdir()) if carpeta.exists() else []


def _texto(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Upload, preview, confirmation --------------------------------------------------------------


def test_staff_import_their_centre_s_figures_from_a_windows_1252_csv(datos):
    cliente = _cliente(datos.personal)

    vista_previa = _subir(cliente, *FILAS)

    assert vista_previa.status_code == 200
    resumen = vista_previa.context["resumen"]
    assert (resumen.nuevas, resumen.actualizadas, resumen.sin_cambios) == (3, 0, 0)
    assert resumen.rechazadas == ()
    html = vista_previa.content.decode()
    assert 'data-cuenta="nuevas">3<' in html
    assert "Confirmar la importación" in html

    respuesta = cliente.post(URL_CONFIRMAR, {"token": _token(vista_previa)}, follow=True)

    assert respuesta.redirect_chain[-1][0] == URL_CIFRAS
    assert "Importación terminada: 3 filas nuevas, 0 actualizadas y 0 sin cambios." in (
        respuesta.content.decode()
    )
    enero = ReporteMensual.objects.get(centro=datos.propio, anio=2023, mes=1)
    assert {c: str(v) for c, v in enero.cifras.values_list("indicador__codigo", "valor")} == {
        "usuarios": "2500.00",
        "ingresos": "8456.25",
    }
    assert enero.estado == E.BORRADOR
    cifra = enero.cifras.get(indicador=datos.usuarios)
    assert cifra.history.latest().history_user == datos.personal
    assert cifra.history.latest().history_change_reason == "Importado desde «cifras.csv»"
    # The kept file is spent with the import.
    assert _guardados() == []


def test_the_preview_writes_nothing_and_keeps_the_file_out_of_the_token(datos):
    antes = _foto()

    vista_previa = _subir(_cliente(datos.personal), *FILAS)

    assert _foto() == antes
    (guardado,) = _guardados()
    assert guardado.read_bytes() == csv_de_excel(TITULO, ENCABEZADOS, *FILAS)
    # The form carries only a signed reference to the file, not its content.
    datos_token = signing.loads(_token(vista_previa), salt="casmul.hojas.importacion")
    assert datos_token == {
        "archivo": guardado.name,
        "tipo": "cifras",
        "usuario": datos.personal.pk,
        "nombre": "cifras.csv",
        "filas": 3,
    }


def test_a_row_of_another_centre_refuses_the_whole_file_and_names_its_row(datos):
    antes = _foto()

    respuesta = _subir(_cliente(datos.personal), *FILAS, (1002, 2023, 1, "visitas", 12))

    resumen = respuesta.context["resumen"]
    assert [(f.numero, f.encabezado, f.mensaje) for f in resumen.rechazadas] == [
        (6, "Centro", "El centro 1002 no es uno de sus centros.")
    ]
    assert respuesta.context["confirmacion"] is None
    assert "Confirmar la importación" not in respuesta.content.decode()
    assert _foto() == antes
    assert _guardados() == []


def test_the_page_shows_a_refused_row_s_reason_as_text_in_a_table(datos):
    respuesta = _subir(
        _cliente(datos.personal), *FILAS, (1001, 2023, 13, "usuarios", 1), (1001, 2023, 3, "", 1)
    )

    html = respuesta.content.decode()
    tabla = html[html.index('class="tabla filas-rechazadas"') :]
    tabla = tabla[: tabla.index("</table>")]
    assert "<td>Escriba el mes como un número del 1 al 12.</td>" in tabla
    assert "<td>Escriba el código del indicador.</td>" in tabla
    assert re.search(r'<td class="num">6</td>\s*<td>Mes</td>', tabla)
    assert re.search(r'<td class="num">7</td>\s*<td>Indicador</td>', tabla)
    # Never behind a hover, never a Python list or a library's English.
    for ajeno in ("title=", "['", "Traceback", "Errors", "Line number"):
        assert ajeno not in tabla
    assert "No se puede importar este archivo" in html
    assert 'data-cuenta="rechazadas">2<' in html


def test_the_user_s_text_is_escaped(datos):
    respuesta = _subir(
        _cliente(datos.personal),
        (1001, 2023, 1, "<script>alert(1)</script>", 1),
        archivo=None,
    )

    html = respuesta.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_unreadable_file_is_refused_in_spanish_before_any_preview(datos):
    cliente = _cliente(datos.personal)

    pdf = _subir(cliente, archivo=SimpleUploadedFile("cifras.pdf", b"%PDF-1.7"))
    sin_columnas = _subir(
        cliente, archivo=SimpleUploadedFile("cifras.csv", b"Centro;Mes\r\n1001;1\r\n")
    )

    sin_archivo = cliente.post(URL_CIFRAS, {})

    assert "Elija el archivo que va a importar." in sin_archivo.content.decode()
    assert "no es una hoja de cálculo CSV ni XLSX" in pdf.content.decode()
    assert pdf.context["resumen"] is None
    assert "Faltan las columnas «Año», «Indicador», «Valor»" in _texto(
        sin_columnas.content.decode()
    )
    assert _guardados() == []


def test_more_than_the_row_limit_is_refused_before_importing(datos):
    filas = "\r\n".join(["Centro;Año;Mes;Indicador;Valor"] + ["1001;2023;1;usuarios;1"] * 100_001)
    archivo = SimpleUploadedFile("cifras.csv", filas.encode("cp1252"))
    antes = _foto()

    respuesta = _subir(_cliente(datos.personal), archivo=archivo)

    assert FILAS_MAXIMO == 100_000
    assert "El archivo tiene más de 100.000 filas de datos" in respuesta.content.decode()
    assert respuesta.context["resumen"] is None
    assert _foto() == antes


# --- The token and the kept file ----------------------------------------------------------------


def _confirmar_y_seguir(cliente, token):
    return cliente.post(URL_CONFIRMAR, {"token": token}, follow=True)


def test_a_tampered_token_imports_nothing_and_says_so(datos):
    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))
    antes = _foto()

    respuesta = _confirmar_y_seguir(cliente, token[:-3] + ("abc" if token[-3:] != "abc" else "xyz"))

    assert respuesta.status_code == 200
    assert "no corresponde a una vista previa suya" in respuesta.content.decode()
    assert _foto() == antes


def test_a_token_signed_for_another_file_name_cannot_reach_outside_the_folder(datos):
    cliente = _cliente(datos.personal)
    falso = signing.dumps(
        {"archivo": "../../settings", "tipo": "cifras", "usuario": datos.personal.pk},
        salt="casmul.hojas.importacion",
    )

    respuesta = _confirmar_y_seguir(cliente, falso)

    assert "no corresponde a una vista previa suya" in respuesta.content.decode()


def test_another_user_s_or_another_kind_s_token_imports_nothing(datos):
    token = _token(_subir(_cliente(datos.personal), *FILAS))
    otro = usuario_con_rol_guardar(
        username="otra",
        password="clave-de-prueba-1",
        rol=Rol.PERSONAL_CENTRO,
        centro_ids=[datos.propio.pk],
    )
    antes = _foto()

    de_otro = _confirmar_y_seguir(_cliente(otro), token)
    otro_tipo = _cliente(datos.personal).post(
        reverse("importar_confirmar", args=["atenciones"]), {"token": token}, follow=True
    )

    for respuesta in (de_otro, otro_tipo):
        assert "no corresponde a una vista previa suya" in respuesta.content.decode()
    assert _foto() == antes


def test_an_expired_token_imports_nothing_and_says_so(datos, monkeypatch):
    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))
    antes = _foto()
    monkeypatch.setattr(hojas, "VIGENCIA_VISTA_PREVIA", -1)

    respuesta = _confirmar_y_seguir(cliente, token)

    assert "La vista previa caducó" in respuesta.content.decode()
    assert _foto() == antes


def test_a_missing_kept_file_imports_nothing_and_says_so(datos):
    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))
    for guardado in _guardados():
        guardado.unlink()
    antes = _foto()

    respuesta = _confirmar_y_seguir(cliente, token)

    assert "ya no está en el servidor" in respuesta.content.decode()
    assert _foto() == antes


def test_a_confirmation_sent_twice_imports_once(datos):
    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))

    _confirmar_y_seguir(cliente, token)
    despues = _foto()
    segunda = _confirmar_y_seguir(cliente, token)

    assert "ya no está en el servidor" in segunda.content.decode()
    assert _foto() == despues


def test_a_confirmation_without_token_says_so(datos):
    respuesta = _cliente(datos.personal).post(URL_CONFIRMAR, {}, follow=True)

    assert "no se importó nada" in respuesta.content.decode()


def test_a_month_approved_between_preview_and_confirmation_refuses_the_whole_file(datos):
    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))
    ReporteMensualFactory(centro=datos.propio, anio=2023, mes=2, estado=E.APROBADO)
    antes = _foto()

    respuesta = cliente.post(URL_CONFIRMAR, {"token": token})

    assert respuesta.status_code == 200
    html = respuesta.content.decode()
    assert "No se importó ninguna fila" in html
    assert "Este mes está aprobado" in html
    assert _foto() == antes
    assert _guardados() == []


def test_the_portal_failing_keeps_the_file_and_offers_to_retry_the_same_confirmation(
    datos, monkeypatch
):
    """The database busy or gone while importing is the portal's failure, not the clerk's: the
    result says so (never «filas que ya no son válidas»), writes nothing, and «Reintentar»
    imports the same file."""
    from django.db import OperationalError

    from centros import resources

    cliente = _cliente(datos.personal)
    token = _token(_subir(cliente, *FILAS))
    antes = _foto()
    original = resources.meses_importados_guardar

    def bloqueada(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(resources, "meses_importados_guardar", bloqueada)
    respuesta = cliente.post(URL_CONFIRMAR, {"token": token})

    html = _texto(respuesta.content.decode())
    assert respuesta.status_code == 200
    assert "no pudo importar el archivo por un problema propio" in html
    assert "Su archivo está bien y no se guardó nada" in html
    assert "ya no son válidas" not in html
    assert "Reintentar" in html
    assert _foto() == antes
    assert len(_guardados()) == 1

    monkeypatch.setattr(resources, "meses_importados_guardar", original)
    reintento = respuesta.context["reintentar"].initial["token"]
    _confirmar_y_seguir(cliente, reintento)

    assert CifraMensual.objects.filter(reporte__centro=datos.propio).count() == len(FILAS)
    assert _guardados() == []


# --- Submitting for review ----------------------------------------------------------------------


def test_staff_may_send_the_complete_months_for_review_on_confirming(datos):
    cliente = _cliente(datos.personal)
    vista_previa = _subir(cliente, *FILAS[:2])
    assert "Enviar a revisión los meses importados" in vista_previa.content.decode()

    respuesta = cliente.post(
        URL_CONFIRMAR, {"token": _token(vista_previa), "opcion_enviar": "on"}, follow=True
    )

    assert ReporteMensual.objects.get(centro=datos.propio, anio=2023, mes=1).estado == E.ENVIADO
    assert "Se envió a revisión 1 mes" in respuesta.content.decode()


def test_without_the_option_the_months_stay_drafts(datos):
    cliente = _cliente(datos.personal)

    cliente.post(URL_CONFIRMAR, {"token": _token(_subir(cliente, *FILAS[:2]))})

    assert ReporteMensual.objects.get(centro=datos.propio, anio=2023, mes=1).estado == E.BORRADOR


def test_the_option_is_offered_only_for_kinds_that_have_it(datos):
    AreaFactory(codigo="infancia")
    vista_previa = _subir(
        _cliente(_usuario(Rol.ADMINISTRACION)),
        url=reverse("importar_tipo", args=["lineas"]),
        archivo=SimpleUploadedFile("lineas.csv", _lineas_csv()),
    )

    assert list(vista_previa.context["confirmacion"].fields) == ["token"]


# --- Who imports what ----------------------------------------------------------------------------


def test_the_index_lists_what_staff_import_with_columns_templates_and_their_centres_codes(datos):
    respuesta = _cliente(datos.personal).get(URL_INDICE)

    assert respuesta.status_code == 200
    slugs = {tipo.slug for tipo, _ in respuesta.context["tipos"]}
    # Other apps may register more kinds for the staff; the administration's are not here.
    assert {"atenciones", "cifras"} <= slugs
    assert not slugs & {"centros", "lineas", "procesos"}
    html = respuesta.content.decode()
    assert reverse("importar_plantilla", args=["cifras"]) in html
    assert reverse("importar_plantilla", args=["atenciones"]) in html
    assert "<code>Especialidad</code>" in html  # the clinic's optional column
    texto = _texto(html)
    assert "Columnas obligatorias: Centro , Año , Mes , Indicador , Valor ." in texto
    assert "1001 Piscina usuarios Usuarios atendidos Personas" in texto
    assert "1001 Piscina ingresos Ingresos Dólares" in texto
    assert "visitas" not in texto and "Casa ajena" not in texto


def test_the_cifras_reference_is_each_centre_s_codes_limited_to_the_user_s_centres(datos):
    tipo = importable("cifras")

    propia = tipo.referencia_de(datos.personal)
    toda = tipo.referencia_de(_usuario(Rol.ADMINISTRACION))

    assert propia.encabezados == ("Centro", "Nombre del centro", "Indicador", "Nombre", "Unidad")
    assert [fila[:3] for fila in propia.filas] == [
        (1001, "Piscina", "usuarios"),
        (1001, "Piscina", "ingresos"),
    ]
    assert [fila[:3] for fila in toda.filas] == [
        (1001, "Piscina", "usuarios"),
        (1001, "Piscina", "ingresos"),
        (1002, "Casa ajena", "visitas"),
    ]


def test_the_administration_sees_every_kind(datos):
    respuesta = _cliente(_usuario(Rol.ADMINISTRACION)).get(URL_INDICE)

    # Other apps may register more kinds; these are all the administration's.
    slugs = {tipo.slug for tipo, _ in respuesta.context["tipos"]}
    assert {"atenciones", "centros", "cifras", "lineas", "procesos"} <= slugs


def test_the_coordination_gets_403_on_every_import_page(datos):
    cliente = _cliente(_usuario(Rol.COORDINACION))
    antes = _foto()

    respuestas = [
        cliente.get(URL_INDICE),
        cliente.get(URL_CIFRAS),
        _subir(cliente, *FILAS),
        cliente.post(URL_CONFIRMAR, {"token": "x"}),
    ]

    assert [r.status_code for r in respuestas] == [403, 403, 403, 403]
    assert _foto() == antes
    assert "Importar</a>" not in cliente.get(reverse("inicio")).content.decode()


@pytest.mark.parametrize("tipo", ["centros", "lineas", "procesos"])
def test_staff_get_403_on_the_administration_s_kinds(datos, tipo):
    cliente = _cliente(datos.personal)

    assert cliente.get(reverse("importar_tipo", args=[tipo])).status_code == 403
    assert cliente.post(reverse("importar_confirmar", args=[tipo])).status_code == 403


def test_an_unknown_kind_is_404_and_an_anonymous_visitor_is_asked_to_log_in(datos):
    assert _cliente(datos.personal).get(reverse("importar_tipo", args=["recetas"])).status_code == (
        404
    )
    for url in (URL_INDICE, URL_CIFRAS):
        respuesta = Client().get(url)
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("rol", "ve"), [(Rol.PERSONAL_CENTRO, True), (Rol.ADMINISTRACION, True)])
def test_the_navigation_links_the_import_page_for_staff_and_administration(datos, rol, ve):
    html = _cliente(_usuario(rol)).get(reverse("inicio")).content.decode()

    assert (f'href="{URL_INDICE}">Importar</a>' in html) is ve


def _lineas_csv() -> bytes:
    return csv_de_excel(
        "Cédula presupuestaria 2024",
        ["Año", "Código del área", "Partida", "Descripción", "Codificado"],
        (2024, "infancia", "73.08.11", "Material didáctico", "12.500,00"),
        (2024, "infancia", "73.08.01", "Alimentos", "$ 45.000,00"),
    )


def test_the_administration_imports_budget_lines(db):
    AreaFactory(codigo="infancia")
    cliente = _cliente(_usuario(Rol.ADMINISTRACION))
    url = reverse("importar_tipo", args=["lineas"])

    vista_previa = _subir(cliente, url=url, archivo=SimpleUploadedFile("l.csv", _lineas_csv()))
    assert vista_previa.context["resumen"].nuevas == 2
    assert LineaPresupuestaria.objects.count() == 0
    cliente.post(reverse("importar_confirmar", args=["lineas"]), {"token": _token(vista_previa)})

    assert sorted(LineaPresupuestaria.objects.values_list("descripcion", flat=True)) == [
        "Alimentos",
        "Material didáctico",
    ]


# --- Queries -----------------------------------------------------------------------------------


def _consultas_de_la_vista_previa(cliente, meses: int, django_assert_max_num_queries) -> int:
    filas = [
        (1001, 2023, mes, codigo, 10)
        for mes in range(1, meses + 1)
        for codigo in ("usuarios", "ingresos")
    ]
    with django_assert_max_num_queries(10_000) as consultas:
        respuesta = _subir(cliente, *filas)
    assert respuesta.context["resumen"].nuevas == 2 * meses
    return len(consultas.captured_queries)


def test_the_preview_s_queries_grow_at_most_linearly_with_the_rows(
    datos, django_assert_max_num_queries
):
    # Given: a clerk of the centre.
    cliente = _cliente(datos.personal)

    # When: files of 10 and of 20 rows (5 and 10 months) are previewed.
    diez = _consultas_de_la_vista_previa(cliente, 5, django_assert_max_num_queries)
    veinte = _consultas_de_la_vista_previa(cliente, 10, django_assert_max_num_queries)

    # Then: each extra row costs a bounded handful of statements (its month's opening and
    # closing, shared by two rows, and its write), and nothing grows with the references.
    por_fila = (veinte - diez) / 10
    assert por_fila <= 20
    assert diez - 10 * por_fila <= 40
