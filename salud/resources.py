"""Spreadsheet import of the clinic's monthly patients (django-import-export).

One row per service (and specialty, where broken down) of a month: `Centro` (the clinic's
number), `Año`, `Mes`, `Servicio`, `Pacientes` and, optionally, `Especialidad`. Each row is
checked as the clinic's page checks it: a health centre, a month that has come and that it
operates, not approved, a whole number of patients. The rows are then written month by month
through the clinic's one write path (`salud.services.atenciones_guardar`): the month is locked,
its history says who and why, and it gets a new version. Rows equal to what is stored are left
unchanged, and a month with no change is not written at all.

An import is all or nothing (`casmul.hojas.RecursoDeHoja`).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import resources

from casmul.hojas import (
    FormatoHoja,
    RecursoDeHoja,
    anio_leer,
    celda_entero,
    celda_opcion,
    celda_texto,
    columna_normalizar,
    mes_leer,
)
from casmul.meses import Mes
from casmul.numeros import Clase, numero_leer
from centros.models import Centro, LineaServicio, OperacionAnual, ReporteMensual
from centros.resources import centro_ajeno_mensaje, centros_del_importador
from centros.services import MENSAJE_MES_APROBADO, mes_comprobar_abierto

from .models import AtencionClinica, Especialidad, Servicio
from .services import atenciones_guardar


class HojaDeAtenciones(FormatoHoja):
    """CSV or XLSX of the clinic's patients by month and service."""

    columnas = ("Centro", "Año", "Mes", "Servicio", "Pacientes")
    # Empty (or absent) where the service is not broken down by specialty.
    opcionales = ("Especialidad",)


class AtencionClinicaResource(RecursoDeHoja, resources.ModelResource):
    columnas_de_campos = {"reporte": "mes"}

    class Meta:
        model = AtencionClinica
        fields = ["servicio", "especialidad", "pacientes"]
        # No `id` column: a row is found by its month, service and specialty.
        import_id_fields = []
        use_transactions = True

    def hoja_preparar(self) -> None:
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}
        # The clinic's staff write only their own centre's months.
        self._propios = centros_del_importador(self._importador)
        self._especialidades = {
            columna_normalizar(especialidad.nombre): especialidad
            for especialidad in Especialidad.objects.all()
        }
        # Read once for the whole file; each month is checked once.
        self._operaciones = {
            (centro_id, anio): (inicio, fin)
            for centro_id, anio, inicio, fin in OperacionAnual.objects.values_list(
                "centro_id", "anio", "mes_inicio", "mes_fin"
            )
        }
        self._aprobados = set(
            ReporteMensual.objects.filter(
                estado=ReporteMensual.Estado.APROBADO, centro__linea_servicio=LineaServicio.SALUD
            ).values_list("centro_id", "anio", "mes")
        )
        self._hoy = timezone.localdate()
        self._meses: dict[tuple[int, int, int], str | None] = {}  # month -> why it is closed
        # What the file writes, by month: {(centro, anio, mes): {(servicio, especialidad id): n}}
        self._por_mes: dict[tuple[Centro, int, int], dict[tuple[str, int | None], int]] = {}

    def existentes(self):
        return {
            (a.reporte.centro_id, a.reporte.anio, a.reporte.mes, a.servicio, a.especialidad_id): a
            for a in AtencionClinica.objects.filter(
                reporte__centro__linea_servicio=LineaServicio.SALUD
            ).select_related("reporte")
        }

    def fila_clave(self, valores):
        return (*valores["_mes"], valores["servicio"], valores["especialidad_id"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
        numero = celda_entero(row.get("centro"))
        centro = self._centros.get(numero) if numero is not None else None
        if numero is None:
            errores["centro"] = "Escriba el número de la clínica."
        elif centro is None:
            errores["centro"] = f"No existe el centro número {numero}."
        elif self._propios is not None and numero not in self._propios:
            errores["centro"] = centro_ajeno_mensaje(numero)
        elif centro.linea_servicio != LineaServicio.SALUD:
            errores["centro"] = (
                f"{centro.nombre_corto} no es un centro de salud: sus cifras se importan como "
                "cifras mensuales."
            )
        anio = anio_leer(row, errores)
        mes = mes_leer(row, errores)
        servicio = None
        try:
            servicio = celda_opcion(row.get("servicio"), Servicio.choices)
        except ValidationError as error:
            errores["servicio"] = error.messages[0]
        else:
            if servicio is None:
                nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in Servicio.choices)
                errores["servicio"] = f"Escriba el servicio: {nombres}."
        especialidad = None
        if nombre := celda_texto(row.get("especialidad")):
            especialidad = self._especialidades.get(columna_normalizar(nombre))
            if especialidad is None:
                errores["especialidad"] = f"No existe la especialidad «{nombre}»."
        try:
            pacientes = numero_leer(row.get("pacientes"), clase=Clase.PERSONAS)
        except ValidationError as error:
            errores["pacientes"] = error.messages[0]
        else:
            if pacientes is None:
                errores["pacientes"] = "Escriba los pacientes atendidos (0 si no hubo)."
        if not errores.keys() & {"centro", "anio", "mes"}:
            motivo = self._mes_cerrado(centro, anio, mes)
            if motivo:
                errores["mes"] = motivo
        if errores:
            raise ValidationError(errores)
        return {
            "_mes": (centro.pk, anio, mes),
            "_centro": centro,
            "servicio": servicio,
            "especialidad_id": especialidad.pk if especialidad else None,
            "pacientes": int(pacientes),
        }

    def _mes_cerrado(self, centro: Centro, anio: int, mes: int) -> str | None:
        """Why nothing can be written in the month, as `atenciones_guardar` would refuse it,
        told here so that the refusal names the row."""
        clave = (centro.pk, anio, mes)
        if clave not in self._meses:
            motivo = None
            try:
                mes_comprobar_abierto(
                    centro=centro,
                    mes=Mes(anio, mes),
                    operacion=self._operaciones.get((centro.pk, anio)),
                    hoy=self._hoy,
                )
            except ValidationError as error:
                motivo = error.messages[0]
            if motivo is None and clave in self._aprobados:
                motivo = MENSAJE_MES_APROBADO
            self._meses[clave] = motivo
        return self._meses[clave]

    def import_instance(self, instance, row, **kwargs):
        # Only what a row writes: the month is chosen by `atenciones_guardar`.
        valores = {k: v for k, v in self._valores.items() if not k.startswith("_")}
        self._cambia = instance.pk is None or instance.pacientes != valores["pacientes"]
        if instance.pk is None:
            # Only to name the row in the preview; never saved from here.
            _, anio, mes = self._valores["_mes"]
            instance.reporte = ReporteMensual(centro=self._valores["_centro"], anio=anio, mes=mes)
        for campo, valor in valores.items():
            setattr(instance, campo, valor)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The month may not exist yet: it is opened, checked and locked by the write.
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        centro_id, anio, mes = self._valores["_mes"]
        filas = self._por_mes.setdefault((self._valores["_centro"], anio, mes), {})
        filas[(instance.servicio, instance.especialidad_id)] = instance.pacientes

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return  # everything is rolled back
        usuario = self.usuario_de(kwargs)
        # Months whose rows are all unchanged are not here: they are not written.
        meses = ReporteMensual.objects.filter(
            centro__in={centro for centro, _, _ in self._por_mes}
        ).values_list("centro_id", "anio", "mes", "comentario", "estado")
        guardados = {(c, a, m): (comentario, estado) for c, a, m, comentario, estado in meses}
        for (centro, anio, mes), pacientes in self._por_mes.items():
            comentario, estado = guardados.get((centro.pk, anio, mes), ("", None))
            # The month keeps its comment and its state: a submitted month stays submitted.
            atenciones_guardar(
                centro=centro,
                mes=Mes(anio, mes),
                pacientes=pacientes,
                version=None,
                usuario=usuario,
                comentario=comentario,
                enviar=estado == ReporteMensual.Estado.ENVIADO,
            )


def atenciones_plantilla(usuario=None) -> list[tuple]:
    """The clinic's template: an example row of the last month gone."""
    mes = Mes.de_fecha(timezone.localdate()).anterior
    numero = (
        Centro.objects.filter(linea_servicio=LineaServicio.SALUD)
        .values_list("numero", flat=True)
        .first()
    )
    especialidad = Especialidad.objects.filter(activa=True).values_list("nombre", flat=True)
    return [
        (
            numero or 1,
            mes.anio,
            mes.numero,
            Servicio.CONSULTA_EXTERNA.label,
            1234,
            especialidad.first() or "",
        )
    ]
