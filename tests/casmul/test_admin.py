"""The admin of the five apps: every model is registered and its pages answer."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from centros.models import (
    AccionGeneral,
    Area,
    AvisoDesactivado,
    AvisoEnviado,
    Beneficiario,
    Centro,
    CifraMensual,
    Devolucion,
    FotoCentro,
    HorarioAtencion,
    Indicador,
    IndicadorCentro,
    Inscripcion,
    Instalacion,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    Parroquia,
    PlazoDelAnio,
    ReporteMensual,
    SinAtencion,
)
from convenios.models import Convenio, Institucion
from participacion.models import (
    AccionDelPlan,
    AvanceDeAccion,
    DatosInstitucionales,
    Deliberacion,
    Enajenacion,
    Evidencia,
    Mecanismo,
    MedioDifusion,
    PasoDelProceso,
    PoliticaIgualdad,
    Recomendacion,
    Sugerencia,
)
from presupuesto.models import (
    GastoComun,
    LineaPresupuestaria,
    PresupuestoInstitucional,
    ProcesoContratacion,
)
from rendicion.models import (
    ComprobacionDeEnlace,
    FeDeErratas,
    Firmante,
    InformeAnual,
    ObjetivoEstrategico,
    Publicacion,
    SeccionFortalecimiento,
    TerminoGlosario,
)
from salud.models import AtencionClinica, DotacionProfesional, Especialidad, Servicio
from tests.factories import PublicacionFactory, cedula_con_verificador, tipo_de_contratacion

APPS = ["centros", "salud", "convenios", "presupuesto", "participacion", "rendicion"]
CEDULA = "1710034065"


def modelos_de_las_apps():
    """Every model of the five apps except the Historical* ones that simple_history creates."""
    return [
        model
        for app_label in APPS
        for model in apps.get_app_config(app_label).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


MODELOS_REGISTRADOS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)


def url_admin(model, vista, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{vista}", args=args)


_contador = itertools.count(1)


def crear_centro(area, parroquia, **campos):
    n = next(_contador)
    campos = {
        "numero": 100 + n,
        "nombre": f"Centro de prueba {n}",
        "nombre_corto": f"Centro {n}",
        "area": area,
        "parroquia": parroquia,
        "modalidad": Modalidad.DIRECTA,
        "linea_servicio": LineaServicio.SALUD,
        **campos,
    }
    return Centro.objects.create(**campos)


def crear_filas(datos, cuantas):
    """More rows of the models whose lists show related objects."""
    for _ in range(cuantas):
        n = next(_contador)
        centro = crear_centro(
            Area.objects.create(codigo=f"a{n}", nombre=f"Área {n}"), datos.parroquia
        )
        OperacionAnual.objects.create(centro=centro, anio=2023, personal=3)
        HorarioAtencion.objects.create(centro=centro, servicio="Consulta")
        Instalacion.objects.create(centro=centro, nombre="Sala", descripcion="d", objetivo="o")
        FotoCentro.objects.create(centro=centro, imagen="centros/fotos/x.jpg", anio=2023)
        IndicadorCentro.objects.create(centro=centro, indicador=datos.indicador)
        reporte = ReporteMensual.objects.create(centro=centro, anio=2023, mes=1)
        CifraMensual.objects.create(reporte=reporte, indicador=datos.indicador, valor=5)
        Devolucion.objects.create(reporte=reporte, version=1, motivo="Revise.")
        SinAtencion.objects.create(
            centro=centro,
            desde=datetime.date(2023, 1, 1),
            hasta=datetime.date(2023, 1, 2),
            motivo="Feriado",
        )
        AtencionClinica.objects.create(
            reporte=reporte,
            servicio=Servicio.CONSULTA_EXTERNA,
            especialidad=datos.especialidad,
            pacientes=4,
        )
        beneficiario = Beneficiario.objects.create(
            cedula=cedula_con_verificador(f"11{n:07d}"),
            nombres="Ana",
            apellidos=f"Pérez {n}",
            fecha_nacimiento=datetime.date(2019, 5, 1),
            sexo=Beneficiario.Sexo.FEMENINO,
            grupo_prioritario=Beneficiario.GrupoPrioritario.NINEZ,
        )
        Inscripcion.objects.create(
            beneficiario=beneficiario, centro=centro, desde=datetime.date(2023, 1, 1)
        )
        LineaPresupuestaria.objects.create(
            anio=2023, area=centro.area, centro=centro, descripcion="Línea", codificado=100
        )
        convenio = Convenio.objects.create(
            numero=f"C-{n}", titulo="Convenio", tipo=Convenio.Tipo.MIES, objeto="Objeto"
        )
        convenio.centros.add(centro)
        convenio.instituciones.add(datos.institucion)
        informe = InformeAnual.objects.create(
            anio=2000 + n,
            antecedentes="a",
            introduccion="i",
            mision="m",
            vision="v",
            direccion="d",
        )
        ObjetivoEstrategico.objects.create(informe=informe, texto="Objetivo")
        TerminoGlosario.objects.create(informe=informe, sigla="GAD", significado="Gobierno")
        SeccionFortalecimiento.objects.create(informe=informe, titulo="Sección", texto="Texto")
        Firmante.objects.create(
            informe=informe, rol=Firmante.Rol.APROBADO, nombre="Mgtr. X", cargo="Directora"
        )
        filas_del_proceso(2000 + n)


class Datos:
    pass


@pytest.fixture
def datos(db):
    """One row of every model of the five apps."""
    d = Datos()
    d.area = Area.objects.create(codigo="salud", nombre="Salud", orden=1)
    d.parroquia = Parroquia.objects.create(nombre="El Sagrario", tipo=Parroquia.Tipo.URBANA)
    d.indicador = Indicador.objects.create(
        codigo="pacientes",
        nombre="Pacientes atendidos",
        unidad=Indicador.Unidad.PERSONAS,
        agregacion=Indicador.Agregacion.SUMA,
    )
    d.centro = crear_centro(d.area, d.parroquia, capacidad=40, lleva_registro_nominal=True)
    IndicadorCentro.objects.create(centro=d.centro, indicador=d.indicador)
    d.centro.indicador_usuarios = d.indicador
    d.centro.save()
    OperacionAnual.objects.create(centro=d.centro, anio=2023, personal=12)
    HorarioAtencion.objects.create(centro=d.centro, servicio="Consulta externa", dias="L-V")
    Instalacion.objects.create(
        centro=d.centro, nombre="Laboratorio", descripcion="Equipado", objetivo="Exámenes"
    )
    FotoCentro.objects.create(centro=d.centro, imagen="centros/fotos/a.jpg", anio=2023)
    d.beneficiario = Beneficiario.objects.create(
        cedula=CEDULA,
        nombres="María José",
        apellidos="Jaramillo Ochoa",
        fecha_nacimiento=datetime.date(1950, 3, 14),
        sexo=Beneficiario.Sexo.FEMENINO,
        tiene_discapacidad=True,
        porcentaje_discapacidad=40,
        grupo_prioritario=Beneficiario.GrupoPrioritario.ADULTO_MAYOR,
    )
    Inscripcion.objects.create(
        beneficiario=d.beneficiario, centro=d.centro, desde=datetime.date(2023, 2, 1)
    )
    d.reporte = ReporteMensual.objects.create(centro=d.centro, anio=2023, mes=3)
    CifraMensual.objects.create(reporte=d.reporte, indicador=d.indicador, valor=Decimal("120"))
    Devolucion.objects.create(reporte=d.reporte, version=1, motivo="Revise los pacientes.")
    PlazoDelAnio.objects.create(anio=2023, dia=10)
    d.usuario = get_user_model().objects.create_user("aviso", email="aviso@casmul.test")
    AvisoEnviado.objects.create(
        usuario=d.usuario, tipo="devuelto", clave="mes-1-v2", asunto="Devuelto: Salud 2023"
    )
    AvisoDesactivado.objects.create(usuario=d.usuario, tipo="resumen")
    SinAtencion.objects.create(
        centro=d.centro,
        desde=datetime.date(2023, 3, 1),
        hasta=datetime.date(2023, 3, 15),
        motivo="Reparaciones",
    )
    AccionGeneral.objects.create(
        anio=2023,
        actividad="Campaña",
        cantidad=2,
        sector="Rural",
        descripcion="Brigadas",
        beneficiarios=300,
        unidad_beneficiarios=AccionGeneral.UnidadBeneficiarios.FAMILIAS,
    )
    d.especialidad = Especialidad.objects.create(nombre="Pediatría")
    DotacionProfesional.objects.create(anio=2023, denominacion="Médico general", cantidad=3)
    AtencionClinica.objects.create(
        reporte=d.reporte,
        servicio=Servicio.CONSULTA_EXTERNA,
        especialidad=d.especialidad,
        pacientes=80,
    )
    d.institucion = Institucion.objects.create(nombre="Ministerio de Inclusión", siglas="MIES")
    d.convenio = Convenio.objects.create(
        numero="MIES-2023-01",
        titulo="Convenio de desarrollo infantil",
        tipo=Convenio.Tipo.MIES,
        programa_mies=Convenio.ProgramaMies.DI,
        fecha_inicio=datetime.date(2023, 1, 1),
        fecha_fin=datetime.date(2023, 12, 31),
        duracion_declarada_meses=12,
        objeto="Atención a niñas y niños",
    )
    d.convenio.instituciones.add(d.institucion)
    d.convenio.centros.add(d.centro)
    LineaPresupuestaria.objects.create(
        anio=2023,
        area=d.area,
        centro=d.centro,
        descripcion="Medicinas",
        codificado=Decimal("1000"),
        ejecutado=Decimal("950.50"),
    )
    GastoComun.objects.create(anio=2023, concepto="Alimentación", monto=Decimal("5000"))
    PresupuestoInstitucional.objects.create(
        anio=2023,
        ingresos_percibidos=Decimal("1600469.59"),
        gasto_codificado=Decimal("1700000"),
        gasto_ejecutado=Decimal("1500000"),
    )
    ProcesoContratacion.objects.create(
        anio=2023,
        codigo="IC-CASMUL-001",
        tipo=tipo_de_contratacion("infima_cuantia"),
        objeto="Útiles",
        monto=Decimal("300"),
        fecha=datetime.date(2023, 4, 3),
    )
    d.informe = InformeAnual.objects.create(
        anio=2023,
        antecedentes="Antecedentes",
        introduccion="Introducción",
        mision="Misión",
        vision="Visión",
        direccion="Bolívar y Rocafuerte",
    )
    ObjetivoEstrategico.objects.create(informe=d.informe, texto="Atender a grupos prioritarios")
    TerminoGlosario.objects.create(informe=d.informe, sigla="MIES", significado="Ministerio")
    SeccionFortalecimiento.objects.create(informe=d.informe, titulo="Talento", texto="Texto")
    Firmante.objects.create(
        informe=d.informe, rol=Firmante.Rol.ELABORADO, nombre="Ing. Y", cargo="Técnico"
    )
    publicacion = PublicacionFactory()
    FeDeErratas.objects.create(
        anio=2023, motivo="Corrección", abierta_por=publicacion.publicado_por
    )
    ComprobacionDeEnlace.objects.create(
        anio=2023, url="https://casmul.test/publicaciones/", fila="Difusión", estado_http=200
    )
    filas_del_proceso(2023)
    return d


def filas_del_proceso(anio: int) -> None:
    """One row of every record of the rendición de cuentas process of the year."""
    evidencia = Evidencia.objects.create(anio=anio, titulo="Acta", url="https://gad.test/acta")
    DatosInstitucionales.objects.get_or_create(
        anio=anio,
        defaults={
            "institucion": "Centro de Apoyo Social Municipal de Loja",
            "ruc": "1160000000001",
            "representante_legal": "Mgtr. X",
            "representante_cargo": "Directora",
            "responsable_proceso": "Ing. Y",
            "responsable_proceso_cargo": "Planificación",
            "responsable_registro": "Ing. Z",
            "responsable_registro_cargo": "Planificación",
        },
    )
    Enajenacion.objects.create(
        anio=anio, tipo="donacion_recibida", bien="Silla de ruedas", valor=120, evidencia=evidencia
    )
    Recomendacion.objects.create(anio=anio, entidad="contraloria", informe_entidad=f"DNA-{anio}")
    Mecanismo.objects.create(
        anio=anio, clase="control_social", nombre=f"Veeduría {anio}-{Evidencia.objects.count()}"
    )
    PoliticaIgualdad.objects.get_or_create(anio=anio, eje="genero", defaults={"descripcion": "x"})
    MedioDifusion.objects.get_or_create(anio=anio, medio="radio", defaults={"cantidad": 2})
    PasoDelProceso.objects.create(anio=anio, fase=1, descripcion="Equipo técnico")
    deliberacion, _ = Deliberacion.objects.get_or_create(
        anio=anio, defaults={"fecha": datetime.date(anio + 1, 5, 28), "lugar": "Loja"}
    )
    sugerencia = Sugerencia.objects.create(deliberacion=deliberacion, texto="Más horario")
    accion = AccionDelPlan.objects.create(
        sugerencia=sugerencia,
        descripcion="Horario extendido",
        responsable="Coordinación",
        fecha_inicio=datetime.date(anio + 1, 7, 1),
        fecha_fin=datetime.date(anio + 1, 12, 31),
    )
    AvanceDeAccion.objects.create(
        accion=accion, fecha=datetime.date(anio + 1, 9, 1), porcentaje=50, evidencia=evidencia
    )


def test_every_model_of_the_five_apps_is_registered():
    faltan = {model._meta.label for model in modelos_de_las_apps()} - {
        model._meta.label for model in MODELOS_REGISTRADOS
    }
    assert not faltan


def test_no_historical_model_is_registered_on_its_own():
    assert not [model for model in MODELOS_REGISTRADOS if issubclass(model, HistoricalChanges)]


@pytest.mark.parametrize("model", MODELOS_REGISTRADOS, ids=lambda model: model._meta.label)
def test_the_admin_form_leaves_no_field_out(admin_user, model):
    """Fieldsets list their fields by hand: none of the model's editable fields is forgotten."""
    editables = {
        campo.name
        for campo in model._meta.get_fields()
        if getattr(campo, "editable", False)
        and not campo.auto_created
        and (campo.concrete or campo.many_to_many)
        and not (campo.many_to_many and not campo.remote_field.through._meta.auto_created)
    }
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    en_el_formulario = set(model_admin.get_form(request).base_fields)
    assert editables <= en_el_formulario


@pytest.mark.parametrize("model", MODELOS_REGISTRADOS, ids=lambda model: model._meta.label)
def test_changelist_and_add_page_answer_when_empty(admin_client, model):
    assert admin_client.get(url_admin(model, "changelist")).status_code == 200
    # Published versions are made only by publishing, and never changed.
    # Returns are made only from a month's review.
    # The notices sent are the task queue's record.
    esperado = (
        403
        if model
        in (Publicacion, FeDeErratas, Devolucion, SinAtencion, AvisoEnviado, ComprobacionDeEnlace)
        else 200
    )
    assert admin_client.get(url_admin(model, "add")).status_code == esperado


@pytest.mark.parametrize("model", MODELOS_REGISTRADOS, ids=lambda model: model._meta.label)
def test_changelist_search_and_change_page_answer_with_data(admin_client, datos, model):
    lista = url_admin(model, "changelist")
    assert admin_client.get(lista).status_code == 200
    # A search with text must not break on numeric search fields (nor on PostgreSQL).
    assert admin_client.get(lista, {"q": "Salud 2023"}).status_code == 200
    objeto = model.objects.first()
    assert admin_client.get(url_admin(model, "change", objeto.pk)).status_code == 200


@pytest.mark.parametrize(
    "model", [ReporteMensual, CifraMensual, AtencionClinica, Beneficiario, Inscripcion]
)
def test_models_with_history_have_the_history_page(admin_client, datos, model):
    objeto = model.objects.first()
    respuesta = admin_client.get(url_admin(model, "history", objeto.pk))
    assert respuesta.status_code == 200


@pytest.mark.parametrize("model", MODELOS_REGISTRADOS, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_the_rows(admin_client, datos, model):
    lista = url_admin(model, "changelist")
    admin_client.get(lista)  # warm-up (session, content types)
    with CaptureQueriesContext(connection) as pocas:
        admin_client.get(lista)
    crear_filas(datos, 4)
    with CaptureQueriesContext(connection) as muchas:
        admin_client.get(lista)
    assert len(muchas) == len(pocas), [q["sql"] for q in muchas]


def test_beneficiario_changelist_shows_only_the_masked_cedula(admin_client, db):
    Beneficiario.objects.create(
        cedula=CEDULA,
        nombres="Rosa",
        apellidos="Guamán",
        fecha_nacimiento=datetime.date(2018, 6, 1),
        sexo=Beneficiario.Sexo.FEMENINO,
        grupo_prioritario=Beneficiario.GrupoPrioritario.NINEZ,
    )
    html = admin_client.get(url_admin(Beneficiario, "changelist")).content.decode()
    assert "Guamán" in html
    assert CEDULA not in html
    assert CEDULA[-4:] in html


def test_beneficiario_list_shows_the_cedula_masked(admin_client, datos):
    """Found by name (a cédula is searched with the POST form: tests/centros/
    test_beneficiarios_privacidad.py); the list shows the masked number."""
    respuesta = admin_client.get(url_admin(Beneficiario, "changelist"), {"q": "Jaramillo"})
    html = respuesta.content.decode()
    assert "Jaramillo Ochoa" in html
    assert CEDULA not in html
    assert "******" + CEDULA[-4:] in html


def test_convenio_list_shows_the_status_of_today(admin_client, datos):
    html = admin_client.get(url_admin(Convenio, "changelist")).content.decode()
    assert "MIES-2023-01" in html
    assert datos.convenio.estado(timezone.localdate()).label in html


@pytest.mark.parametrize("estado", Convenio.Estado.values)
def test_convenio_status_filter_agrees_with_the_model(admin_client, db, estado):
    hoy = timezone.localdate()
    dias = datetime.timedelta
    periodos = [
        (hoy + dias(10), hoy + dias(400)),  # no iniciado
        (None, None),  # vigente, open
        (hoy - dias(100), hoy + dias(200)),  # vigente
        (hoy - dias(100), hoy + dias(60)),  # por vencer (limit)
        (hoy - dias(100), hoy),  # por vencer (last day)
        (hoy - dias(100), hoy - dias(1)),  # vencido
    ]
    for n, (inicio, fin) in enumerate(periodos):
        Convenio.objects.create(
            numero=f"N-{n}",
            titulo="t",
            tipo=Convenio.Tipo.INTERINSTITUCIONAL,
            objeto="o",
            fecha_inicio=inicio,
            fecha_fin=fin,
        )
    respuesta = admin_client.get(url_admin(Convenio, "changelist"), {"estado": estado})
    mostrados = {c.pk for c in respuesta.context["cl"].result_list}
    esperados = {c.pk for c in Convenio.objects.all() if c.estado(hoy) == estado}
    assert esperados
    assert mostrados == esperados


def _post_reporte(admin_client, reporte, version, comentario, url=None):
    datos_post = {
        "centro": reporte.centro_id,
        "anio": reporte.anio,
        "mes": reporte.mes,
        "estado": reporte.estado,
        "comentario": comentario,
        "version": version,
        "cifras-TOTAL_FORMS": 0,
        "cifras-INITIAL_FORMS": 0,
        "cifras-MIN_NUM_FORMS": 0,
        "cifras-MAX_NUM_FORMS": 1000,
    }
    return admin_client.post(url or url_admin(ReporteMensual, "change", reporte.pk), datos_post)


def test_reporte_saved_from_the_admin_takes_a_new_version(admin_client, datos):
    respuesta = _post_reporte(admin_client, datos.reporte, 1, "Revisado")
    assert respuesta.status_code == 302
    datos.reporte.refresh_from_db()
    assert (datos.reporte.version, datos.reporte.comentario) == (2, "Revisado")


def test_reporte_admin_refuses_a_stale_copy(admin_client, datos):
    ReporteMensual.objects.filter(pk=datos.reporte.pk).update(version=2, comentario="Otro")
    respuesta = _post_reporte(admin_client, datos.reporte, 1, "Copia vieja")
    assert respuesta.status_code == 200
    assert "Otra persona guardó este reporte" in respuesta.content.decode()
    datos.reporte.refresh_from_db()
    assert (datos.reporte.version, datos.reporte.comentario) == (2, "Otro")


def test_reporte_can_be_added_from_the_admin(admin_client, datos):
    nuevo = ReporteMensual(centro=datos.centro, anio=2023, mes=4)
    respuesta = _post_reporte(admin_client, nuevo, 1, "Nuevo", url_admin(ReporteMensual, "add"))
    assert respuesta.status_code == 302
    assert ReporteMensual.objects.get(centro=datos.centro, anio=2023, mes=4).version == 1


def test_reporte_can_be_reverted_from_its_history(transactional_db, admin_client, datos):
    """The revert form starts from an old copy but checks against the current version (and,
    outside a test transaction, locks the row inside one of its own)."""
    inicial = datos.reporte.history.earliest()
    datos.reporte.comentario = "Cambio"
    datos.reporte.version = 2
    datos.reporte.save()
    url = reverse(
        "admin:centros_reportemensual_simple_history", args=(datos.reporte.pk, inicial.pk)
    )
    formulario = admin_client.get(url).context["adminform"].form
    assert formulario.initial["version"] == 2
    respuesta = _post_reporte(admin_client, inicial.instance, 2, "", url)
    assert respuesta.status_code == 302
    datos.reporte.refresh_from_db()
    assert (datos.reporte.version, datos.reporte.comentario) == (3, "")


def test_only_the_administration_assigns_staff_to_centres(client, db):
    from casmul.roles import Rol
    from casmul.services import usuario_con_rol_guardar
    from tests.factories import CentroFactory

    centro = CentroFactory()
    personal = usuario_con_rol_guardar(username="p", password="x-1", rol=Rol.PERSONAL_CENTRO)
    url = reverse("admin:centros_centro_change", args=[centro.pk])
    # The admin is the administration's: the coordination (staff) and centre staff are sent
    # to its login page.
    for rol in (Rol.COORDINACION, Rol.PERSONAL_CENTRO):
        client.force_login(
            usuario_con_rol_guardar(username=f"u-{rol.name}", password="x-1", rol=rol)
        )
        respuesta = client.post(url, {"personal_asignado": [personal.pk]})
        assert respuesta.status_code == 302
        assert respuesta["Location"].startswith(reverse("admin:login"))
        assert not centro.personal_asignado.exists()
    client.force_login(
        usuario_con_rol_guardar(username="adm", password="x-1", rol=Rol.ADMINISTRACION)
    )
    assert client.get(url).status_code == 200
