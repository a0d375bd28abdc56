"""Procurement types are dated reference data: a process keeps the type and the regime under
which it began, and its state says whether it was adjudicated and finalised, and when."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from casmul.roles import Rol
from casmul.services import usuario_con_rol_guardar
from presupuesto.models import ProcesoContratacion, TipoContratacion
from tests.factories import (
    CodigoTipo,
    ProcesoContratacionFactory,
    admin_importar,
    admin_subir,
    csv_de_excel,
    filas_rechazadas,
)

pytestmark = pytest.mark.django_db

NUEVO = "/presupuesto/contratacion/nuevo/"


def _tipo_posterior_a_la_reforma() -> TipoContratacion:
    return TipoContratacion.objects.create(
        codigo="procedimiento_simplificado",
        nombre="Procedimiento simplificado",
        nombre_cpccs="PROCEDIMIENTO SIMPLIFICADO",
        regimen="LOSNCP reformada (octubre de 2025)",
        vigente_desde=datetime.date(2025, 10, 8),
    )


def test_the_migration_records_the_types_tabla_12_used_with_the_cpccs_names_and_the_2008_law():
    tipos = {t.codigo: t for t in TipoContratacion.objects.all()}

    assert set(tipos) == {
        "infima_cuantia",
        "licitacion",
        "subasta_inversa",
        "regimen_especial",
        "catalogo_electronico",
        "feria_inclusiva",
        "menor_cuantia",
        "cotizacion",
    }
    assert tipos["regimen_especial"].nombre_cpccs == "RÉGIMEN ESPECIAL (Todos los procesos)"
    assert tipos["menor_cuantia"].nombre_cpccs == "MENOR CUANTÍA B Y S"
    assert {t.vigente_desde for t in tipos.values()} == {datetime.date(2008, 8, 4)}
    assert all("LOSNCP" in t.regimen for t in tipos.values())


def test_a_type_ended_by_a_reform_is_refused_for_a_process_begun_after_it_and_kept_before(
    administracion,
):
    """Ending a type is an administration task: no code changes for a reform."""
    cotizacion = TipoContratacion.objects.get(codigo=CodigoTipo.COTIZACION)
    cotizacion.vigente_hasta = datetime.date(2025, 10, 7)
    cotizacion.save()
    antes = ProcesoContratacionFactory(
        anio=2025, tipo=CodigoTipo.COTIZACION, fecha=datetime.date(2025, 9, 1)
    )
    antes.full_clean()

    despues = ProcesoContratacionFactory.build(
        anio=2025, tipo=CodigoTipo.COTIZACION, fecha=datetime.date(2025, 11, 3)
    )
    with pytest.raises(ValidationError) as error:
        despues.full_clean()
    assert error.value.message_dict["tipo"] == [
        "El tipo «Cotización» no estaba vigente el 03/11/2025, cuando se inició el proceso "
        "(vigente desde el 04/08/2008 hasta el 07/10/2025): elija el tipo de esa fecha."
    ]

    respuesta = administracion.post(
        NUEVO,
        {
            "anio": "2025",
            "tipo": CodigoTipo.COTIZACION,
            "codigo": "COT-2025-009",
            "objeto": "Víveres",
            "fecha": "03/11/2025",
            "monto": "9.000,00",
            "estado": "en_curso",
        },
    )
    assert respuesta.status_code == 400
    assert "no estaba vigente el 03/11/2025" in respuesta.content.decode()
    assert not ProcesoContratacion.objects.filter(codigo="COT-2025-009").exists()


def test_a_type_added_after_the_reform_is_offered_from_its_date_not_before():
    nuevo = _tipo_posterior_a_la_reforma()

    ProcesoContratacionFactory.build(
        anio=2025, tipo=nuevo.codigo, fecha=datetime.date(2025, 12, 1)
    ).full_clean()
    with pytest.raises(ValidationError, match="no estaba vigente el 01/06/2025"):
        ProcesoContratacionFactory.build(
            anio=2025, tipo=nuevo.codigo, fecha=datetime.date(2025, 6, 1)
        ).full_clean()


def test_a_process_keeps_the_regime_it_began_under_when_the_type_s_regime_changes():
    infima = TipoContratacion.objects.get(codigo=CodigoTipo.INFIMA_CUANTIA)
    viejo = ProcesoContratacionFactory(anio=2025, fecha=datetime.date(2025, 9, 1))

    infima.regimen = "LOSNCP reformada (octubre de 2025)"
    infima.save()
    nuevo = ProcesoContratacionFactory(anio=2025, fecha=datetime.date(2025, 11, 1))
    viejo.objeto = "Corregido"
    viejo.save()

    viejo.refresh_from_db()
    assert viejo.regimen.startswith("LOSNCP (R.O. Suplemento 395")
    assert nuevo.regimen == "LOSNCP reformada (octubre de 2025)"


@pytest.mark.parametrize(
    ("cambios", "regla"),
    [
        ({"estado": "adjudicado", "fecha_adjudicacion": None}, "proceso_adjudicado_con_fecha"),
        ({"estado": "finalizado", "fecha_finalizacion": None}, "proceso_finalizado_con_fecha"),
        (
            {
                "fecha_adjudicacion": datetime.date(2023, 5, 2),
                "fecha_finalizacion": datetime.date(2023, 5, 1),
            },
            "proceso_finaliza_tras_adjudicar",
        ),
        ({"monto_final": D("-1.00")}, "proceso_monto_final_no_negativo"),
    ],
)
def test_the_database_refuses_a_state_without_its_dates(cambios, regla):
    with pytest.raises(IntegrityError, match=regla), transaction.atomic():
        ProcesoContratacionFactory(anio=2023, fecha=datetime.date(2023, 4, 1), **cambios)


def test_the_form_refuses_a_finalised_process_without_its_date_and_keeps_what_was_typed(
    administracion,
):
    datos = {
        "anio": "2023",
        "tipo": CodigoTipo.LICITACION,
        "codigo": "LICO-2023-077",
        "objeto": "Obra menor",
        "fecha": "02/03/2023",
        "monto": "10.088,21",
        "estado": "finalizado",
        "fecha_adjudicacion": "20/03/2023",
    }

    respuesta = administracion.post(NUEVO, datos)

    html = respuesta.content.decode()
    assert respuesta.status_code == 400
    assert "Un proceso finalizado lleva su fecha de finalización." in html
    assert 'value="20/03/2023"' in html
    assert not ProcesoContratacion.objects.exists()


PROCESOS = "presupuesto_procesocontratacion"
ENCABEZADOS = ["Año", "Tipo", "Código", "Objeto", "Monto", "Fecha"]
DEL_ESTADO = ["Estado", "Fecha de adjudicación", "Fecha de finalización", "Monto al finalizar"]


@pytest.fixture
def cliente(db) -> Client:
    cliente = Client()
    cliente.force_login(
        usuario_con_rol_guardar(
            username="admin-compras", password="clave-de-prueba-1", rol=Rol.ADMINISTRACION
        )
    )
    return cliente


def test_a_sheet_without_the_state_columns_leaves_the_stored_state_as_it_is(cliente):
    ProcesoContratacionFactory(
        anio=2023,
        codigo="IC-001",
        objeto="Material",
        monto=D("100.00"),
        fecha=datetime.date(2023, 3, 5),
        fecha_finalizacion=datetime.date(2023, 4, 30),
        monto_final=D("98.00"),
    )
    contenido = csv_de_excel(
        "Procesos",
        ENCABEZADOS,
        (2023, "Ínfima cuantía", "IC-001", "Material", "100,00", "05/03/2023"),
    )

    vista_previa = admin_subir(cliente, PROCESOS, "procesos.csv", contenido)
    admin_importar(cliente, PROCESOS, "procesos.csv", contenido)

    totales = vista_previa.context["result"].totals
    assert (totales["new"], totales["update"], totales["skip"]) == (0, 0, 1)
    proceso = ProcesoContratacion.objects.get()
    assert (proceso.estado, proceso.fecha_finalizacion, proceso.monto_final) == (
        "finalizado",
        datetime.date(2023, 4, 30),
        D("98.00"),
    )


def test_a_sheet_with_the_state_columns_imports_them_and_an_empty_state_follows_the_dates(
    cliente,
):
    contenido = csv_de_excel(
        "Procesos",
        [*ENCABEZADOS, *DEL_ESTADO],
        (2023, "Ínfima cuantía", "IC-001", "Material", "100,00", "05/03/2023", "", "10/03/2023"),
        (
            2023,
            "Licitación",
            "LIC-001",
            "Obra",
            "9.000,00",
            "01/06/2023",
            "Finalizado",
            "01/07/2023",
            "20/12/2023",
            "8.950,00",
        ),
        (
            2023,
            "Cotización",
            "COT-001",
            "Víveres",
            "4.000,00",
            "01/11/2023",
            "Desierto o cancelado",
        ),
    )

    admin_importar(cliente, PROCESOS, "procesos.csv", contenido)

    assert {
        p.codigo: (p.estado, p.fecha_adjudicacion, p.fecha_finalizacion, p.monto_finalizado)
        for p in ProcesoContratacion.objects.all()
    } == {
        "IC-001": ("adjudicado", datetime.date(2023, 3, 10), None, D("100.00")),
        "LIC-001": (
            "finalizado",
            datetime.date(2023, 7, 1),
            datetime.date(2023, 12, 20),
            D("8950.00"),
        ),
        "COT-001": ("desierto", None, None, D("4000.00")),
    }


def test_an_import_with_a_type_not_in_force_on_the_start_date_writes_nothing(cliente):
    TipoContratacion.objects.filter(codigo=CodigoTipo.COTIZACION).update(
        vigente_hasta=datetime.date(2025, 10, 7)
    )
    contenido = csv_de_excel(
        "Procesos",
        ENCABEZADOS,
        (2025, "Ínfima cuantía", "IC-001", "Material", "100,00", "05/03/2025"),
        (2025, "Cotización", "COT-001", "Víveres", "4.000,00", "01/11/2025"),
    )

    respuesta = admin_subir(cliente, PROCESOS, "procesos.csv", contenido)

    rechazadas = filas_rechazadas(respuesta)
    assert list(rechazadas) == [4]
    assert "no estaba vigente el 01/11/2025" in rechazadas[4]["tipo"][0]
    assert not ProcesoContratacion.objects.exists()
