"""One reader of figures (es-EC) at every door: the reader itself, a centre's month form, the
clinic's grid, the spreadsheet import and the admin's money fields read the same table of cases
the same way. Where doors differ it is only by the kind of figure, and the table says so."""

import re
from decimal import Decimal

import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from casmul.admin_montos import MontoField
from casmul.meses import Mes
from casmul.numeros import Clase, numero_leer, numero_validar
from centros.forms import CifrasMesForm
from centros.models import CifraMensual, Indicador, LineaServicio, ReporteMensual
from centros.resources import CifraMensualResource
from centros.selectors.mensual import formulario_mensual
from presupuesto.models import GastoComun, LineaPresupuestaria
from salud.forms import AtencionesMesForm
from salud.models import AtencionClinica, Servicio
from salud.selectors import formulario_clinica
from tests.factories import (
    AreaFactory,
    AtencionClinicaFactory,
    CentroFactory,
    CifraMensualFactory,
    IndicadorCentroFactory,
    IndicadorFactory,
    LineaPresupuestariaFactory,
    OperacionAnualFactory,
    ReporteMensualFactory,
)

D = Decimal
P, S, M = Clase.PERSONAS, Clase.SERVICIOS, Clase.DINERO

# What is typed (or what a spreadsheet cell holds), the kind of figure, and the figure read
# (None: nothing written) or the code of the refusal.
CASOS = [
    ("0", P, D("0")),
    ("7", S, D("7")),
    ("7", M, D("7")),
    # People and services come whole: a dot can only group thousands.
    ("4.321", P, D("4321")),
    ("4.321", S, D("4321")),
    ("1.250", P, D("1250")),
    # Money: 1.250 could be 1250 dollars or 1,25 typed with a decimal point.
    ("1.250", M, "ambiguo"),
    ("1.250.000", M, D("1250000")),
    ("1.250,50", M, D("1250.50")),
    ("1.250,00", M, D("1250.00")),
    ("1.234,56", M, D("1234.56")),
    ("$1.234,56", M, D("1234.56")),
    ("$ 1.234,56", M, D("1234.56")),
    ("$12", P, "invalido"),
    ("1.234.567", M, D("1234567")),
    ("1.234.567", S, "maximo"),
    # Decimals: money up to cents, counts none (zero decimals are the same whole number).
    ("12,5", M, D("12.5")),
    ("12,5", P, "decimales"),
    ("12,5", S, "decimales"),
    ("36,00", P, D("36")),
    # 1,230 could be $1,23 or 1230 from an English sheet; 1,234 has a third decimal.
    ("1,230", M, "ambiguo"),
    ("1,234", M, "centavos"),
    ("1,2345", M, "centavos"),
    ("1.234,500", M, D("1234.50")),
    ("1,234", P, "decimales"),
    # A dot that does not group thousands is not a decimal point.
    ("12.5", M, "punto"),
    ("12.5", P, "punto"),
    ("0.123", S, "punto"),
    ("1.23.456", M, "punto"),
    ("1,234.56", M, "punto"),
    # What Python or a spreadsheet would read but a person does not write.
    ("1e3", P, "invalido"),
    ("1E+2", M, "invalido"),
    ("1_000", S, "invalido"),
    ("+5", P, "invalido"),
    ("１２", P, "invalido"),
    ("١٢", M, "invalido"),
    ("1 000", P, "invalido"),
    (",5", M, "invalido"),
    ("abc", P, "invalido"),
    (" 12 ", P, D("12")),
    ("-5", P, "negativo"),
    ("-5", M, "negativo"),
    # Upper bounds: the bound itself is accepted.
    ("100.000", P, D("100000")),
    ("100.001", P, "maximo"),
    ("2.147.483.648", P, "maximo"),
    ("1.000.000", S, D("1000000")),
    ("1.000.001", S, "maximo"),
    ("100.000.000,00", M, D("100000000.00")),
    ("100.000.000,01", M, "maximo"),
    ("999.999.999.999", M, "maximo"),
    ("", P, None),
    ("   ", M, None),
    # Cells that already hold a number.
    (12, P, D("12")),
    (12.0, S, D("12")),
    (12.5, M, D("12.5")),
    (12.5, P, "decimales"),
    (D("1234.56"), M, D("1234.56")),
    (-3, M, "negativo"),
    (True, P, "invalido"),
]


def _casos(*clases, solo_texto=False):
    return [
        pytest.param(entrada, clase, esperado, id=f"{entrada!r}-{clase.name.lower()}")
        for entrada, clase, esperado in CASOS
        if clase in clases and (isinstance(entrada, str) or not solo_texto)
    ]


def _rechazo(entrada, clase) -> list[str]:
    """The messages the reader gives for `entrada`, which every door must show."""
    with pytest.raises(ValidationError) as error:
        numero_leer(entrada, clase=clase)
    return error.value.messages


def _codigo(form, campo) -> str:
    return form.errors.as_data()[campo][0].code


# --- The reader ----------------------------------------------------------------------------


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, S, M))
def test_the_reader_reads_or_refuses_each_case(entrada, clase, esperado):
    if isinstance(esperado, str):
        with pytest.raises(ValidationError) as error:
            numero_leer(entrada, clase=clase)
        assert error.value.code == esperado
        assert error.value.messages[0].endswith(".")
    else:
        assert numero_leer(entrada, clase=clase) == esperado


def test_ambiguous_money_says_how_to_write_it():
    assert _rechazo("1.250", M) == [
        "«1.250» es ambiguo: escriba 1250 o 1.250,00 si el punto separa los miles, o 1,25 si "
        "separa los decimales."
    ]


def test_a_comma_before_three_digits_in_money_says_how_to_write_it():
    assert _rechazo("1,250", M) == [
        "«1,250» es ambiguo: escriba 1,25 si la coma separa los decimales, o 1.250,00 si separa "
        "los miles."
    ]


def test_money_with_a_third_zero_decimal_is_kept_with_two():
    assert numero_leer("1.234,500", clase=M).as_tuple().exponent == -2


def test_a_dot_in_money_says_that_the_comma_marks_the_decimals():
    assert _rechazo("12.5", M) == [
        "El punto solo separa los miles, de tres en tres cifras (1.234); los decimales se "
        "escriben con coma (12,50)."
    ]


@pytest.mark.parametrize(
    ("entrada", "clase", "mensaje"),
    [
        ("100.001", P, "La cifra no puede pasar de 100.000: revise lo escrito."),
        ("1.000.001", S, "La cifra no puede pasar de 1.000.000: revise lo escrito."),
        ("100.000.001", M, "El valor no puede pasar de $100.000.000,00: revise lo escrito."),
    ],
)
def test_the_upper_bound_is_named_in_ecuadorian_format(entrada, clase, mensaje):
    assert _rechazo(entrada, clase) == [mensaje]


@pytest.mark.parametrize(
    ("valor", "clase", "codigo"),
    [
        (D("-0.01"), M, "negativo"),
        (D("NaN"), P, "invalido"),
        (D("Infinity"), M, "invalido"),
        (D("2.5"), S, "decimales"),
        (D("0.001"), M, "centavos"),
        (D("100001"), P, "maximo"),
        (D("1E+30"), M, "maximo"),
    ],
)
def test_values_that_never_were_text_obey_the_same_rules(valor, clase, codigo):
    with pytest.raises(ValidationError) as error:
        numero_validar(valor, clase=clase)

    assert error.value.code == codigo


def test_every_indicator_unit_names_a_kind():
    clases = {unidad: Clase.de_unidad(unidad) for unidad in Indicador.Unidad.values}

    assert clases == {"personas": P, "servicios": S, "dolares": M}


# --- A centre's month form -----------------------------------------------------------------

INDICADOR_DE = {P: "usuarios", S: "atenciones", M: "ingresos"}
UNIDAD_DE = {
    P: Indicador.Unidad.PERSONAS,
    S: Indicador.Unidad.SERVICIOS,
    M: Indicador.Unidad.DOLARES,
}


@pytest.fixture
def centro(db):
    """A centre open in 2023 that reports one figure of each kind."""
    centro = CentroFactory()
    OperacionAnualFactory(centro=centro, anio=2023)
    for orden, (clase, codigo) in enumerate(INDICADOR_DE.items()):
        indicador = IndicadorFactory(codigo=codigo, unidad=UNIDAD_DE[clase])
        IndicadorCentroFactory(centro=centro, indicador=indicador, orden=orden)
    return centro


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, S, M, solo_texto=True))
def test_the_month_form_reads_each_case_like_the_reader(centro, entrada, clase, esperado):
    campo = CifrasMesForm.PREFIJO + INDICADOR_DE[clase]
    form = CifrasMesForm(
        {"version": "0", "accion": "borrador", campo: entrada},
        formulario=formulario_mensual(centro=centro, mes=Mes(2023, 1)),
    )

    if isinstance(esperado, str):
        assert not form.is_valid()
        assert _codigo(form, campo) == esperado
        assert form.errors[campo] == _rechazo(entrada, clase)
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data[campo] == esperado


# --- The clinic's grid (patients are persons) ----------------------------------------------


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, solo_texto=True))
def test_the_clinic_grid_reads_each_case_like_the_reader(db, entrada, clase, esperado):
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD)
    campo = "pacientes_emergencia_sin"
    form = AtencionesMesForm(
        {"version": "0", "accion": "borrador", campo: entrada},
        formulario=formulario_clinica(centro=clinica, mes=Mes(2023, 1)),
    )

    if isinstance(esperado, str):
        assert not form.is_valid()
        assert _codigo(form, campo) == esperado
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data[campo] == esperado


# --- The spreadsheet import ----------------------------------------------------------------


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, S, M))
def test_the_import_reads_each_cell_like_the_reader_and_a_refused_row_writes_nothing(
    centro, entrada, clase, esperado
):
    codigo = INDICADOR_DE[clase]
    archivo = tablib.Dataset(
        (centro.numero, 2023, 1, codigo, entrada),
        headers=["centro", "anio", "mes", "indicador", "valor"],
    )

    recurso = CifraMensualResource()
    resultado = recurso.import_data(archivo, dry_run=False)

    if esperado is None:
        # An empty cell is a figure left for later (a template of several centres): the row
        # is passed over, not refused, and writes nothing.
        assert not resultado.has_validation_errors()
        assert recurso.filas_sin_valor == [1]
        assert (CifraMensual.objects.count(), ReporteMensual.objects.count()) == (0, 0)
    elif isinstance(esperado, str):
        errores = {fila.number: fila.error_dict for fila in resultado.invalid_rows}
        assert errores == {1: {"valor": [" ".join(_rechazo(entrada, clase))]}}
        assert (CifraMensual.objects.count(), ReporteMensual.objects.count()) == (0, 0)
    else:
        assert not resultado.has_validation_errors()
        assert CifraMensual.objects.get(indicador__codigo=codigo).valor == esperado


# --- The admin's money fields --------------------------------------------------------------


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(M))
def test_the_admin_money_field_reads_each_case_like_the_reader(entrada, clase, esperado):
    campo = MontoField(max_digits=14, decimal_places=2, required=False)

    if isinstance(esperado, str):
        with pytest.raises(ValidationError) as error:
            campo.clean(entrada)
        assert error.value.code == esperado
    else:
        assert campo.clean(entrada) == esperado


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(M, solo_texto=True))
def test_the_budget_line_admin_form_reads_each_case_like_the_reader(
    admin_user, entrada, clase, esperado
):
    request = RequestFactory().get("/")
    request.user = admin_user
    Formulario = admin.site._registry[LineaPresupuestaria].get_form(request)
    datos = {"anio": "2023", "area": AreaFactory().pk, "descripcion": "Línea", "codificado": "1"}
    form = Formulario({**datos, "ejecutado": entrada})

    if isinstance(esperado, str):
        assert not form.is_valid()
        assert _codigo(form, "ejecutado") == esperado
    else:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["ejecutado"] == esperado


def _agregar_gasto(admin_client, monto):
    return admin_client.post(
        reverse("admin:presupuesto_gastocomun_add"),
        {"anio": "2023", "concepto": "Alimentación", "descripcion": "", "monto": monto},
    )


@pytest.mark.parametrize(
    ("escrito", "guardado"),
    [
        ("1.234,56", D("1234.56")),
        ("123.456,78", D("123456.78")),
        ("123456,78", D("123456.78")),
        ("$196.758,60", D("196758.60")),
    ],
)
def test_an_amount_saved_through_the_admin_is_stored_as_typed(admin_client, escrito, guardado):
    respuesta = _agregar_gasto(admin_client, escrito)

    assert respuesta.status_code == 302
    assert GastoComun.objects.get().monto == guardado


def test_an_ambiguous_amount_is_refused_in_the_admin_and_nothing_is_saved(admin_client):
    respuesta = _agregar_gasto(admin_client, "1.250")

    assert respuesta.status_code == 200
    assert "«1.250» es ambiguo: escriba 1250 o 1.250,00" in respuesta.content.decode()
    assert not GastoComun.objects.exists()


def test_the_admin_shows_a_stored_amount_in_a_text_input_the_ecuadorian_way(admin_client):
    linea = LineaPresupuestariaFactory(codificado=D("1234.56"), ejecutado=None)

    html = admin_client.get(
        reverse("admin:presupuesto_lineapresupuestaria_change", args=[linea.pk])
    ).content.decode()

    campo = re.search(r'<input[^>]*name="codificado"[^>]*>', html).group(0)
    assert 'type="text"' in campo
    assert 'value="1.234,56"' in campo
    assert 'inputmode="decimal"' in campo


def test_the_admin_changelist_shows_money_columns_with_dollar_sign(admin_client):
    LineaPresupuestariaFactory(codificado=D("1234.56"), ejecutado=D("1000"))

    html = admin_client.get(reverse("admin:presupuesto_lineapresupuestaria_changelist"))

    contenido = html.content.decode()
    assert "$1.234,56" in contenido
    assert "$1.000,00" in contenido


# --- The admin's figure inputs (a monthly figure, the clinic's patients) ------------------------


def _formulario_del_admin(respuesta):
    return respuesta.context["adminform"].form


@pytest.fixture
def borrador(centro):
    """A draft month of 2023 of the centre that reports one figure of each kind."""
    return ReporteMensualFactory(centro=centro, anio=2023, mes=1)


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, S, M, solo_texto=True))
def test_the_monthly_figure_admin_form_reads_each_case_like_the_reader(
    admin_client, borrador, entrada, clase, esperado
):
    indicador = Indicador.objects.get(codigo=INDICADOR_DE[clase])
    version = borrador.version

    respuesta = admin_client.post(
        reverse("admin:centros_ciframensual_add"),
        {"reporte": borrador.pk, "indicador": indicador.pk, "valor": entrada, "comentario": ""},
    )

    borrador.refresh_from_db()
    if isinstance(esperado, Decimal):
        assert respuesta.status_code == 302
        assert CifraMensual.objects.get(reporte=borrador, indicador=indicador).valor == esperado
        assert borrador.version == version + 1
    else:
        form = _formulario_del_admin(respuesta)
        assert respuesta.status_code == 200
        assert _codigo(form, "valor") == (esperado or "required")
        if esperado:
            assert form.errors["valor"] == _rechazo(entrada, clase)
        assert not CifraMensual.objects.exists()
        assert borrador.version == version


@pytest.mark.parametrize(("entrada", "clase", "esperado"), _casos(P, solo_texto=True))
def test_the_clinic_admin_form_reads_patients_like_the_reader(
    admin_client, db, entrada, clase, esperado
):
    clinica = CentroFactory(linea_servicio=LineaServicio.SALUD)
    OperacionAnualFactory(centro=clinica, anio=2023)
    reporte = ReporteMensualFactory(centro=clinica, anio=2023, mes=1)

    respuesta = admin_client.post(
        reverse("admin:salud_atencionclinica_add"),
        {
            "reporte": reporte.pk,
            "servicio": Servicio.CONSULTA_EXTERNA,
            "especialidad": "",
            "pacientes": entrada,
        },
    )

    if isinstance(esperado, Decimal):
        assert respuesta.status_code == 302
        assert AtencionClinica.objects.get(reporte=reporte).pacientes == esperado
    else:
        form = _formulario_del_admin(respuesta)
        assert respuesta.status_code == 200
        assert _codigo(form, "pacientes") == (esperado or "required")
        if esperado:
            assert form.errors["pacientes"] == _rechazo(entrada, clase)
        assert not AtencionClinica.objects.exists()


def _valor_del_campo(html, nombre) -> str:
    campo = re.search(rf'<input[^>]*name="{nombre}"[^>]*>', html).group(0)
    assert 'type="text"' in campo
    return re.search(r'value="([^"]*)"', campo).group(1)


@pytest.mark.parametrize(
    ("clase", "guardado", "mostrado"),
    [(P, D("4321"), "4.321"), (S, D("1234"), "1.234"), (M, D("1234.5"), "1.234,50")],
)
def test_the_monthly_figure_admin_shows_the_stored_value_the_ecuadorian_way(
    admin_client, borrador, clase, guardado, mostrado
):
    indicador = Indicador.objects.get(codigo=INDICADOR_DE[clase])
    cifra = CifraMensualFactory(reporte=borrador, indicador=indicador, valor=guardado)

    html = admin_client.get(
        reverse("admin:centros_ciframensual_change", args=[cifra.pk])
    ).content.decode()

    assert _valor_del_campo(html, "valor") == mostrado


def test_a_figure_saved_unchanged_in_the_admin_keeps_its_value(admin_client, borrador):
    indicador = Indicador.objects.get(codigo=INDICADOR_DE[M])
    cifra = CifraMensualFactory(reporte=borrador, indicador=indicador, valor=D("1250"))
    url = reverse("admin:centros_ciframensual_change", args=[cifra.pk])
    mostrado = _valor_del_campo(admin_client.get(url).content.decode(), "valor")

    respuesta = admin_client.post(
        url,
        {"reporte": borrador.pk, "indicador": indicador.pk, "valor": mostrado, "comentario": ""},
    )

    assert respuesta.status_code == 302
    cifra.refresh_from_db()
    assert (mostrado, cifra.valor) == ("1.250,00", D("1250"))


def test_the_clinic_admin_shows_the_stored_patients_the_ecuadorian_way(admin_client, db):
    atencion = AtencionClinicaFactory(pacientes=1234)

    html = admin_client.get(
        reverse("admin:salud_atencionclinica_change", args=[atencion.pk])
    ).content.decode()

    assert _valor_del_campo(html, "pacientes") == "1.234"


def test_the_monthly_figure_changelist_shows_money_with_dollar_sign_and_counts_grouped(
    admin_client, borrador
):
    ingresos = Indicador.objects.get(codigo=INDICADOR_DE[M])
    usuarios = Indicador.objects.get(codigo=INDICADOR_DE[P])
    CifraMensualFactory(reporte=borrador, indicador=ingresos, valor=D("1234.56"))
    CifraMensualFactory(reporte=borrador, indicador=usuarios, valor=D("4321"))

    html = admin_client.get(reverse("admin:centros_ciframensual_changelist")).content.decode()

    columna = re.findall(r'<td class="field-valor_mostrado">([^<]*)</td>', html)
    assert sorted(columna) == ["$1.234,56", "4.321"]
