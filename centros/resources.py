"""Spreadsheet import and export of monthly figures, and import of the centres
(django-import-export).

One row per figure: `centro` (the centre's number), `anio`, `mes`, `indicador` (its code) and
`valor`. A row goes through the same rules as the monthly form: a known centre and a figure it
reports that year (`IndicadorCentro.desde_anio`/`hasta_anio`), a whole non-negative count (two
decimals for money), not a future month and not an approved one. The month's report is created
as a draft when missing. The file is written by the month write's variant for many months
(`centros.services.mes`).

Files uploaded through the admin are read by `HojaDeCifras` (`casmul.hojas`): CSV with `;` or `,`
in UTF-8 or Windows-1252, or XLSX, with a title above the header and blank rows anywhere; errors
name the spreadsheet's row numbers.

An import is all or nothing: if any row is refused, no row is written (see `import_data`).
Every row is checked against what is read once for the whole file (centres, indicators, the
months it names, locked, and their figures); what changes is written at the end in bulk, a few
statements per thousand rows (`meses_importados_guardar`).
With `enviar`, the months the file wrote are then submitted for review as the year page does
(`reportes_importados_enviar`: complete drafts without warnings), in the same transaction;
with a `comentario`, the complete drafts with warnings too, explained by it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.results import Result

from casmul.hojas import (
    FilasDeLaHoja,
    FormatoHoja,
    RecursoDeHoja,
    anio_leer,
    celda_entero,
    celda_opcion,
    celda_texto,
    columna_normalizar,
    columnas_faltan_mensaje,
    mes_leer,
)
from casmul.meses import PRIMER_ANIO, Mes
from casmul.numeros import Clase, numero_leer
from casmul.permisos import puede_registrar_cifras

from .models import (
    Area,
    Centro,
    CifraMensual,
    Indicador,
    IndicadorCentro,
    LineaServicio,
    Modalidad,
    OperacionAnual,
    Parroquia,
    ReporteMensual,
)
from .selectors.acceso import centros_de_usuario
from .services import (
    ClaveMes,
    ResultadoEnvio,
    anio_de_los_cambios,
    centro_definicion_comprobar,
    centro_definir,
    meses_bloquear,
    meses_importados_guardar,
    reporte_abrir_leido,
    reportes_importados_enviar,
)

COLUMNAS = ["centro", "anio", "mes", "indicador", "valor"]


def centros_del_importador(usuario) -> frozenset[int] | None:
    """The numbers of the centres whose rows the user may import, read once per file (centre
    staff: theirs, `centros_de_usuario`); None when any centre may be imported (a command run
    without a user)."""
    if usuario is None:
        return None
    return frozenset(centros_de_usuario(usuario).values_list("numero", flat=True))


def centro_ajeno_mensaje(numero: int) -> str:
    return f"El centro {numero} no es uno de sus centros."


def no_reporta_en_mensaje(
    numero: int, indicador: Indicador, anio: int, reporta: IndicadorCentro
) -> str:
    """Why a centre's row for `anio` cannot carry a figure it reports in other years only
    (`reporta`: its years)."""
    desde, hasta = reporta.desde_anio, reporta.hasta_anio
    if desde is not None and hasta is not None:
        cuando = f"lo reporta de {desde} a {hasta}"
    elif desde is not None:
        cuando = f"lo reporta desde {desde}"
    else:
        cuando = f"lo reportó hasta {hasta}"
    return f"El centro {numero} no reporta «{indicador.nombre}» en {anio} ({cuando})."


@dataclass(frozen=True)
class FilaLeida:
    centro: Centro
    indicador: Indicador
    reporte: ReporteMensual
    valor: Decimal


class ResultadoImportacion(Result):
    """An import's result, with what its submission did (None when none was asked for)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.envio: ResultadoEnvio | None = None


class HojaDeCifras(FormatoHoja):
    """CSV or XLSX of monthly figures, as Excel and LibreOffice save them (`casmul.hojas`)."""

    # As the template's headers show them; read normalised, they are `COLUMNAS`.
    columnas = ("Centro", "Año", "Mes", "Indicador", "Valor")


class CifraMensualResource(FilasDeLaHoja, resources.ModelResource):
    centro = fields.Field(attribute="reporte__centro__numero", column_name="centro", readonly=True)
    anio = fields.Field(attribute="reporte__anio", column_name="anio", readonly=True)
    mes = fields.Field(attribute="reporte__mes", column_name="mes", readonly=True)
    indicador = fields.Field(attribute="indicador__codigo", column_name="indicador", readonly=True)
    valor = fields.Field(
        attribute="valor", column_name="valor", readonly=True, widget=widgets.DecimalWidget()
    )

    class Meta:
        model = CifraMensual
        fields = COLUMNAS
        export_order = COLUMNAS
        import_order = COLUMNAS
        # No `id` column: a row is found by its centre, month and figure.
        import_id_fields = []
        use_transactions = True
        # No savepoint per row: a row writes nothing (`save_instance`), the file is written
        # at the end, inside the import's transaction.
        use_bulk = True

    def __init__(self, *, enviar: bool = False, comentario: str = "", **kwargs):
        super().__init__(**kwargs)
        # Submit the months written, once the whole file is in (never in a dry run); with a
        # comment for those with warnings, those too.
        self.comentario = comentario.strip()
        self.enviar = enviar or bool(self.comentario)
        self._prueba = True  # set by `import_data`

    @classmethod
    def get_result_class(cls):
        return ResultadoImportacion

    def get_queryset(self):
        return CifraMensual.objects.select_related("reporte__centro", "indicador")

    # --- Reading and checking a row ------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        # Read once for the whole file: no row asks the database anything.
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}
        self._indicadores = {indicador.codigo: indicador for indicador in Indicador.objects.all()}
        # By (centre, indicator), with the years it is reported in: a row checks its own.
        self._reporta = {
            (reporta.centro_id, reporta.indicador_id): reporta
            for reporta in IndicadorCentro.objects.only(
                "centro_id", "indicador_id", "desde_anio", "hasta_anio"
            )
        }
        # Centre staff write only their centres' months, as on the monthly form.
        self._propios = centros_del_importador(self._importador)
        self._vistas: dict[tuple, int] = {}
        self._operaciones = {
            (centro_id, anio): (inicio, fin)
            for centro_id, anio, inicio, fin in OperacionAnual.objects.values_list(
                "centro_id", "anio", "mes_inicio", "mes_fin"
            )
        }
        self._hoy = timezone.localdate()
        self._abiertos: dict[ClaveMes, ReporteMensual] = {}
        # What the rows change, written by `after_import`.
        self._escritas: list[CifraMensual] = []
        self._reportes: list[ReporteMensual] = []
        self._fila: FilaLeida | None = None
        # A file read by `HojaDeCifras` has them all (its reading refuses it otherwise).
        etiquetas = dict(zip(COLUMNAS, HojaDeCifras.columnas, strict=True))
        faltan = [etiquetas[c] for c in COLUMNAS if c not in (dataset.headers or [])]
        self._sin_columnas = (
            columnas_faltan_mensaje(faltan, dataset.headers or []) if faltan else None
        )
        if self._sin_columnas:
            raise ValidationError(self._sin_columnas)
        # The months the file names are locked now, all at once and in one order, and stay so
        # until the import ends: none can be approved halfway. Each row then checks its month
        # against what was read here (`_abrir`).
        self._bloqueados = meses_bloquear(claves=self._meses_nombrados(dataset))

    def _meses_nombrados(self, dataset) -> set[ClaveMes]:
        """The months of the file's rows that name a centre the importer may write; a row
        that names none is refused by its own checks."""
        claves = set()
        for valores in dataset:
            row = dict(zip(dataset.headers, valores, strict=False))
            numero, anio, mes = (celda_entero(row.get(c)) for c in ("centro", "anio", "mes"))
            centro = self._centros.get(numero)
            propio = self._propios is None or numero in self._propios
            if centro and propio and anio and mes and 1 <= mes <= 12:
                claves.add((centro.pk, anio, mes))
        return claves

    def fila_sin_valor(self, row) -> bool:
        # The template lists every figure of the clerk's centres: one not filled in is not
        # imported, and its month keeps what it has.
        return celda_texto(row.get("valor")) == ""

    def before_import_row(self, row, **kwargs):
        """Reads and checks the row; a refused row raises a ValidationError keyed by column,
        which marks it invalid (and so the whole import is rolled back)."""
        self._fila = None
        if self._sin_columnas:
            raise ValidationError(self._sin_columnas)
        # A cell the spreadsheet could not give (a formula never computed) refuses the row.
        super().before_import_row(row, **kwargs)
        # Numbered as the spreadsheet shows it, so that the repeated row can be found there.
        numero_fila = self.fila_de_la_hoja(kwargs["row_number"])
        errores: dict[str, str] = {}
        centro = indicador = None
        # First: which figures a centre reports depends on the year.
        anio = anio_leer(row, errores)
        numero = celda_entero(row.get("centro"))
        if numero is None:
            errores["centro"] = "Escriba el número del centro."
        elif (centro := self._centros.get(numero)) is None:
            errores["centro"] = f"No existe el centro número {numero}."
        elif self._propios is not None and numero not in self._propios:
            errores["centro"] = centro_ajeno_mensaje(numero)
            centro = None  # its indicators are not checked: the row is refused already
        codigo = str(row.get("indicador") or "").strip()
        if not codigo:
            errores["indicador"] = "Escriba el código del indicador."
        elif (indicador := self._indicadores.get(codigo)) is None:
            errores["indicador"] = f"No existe el indicador «{codigo}»."
        elif centro and (reporta := self._reporta.get((centro.pk, indicador.pk))) is None:
            errores["indicador"] = f"El centro {numero} no reporta «{indicador.nombre}»."
        elif centro and "anio" not in errores and not reporta.reportado_en(anio):
            errores["indicador"] = no_reporta_en_mensaje(numero, indicador, anio, reporta)
        mes = mes_leer(row, errores)
        valor = None
        # How a value is read depends on its indicator (money has cents, a count may be written
        # 4.321): without a known indicator there is nothing to read it by.
        if indicador is not None:
            try:
                valor = numero_leer(row.get("valor"), clase=Clase.de_unidad(indicador.unidad))
            except ValidationError as error:
                errores["valor"] = " ".join(error.messages)
            else:
                if valor is None:
                    errores["valor"] = "Escriba la cifra como un número (0 si no hubo)."
        if centro and indicador and "anio" not in errores and "mes" not in errores:
            primera = self._vistas.setdefault((centro.pk, anio, mes, indicador.pk), numero_fila)
            if primera != numero_fila:
                errores[NON_FIELD_ERRORS] = (
                    f"Esta cifra ya está en la fila {primera} del archivo: deje una sola."
                )
        reporte = None
        if centro and "anio" not in errores and "mes" not in errores:
            try:
                reporte = self._abrir(centro, anio, mes)
            except ValidationError as error:
                # A month closed to writes (approved, its year published) still reads its own
                # figure back unchanged: a re-imported export is «sin cambios», not refused.
                reporte = self._sin_cambio(centro, anio, mes, indicador, valor)
                if reporte is None:
                    errores["mes"] = " ".join(error.messages)
        if errores:
            raise ValidationError(errores)
        self._fila = FilaLeida(centro=centro, indicador=indicador, reporte=reporte, valor=valor)

    def _sin_cambio(self, centro, anio, mes, indicador, valor) -> ReporteMensual | None:
        """The stored month when the row gives the value its figure already has."""
        reporte = self._bloqueados.reportes.get((centro.pk, anio, mes))
        if reporte is None or indicador is None or valor is None:
            return None
        guardada = self._bloqueados.cifras.get((reporte.pk, indicador.pk))
        return reporte if guardada is not None and guardada.valor == valor else None

    def _abrir(self, centro: Centro, anio: int, mes: int) -> ReporteMensual:
        """The open step of the month write (`centros.services.mes`), many months at once: a
        month that has come, that the centre operates, its year not closed, not approved;
        checked against the months locked by `before_import`. One report per month for all
        its rows (unsaved when the month is missing)."""
        clave = (centro.pk, anio, mes)
        if clave not in self._abiertos:
            self._abiertos[clave] = reporte_abrir_leido(
                centro=centro,
                mes=Mes(anio, mes),
                bloqueados=self._bloqueados,
                operacion=self._operaciones.get((centro.pk, anio)),
                hoy=self._hoy,
            )
        return self._abiertos[clave]

    def get_or_init_instance(self, instance_loader, row):
        fila = self._fila
        cifra = None
        if fila.reporte.pk is not None:
            cifra = self._bloqueados.cifras.get((fila.reporte.pk, fila.indicador.pk))
        nueva = cifra is None
        cifra = cifra or CifraMensual()
        cifra.reporte, cifra.indicador = fila.reporte, fila.indicador
        return cifra, nueva

    def import_instance(self, instance, row, **kwargs):
        instance.valor = self._fila.valor

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A figure the file leaves as it is is not written again: the same file twice changes
        # nothing the second time (no new version of its month, no history entry).
        return (
            not import_validation_errors
            and original is not None
            and original.pk is not None
            and original.valor == instance.valor
        )

    # --- Writing -------------------------------------------------------------------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        # Kept for `after_import`, which writes the whole file at once.
        self._escritas.append(instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return  # everything is rolled back
        # A dry run writes too (inside the transaction rolled back at the end), so that the
        # preview sees exactly what the import would do. Each month touched is closed as every
        # other write closes it: a new version (a form opened before the import cannot
        # overwrite it) and its warnings recomputed.
        usuario = self.usuario_de(kwargs)
        self._reportes = meses_importados_guardar(
            cifras=self._escritas,
            usuario=usuario,
            motivo_cifras=self.motivo_de("Importado", kwargs),
            motivo_meses=self.motivo_de("Cifras importadas", kwargs),
        )
        if self.enviar and not self._prueba:
            self._enviar(result, usuario, kwargs)

    def _enviar(self, result, usuario, kwargs) -> None:
        # The year page's rule: the coordination reviews months, it does not submit them.
        # Raised here, the import fails and is rolled back as a whole.
        if usuario is None or not puede_registrar_cifras(usuario):
            raise PermissionDenied(
                "Su rol no permite enviar meses a revisión: importe sin esa opción."
            )
        result.envio = reportes_importados_enviar(
            reporte_ids=[reporte.pk for reporte in self._reportes],
            usuario=usuario,
            motivo=self.motivo_de("Enviado a revisión", kwargs),
            comentario=self.comentario,
        )


def cifras_plantilla(usuario=None) -> list[tuple]:
    """The monthly template: a row per centre operating in the last month gone and per figure
    it reports that year, in its form's order, so that a clerk writes only the values; for
    centre staff, their centres only (the administration gets every centre)."""
    mes = Mes.de_fecha(timezone.localdate()).anterior
    centros = Centro.objects.en_operacion(mes.anio)
    if usuario is not None:
        centros = centros.filter(pk__in=centros_de_usuario(usuario).values("pk"))
    return [
        (numero, mes.anio, mes.numero, codigo, None)
        for numero, codigo in IndicadorCentro.objects.del_anio(mes.anio)
        .filter(centro__in=centros)
        .order_by("centro__numero", "orden", "indicador__nombre")
        .values_list("centro__numero", "indicador__codigo")
    ]


CIFRAS_REFERENCIA_ENCABEZADOS = ("Centro", "Nombre del centro", "Indicador", "Nombre", "Unidad")


def cifras_referencia(usuario) -> list[tuple]:
    """The indicator codes each centre the user may import reports in the year in course, in
    its form's order: what the file's `Centro` and `Indicador` columns take
    (`CIFRAS_REFERENCIA_ENCABEZADOS`)."""
    unidades = dict(Indicador.Unidad.choices)
    return [
        (numero, nombre, codigo, indicador, unidades.get(unidad, unidad))
        for numero, nombre, codigo, indicador, unidad in IndicadorCentro.objects.del_anio(
            timezone.localdate().year
        )
        .filter(centro__in=centros_de_usuario(usuario))
        .order_by("centro__numero", "orden", "indicador__nombre")
        .values_list(
            "centro__numero",
            "centro__nombre_corto",
            "indicador__codigo",
            "indicador__nombre",
            "indicador__unidad",
        )
    ]


# --- Centres -----------------------------------------------------------------------------------


def area_leer(row, areas: dict, errores: dict[str, str]):
    """The área of the row's «Código del área», among `areas` ({normalised code: Área});
    None, with a Spanish error naming the codes, otherwise."""
    codigo = celda_texto(row.get("codigo_del_area"))
    area = areas.get(columna_normalizar(codigo))
    if area is None:
        codigos = ", ".join(area.codigo for area in areas.values())
        errores["codigo_del_area"] = (
            f"No existe el área «{codigo}»: escriba uno de los códigos {codigos}."
            if codigo
            else f"Escriba el código del área: {codigos}."
        )
    return area


def desde_anio_leer(row, errores: dict[str, str]) -> int | None:
    """The year from which the row's change of what defines a centre applies: its «Desde el
    año», the year in course when the file has no such column or leaves it empty; None, with a
    Spanish error, for anything but a year."""
    texto = celda_texto(row.get("desde_el_anio"))
    if not texto:
        return anio_de_los_cambios()
    anio = celda_entero(texto)
    if anio is None or not PRIMER_ANIO <= anio <= 9999:
        errores["desde_el_anio"] = (
            f"«{texto}» no es un año: escriba desde qué año rige el cambio, con cuatro cifras "
            f"({PRIMER_ANIO} o posterior), o deje la celda vacía para el año en curso."
        )
        return None
    return anio


# The service's refusal asks for a reason, which a file has no column for.
_CORREGIR_EN_LA_FICHA = (
    "Una importación no corrige esos años: haga ese cambio en la ficha del centro, en la "
    "administración, donde se escribe el motivo."
)


class HojaDeCentros(FormatoHoja):
    """CSV or XLSX of centres, one per row, found by their number."""

    columnas = (
        "Número",
        "Nombre",
        "Nombre corto",
        "Código del área",
        "Modalidad",
        "Línea de servicio",
        "Parroquia",
    )
    # A file without them leaves the centres' address and capacity as they are; without
    # «Desde el año», a change of what defines a centre applies from the year in course.
    opcionales = ("Dirección", "Capacidad", "Desde el año")


class CentroResource(RecursoDeHoja, resources.ModelResource):
    """Creates the centres a file has and updates those it names by number (`RecursoDeHoja`).
    Área by its code, modality and service line by value or label, parish by name.

    An existing centre is changed as the admin's form changes it (`centro_definir`): what
    defines it (`CAMPOS_DEL_ANIO`) from the row's «Desde el año» on, the years before keeping
    theirs. A change that reaches a year whose report already rests on the old definition
    (approved months, a published report) refuses the row: correcting such a year takes a
    reason, written in the admin's form."""

    columnas_de_campos = {
        "numero": "numero",
        "nombre_corto": "nombre_corto",
        "area": "codigo_del_area",
        "linea_servicio": "linea_de_servicio",
    }

    class Meta:
        model = Centro
        fields = [
            "numero",
            "nombre",
            "nombre_corto",
            "area",
            "modalidad",
            "linea_servicio",
            "parroquia",
            "direccion",
            "capacidad",
        ]
        # No `id` column: a centre is found by its number.
        import_id_fields = []
        use_transactions = True

    def hoja_preparar(self) -> None:
        self._areas = {columna_normalizar(area.codigo): area for area in Area.objects.all()}
        self._parroquias = {
            columna_normalizar(parroquia.nombre): parroquia for parroquia in Parroquia.objects.all()
        }
        self._desde_anio: int | None = None  # the row's, read by `fila_leer`

    def existentes(self):
        # Joined: the definition's check compares a row's área and parish to them, a query
        # per row otherwise.
        centros = Centro.objects.select_related("area", "parroquia")
        return {centro.numero: centro for centro in centros}

    def fila_clave(self, valores):
        return valores["numero"]

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
        valores: dict[str, object] = {}
        numero = celda_entero(row.get("numero"))
        if numero is None or numero < 1:
            errores["numero"] = "Escriba el número del centro (un entero, por ejemplo 12)."
        valores["numero"] = numero
        for columna, que in (("nombre", "el nombre"), ("nombre_corto", "el nombre corto")):
            valores[columna] = celda_texto(row.get(columna))
            if not valores[columna]:
                errores[columna] = f"Escriba {que} del centro."
        valores["area"] = area_leer(row, self._areas, errores)
        for columna, campo, opciones in (
            ("modalidad", "modalidad", Modalidad.choices),
            ("linea_de_servicio", "linea_servicio", LineaServicio.choices),
        ):
            try:
                valores[campo] = celda_opcion(row.get(columna), opciones)
            except ValidationError as error:
                errores[columna] = error.messages[0]
            else:
                if valores[campo] is None:
                    nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in opciones)
                    errores[columna] = f"Escriba una de {nombres}."
        parroquia = celda_texto(row.get("parroquia"))
        valores["parroquia"] = self._parroquias.get(columna_normalizar(parroquia))
        if valores["parroquia"] is None:
            errores["parroquia"] = (
                f"No existe la parroquia «{parroquia}»." if parroquia else "Escriba la parroquia."
            )
        if "direccion" in row:
            valores["direccion"] = celda_texto(row["direccion"])
        if "capacidad" in row:
            try:
                capacidad = numero_leer(row["capacidad"], clase=Clase.PERSONAS)
            except ValidationError as error:
                errores["capacidad"] = error.messages[0]
            else:
                valores["capacidad"] = int(capacidad) if capacidad is not None else None
        # Not a field of the centre: kept beside its values for `import_instance` and the save.
        self._desde_anio = desde_anio_leer(row, errores)
        if errores:
            raise ValidationError(errores)
        return valores

    def import_instance(self, instance, row, **kwargs):
        # Checked against the centre as stored, before the row's values are set on it; the
        # refusal joins the model's errors of the row (`validate_instance`).
        rechazo = None
        if instance.pk is not None:
            try:
                centro_definicion_comprobar(
                    centro=instance, cambios=self._valores, desde_anio=self._desde_anio
                )
            except ValidationError as error:
                rechazo = " ".join([*error.messages, _CORREGIR_EN_LA_FICHA])
        super().import_instance(instance, row, **kwargs)
        if rechazo:
            raise ValidationError({"desde_el_anio": rechazo})

    def do_instance_save(self, instance, is_create):
        if is_create:
            super().do_instance_save(instance, is_create)
            return
        # As the admin's form saves it: the years before the row's keep their definition.
        centro_definir(
            centro=instance,
            cambios=self._valores,
            desde_anio=self._desde_anio,
            usuario=self._importador,
        )


def centros_plantilla(usuario=None) -> list[tuple]:
    """The centres' template: an example row, with an área and a parish that exist, and the
    year a change applies from when the cell is left empty."""
    area = Area.objects.values_list("codigo", flat=True).first() or "codigo-del-area"
    parroquia = Parroquia.objects.values_list("nombre", flat=True).first() or "Sucre"
    return [
        (
            99,
            "Centro de ejemplo (reemplace esta fila)",
            "Ejemplo",
            area,
            Modalidad.DIRECTA.label,
            LineaServicio.DESARROLLO_INFANTIL.label,
            parroquia,
            "Calle Bolívar y Rocafuerte",
            40,
            anio_de_los_cambios(),
        )
    ]
