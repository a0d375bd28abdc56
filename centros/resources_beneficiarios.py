"""Spreadsheet import of the nominal registry: people with their enrolments (django-import-export).

One row per enrolment. The person is found by cédula (one person, one record, whatever centre
registered them): a new cédula registers the person, a known one updates their data. The
enrolment is found by person, centre and «Desde»: a new one meets the registry's rules
(`centros.services.inscripcion_comprobar`: not before the birth date, not while an enrolment in
that centre is open), a known one gets its exit date. An empty «Hasta» leaves a recorded exit as
it is: an import records exits, it does not undo them.

A file may hold the whole registry (100.000 rows, `casmul.hojas.FILAS_MAXIMO`): the rows are
checked against what is read once for the file (its people and their enrolments), with the
same rule functions as the registry's services, and written only once every row is valid, in
batches, with their change history (`casmul.historia.creados_con_historia` for the new ones,
which the database copies; `bulk_update_with_history` for the changed): people first, then their
enrolments. The queries do not grow with the rows, only with their batches.

Centre staff import only for their centres (`centros_de_usuario`): a row of another centre
refuses the file. Personal data (LOPDP): a cédula appears only in its own row's error, masked as
everywhere else, never in the preview's columns nor in a log line. All or nothing, and the same
file twice changes nothing (`casmul.hojas.RecursoDeHoja`).
"""

import datetime
import gc
from collections import defaultdict
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.utils import timezone
from import_export import fields, resources
from simple_history.utils import bulk_update_with_history

from casmul.historia import creados_con_historia
from casmul.hojas import (
    FormatoHoja,
    RecursoDeHoja,
    celda_entero,
    celda_fecha,
    celda_opcion,
    celda_si_no,
    celda_texto,
)

from .models import Beneficiario, Centro, Inscripcion
from .selectors.acceso import centros_de_usuario
from .services import (
    beneficiario_nuevo_comprobar,
    inscripcion_comprobar,
    inscripcion_salida_comprobar,
)
from .validators import validar_cedula

# The person's fields a row gives, in the order they are compared and written.
_CAMPOS_PERSONA = Beneficiario.DATOS
# The person's columns of a choice: column, field, choices (built once: `.choices` builds a list
# on every read), what the clerk is told to write.
_OPCIONES = (
    ("sexo", "sexo", Beneficiario.Sexo.choices, "el sexo"),
    (
        "grupo_prioritario",
        "grupo_prioritario",
        Beneficiario.GrupoPrioritario.choices,
        "el grupo de atención prioritaria",
    ),
)
# The person's fields `_persona_leer` only gives as valid values: the cédula checked, a date, a
# choice, a boolean, a percentage from 1 to 100. The names are left to the model (their length).
_LEIDOS_VALIDOS = (
    "cedula",
    "fecha_nacimiento",
    "sexo",
    "tiene_discapacidad",
    "porcentaje_discapacidad",
    "grupo_prioritario",
)
# Records per write statement and cédulas per lookup: a file of 100.000 rows costs a few hundred
# queries, and a lookup stays within SQLite's limit of parameters.
LOTE = 1000
_ESCRITO_A_LA_VEZ = (
    "Mientras se importaba, alguien registró a una persona de este archivo o cambió una de sus "
    "inscripciones; no se importó nada. Vuelva a importar el archivo."
)


@contextmanager
def _recolector_en_pausa():
    """Python's cyclic garbage collector paused: a file of 100.000 rows keeps hundreds of
    thousands of objects alive until it is written (records, row results, history records), and
    the collector would walk them all again and again, a third of the import's time. They form
    no cycles to free; memory is released by reference counting as always. Process-wide: in a
    thread the other threads' cycles wait for the end of the import (at most a few seconds)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _lotes(valores: list) -> list[list]:
    return [valores[inicio : inicio + LOTE] for inicio in range(0, len(valores), LOTE)]


def cedula_leer(valor) -> str:
    """The cédula of a cell as text. A number cell (XLSX) has lost the leading zero of the
    provinces 01–09: it is put back, since a number cannot have kept it."""
    if isinstance(valor, int | float) and not isinstance(valor, bool):
        entero = celda_entero(valor)
        return f"{entero:010d}" if entero is not None and entero >= 0 else celda_texto(valor)
    return celda_texto(valor)


def _enmascarada(cedula: str) -> str:
    # The registry's own masking rule, so that every screen shows the same digits.
    return Beneficiario(cedula=cedula).cedula_enmascarada


class HojaDeBeneficiarios(FormatoHoja):
    """CSV or XLSX of the nominal registry, one row per enrolment."""

    columnas = (
        "Cédula",
        "Apellidos",
        "Nombres",
        "Fecha de nacimiento",
        "Sexo",
        "Discapacidad",
        "Centro",
        "Desde",
    )
    # Without them a known person keeps their percentage and group, an enrolment its exit.
    opcionales = ("Porcentaje de discapacidad", "Grupo prioritario", "Hasta")


class BeneficiarioResource(RecursoDeHoja, resources.ModelResource):
    """Enrolments, with their person (see the module). The preview shows the person by name,
    never by cédula."""

    columnas_de_campos = {
        "fecha_nacimiento": "fecha_de_nacimiento",
        "tiene_discapacidad": "discapacidad",
        "porcentaje_discapacidad": "porcentaje_de_discapacidad",
    }

    persona = fields.Field(attribute="beneficiario", column_name="persona", readonly=True)
    centro = fields.Field(attribute="centro__numero", column_name="centro", readonly=True)

    class Meta:
        model = Inscripcion
        fields = ["persona", "centro", "desde", "hasta"]
        # No `id` column: an enrolment is found by cédula, centre and start date.
        import_id_fields = []
        use_transactions = True
        # Nothing is written row by row (`save_instance` keeps the records, `after_import`
        # writes them): the library's bulk mode spares the savepoint it opens for every row.
        use_bulk = True
        batch_size = LOTE
        # The library's diff copies every row's record to highlight what changes: a fifth of the
        # time of a big file. The preview's columns are filled in `after_import_row` instead.
        skip_diff = True

    def import_data(self, dataset, *args, **kwargs):
        with _recolector_en_pausa():
            return super().import_data(dataset, *args, **kwargs)

    def before_import(self, dataset, **kwargs):
        usuario = self.usuario_de(kwargs)
        # Read once per file. Without a user (the command run on the server) every centre.
        self._permitidos = (
            None
            if usuario is None
            else set(centros_de_usuario(usuario).values_list("pk", flat=True))
        )
        columna = dataset["cedula"] if "cedula" in (dataset.headers or []) else []
        self._cedulas = {cedula for cedula in map(cedula_leer, columna) if cedula}
        # What the valid rows will write, people before the enrolments that point to them.
        self._personas_nuevas: list[Beneficiario] = []
        self._personas_cambiadas: dict[int, Beneficiario] = {}
        self._inscripciones_nuevas: list[Inscripcion] = []
        self._inscripciones_cambiadas: dict[int, Inscripcion] = {}
        self._motivo = self.motivo_de("Importado", kwargs)
        super().before_import(dataset, **kwargs)

    def hoja_preparar(self) -> None:
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}
        centros = {centro.pk: centro for centro in self._centros.values()}
        # Only the file's people: the registry is not read whole.
        self._personas = {
            persona.cedula: persona
            for lote in _lotes(sorted(self._cedulas))
            for persona in Beneficiario.objects.filter(cedula__in=lote)
        }
        por_pk = {persona.pk: persona for persona in self._personas.values()}
        # All their enrolments, by person and centre, pointing to the same person and centre
        # objects as the rows (a change a row makes is seen by the next). The rules of a new
        # enrolment are checked against them and against those of the rows before it.
        self._inscripciones: defaultdict[tuple[str, int], list[Inscripcion]] = defaultdict(list)
        for lote in _lotes(sorted(por_pk)):
            for inscripcion in Inscripcion.objects.filter(beneficiario__in=lote).order_by():
                inscripcion.beneficiario = por_pk[inscripcion.beneficiario_id]
                inscripcion.centro = centros[inscripcion.centro_id]
                clave = (inscripcion.beneficiario.cedula, inscripcion.centro_id)
                self._inscripciones[clave].append(inscripcion)
        self._filas_persona: dict[str, tuple[int, dict]] = {}
        self._leidas: dict[tuple[str, str], object] = {}
        # People also enrolled in a centre the user does not keep: their data is not theirs to
        # correct (the web form does not let them either).
        self._ajenas = (
            set()
            if self._permitidos is None
            else {
                cedula for cedula, centro in self._inscripciones if centro not in self._permitidos
            }
        )

    def existentes(self):
        return {
            (cedula, centro, inscripcion.desde): inscripcion
            for (cedula, centro), inscripciones in self._inscripciones.items()
            for inscripcion in inscripciones
        }

    def fila_clave(self, valores):
        return (valores["cedula"], valores["centro"].pk, valores["desde"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, object] = {}
        cedula = cedula_leer(row.get("cedula"))
        if not cedula:
            errores["cedula"] = "Escriba la cédula (10 dígitos)."
        else:
            try:
                validar_cedula(cedula)
            except ValidationError as error:
                # Rendered without its parameters: they are digits of the cédula.
                motivos = " ".join(
                    e.message % dict.fromkeys(e.params or {}, "**") for e in error.error_list
                )
                errores["cedula"] = f"La cédula {_enmascarada(cedula)} no es válida. {motivos}"
        persona = self._persona_leer(row, cedula, errores)
        valores: dict[str, object] = {"cedula": cedula, "persona": persona}
        numero = celda_entero(row.get("centro"))
        valores["centro"] = self._centros.get(numero) if numero is not None else None
        if numero is None:
            errores["centro"] = "Escriba el número del centro."
        elif valores["centro"] is None:
            errores["centro"] = f"No existe el centro número {numero}."
        elif self._permitidos is not None and valores["centro"].pk not in self._permitidos:
            errores["centro"] = f"El centro {numero} no es uno de sus centros."
        for columna, obligatoria in (("desde", True), ("hasta", False)):
            if columna not in row:
                continue
            try:
                fecha = self._celda(columna, celda_fecha, row[columna])
            except ValidationError as error:
                errores[columna] = error.messages[0]
                continue
            if fecha is not None:
                valores[columna] = fecha
            elif obligatoria:
                errores[columna] = "Escriba la fecha de inscripción, por ejemplo 15/03/2024."
        desde, hasta = valores.get("desde"), valores.get("hasta")
        if desde and hasta:
            try:
                inscripcion_salida_comprobar(desde=desde, hasta=hasta)
            except ValidationError as error:
                errores.update(error.message_dict)
        if errores:
            raise ValidationError(errores)
        return valores

    def _persona_leer(self, row, cedula: str, errores: dict[str, str]) -> dict[str, object]:
        """The person's fields the row gives (those of an optional column it lacks are not
        among them)."""
        datos: dict[str, object] = {}
        for columna, que in (("apellidos", "los apellidos"), ("nombres", "los nombres")):
            datos[columna] = celda_texto(row.get(columna))
            if not datos[columna]:
                errores[columna] = f"Escriba {que}."
        try:
            datos["fecha_nacimiento"] = self._celda(
                "fecha_de_nacimiento", celda_fecha, row.get("fecha_de_nacimiento")
            )
        except ValidationError as error:
            errores["fecha_de_nacimiento"] = error.messages[0]
        else:
            if datos["fecha_nacimiento"] is None:
                errores["fecha_de_nacimiento"] = "Escriba la fecha de nacimiento (dd/mm/aaaa)."
        for columna, campo, opciones, que in _OPCIONES:
            try:
                valor = self._celda(columna, celda_opcion, row.get(columna), opciones)
            except ValidationError as error:
                errores[columna] = error.messages[0]
                continue
            if valor is not None:
                datos[campo] = valor
            elif columna == "sexo" or cedula not in self._personas:
                # A known person keeps their group; a new one must have one.
                nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in opciones)
                errores[columna] = f"Escriba {que}: {nombres}."
        try:
            datos["tiene_discapacidad"] = bool(
                self._celda("discapacidad", celda_si_no, row.get("discapacidad"))
            )
        except ValidationError as error:
            errores["discapacidad"] = error.messages[0]
        if "porcentaje_de_discapacidad" in row:
            texto = celda_texto(row["porcentaje_de_discapacidad"]).removesuffix("%").strip()
            porcentaje = celda_entero(texto) if texto else None
            if texto and (porcentaje is None or not 1 <= porcentaje <= 100):
                errores["porcentaje_de_discapacidad"] = (
                    "Escriba el porcentaje como un número entero del 1 al 100, o déjelo vacío."
                )
            elif porcentaje is not None and datos.get("tiene_discapacidad") is False:
                errores["porcentaje_de_discapacidad"] = (
                    "Solo una persona con discapacidad tiene porcentaje: escriba Sí en "
                    "«Discapacidad» o deje vacío el porcentaje."
                )
            datos["porcentaje_discapacidad"] = porcentaje
        if datos.get("tiene_discapacidad") is False:
            # A percentage kept from before would contradict the row.
            datos["porcentaje_discapacidad"] = None
        return datos

    def _celda(self, columna: str, leer, valor, *opciones):
        """`leer(valor, *opciones)`, once per column and text: a file repeats the same few
        labels («F», «Sí», a group) on every row. A refused one is read (and refused) again."""
        if not isinstance(valor, str):
            return leer(valor, *opciones)
        clave = (columna, valor)
        if clave not in self._leidas:
            self._leidas[clave] = leer(valor, *opciones)
        return self._leidas[clave]

    def before_import_row(self, row, **kwargs):
        self._cedula, self._datos, self._persona = "", {}, None
        super().before_import_row(row, **kwargs)
        self._cedula = self._valores.pop("cedula")
        self._datos = self._valores.pop("persona")
        # A person on several rows (several enrolments) is written with the same data on each:
        # otherwise which row is right?
        numero_fila = self.fila_de_la_hoja(kwargs["row_number"])
        primera, datos = self._filas_persona.setdefault(self._cedula, (numero_fila, self._datos))
        if primera != numero_fila and datos != self._datos:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: f"La persona de esta cédula está en la fila {primera} con "
                    "otros datos: escríbalos igual en las dos filas."
                }
            )

    def get_or_init_instance(self, instance_loader, row):
        instance, nueva = super().get_or_init_instance(instance_loader, row)
        self._persona = self._personas.get(self._cedula)
        if nueva and self._persona is not None:
            instance.beneficiario = self._persona
        return instance, nueva

    def import_instance(self, instance, row, **kwargs):
        self._hasta_cambia = "hasta" in self._valores and instance.hasta != self._valores["hasta"]
        super().import_instance(instance, row, **kwargs)
        persona = self._persona
        self._persona_cambia = persona is None or any(
            getattr(persona, campo) != valor for campo, valor in self._datos.items()
        )
        if persona is None:
            self._persona = Beneficiario(cedula=self._cedula, **self._datos)
        else:
            for campo, valor in self._datos.items():
                setattr(persona, campo, valor)
        self._cambia = self._cambia or self._persona_cambia
        self._instancia = instance

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        if self._prueba:
            # The admin's preview: the row's columns (the person by name) as they will be
            # stored. Nothing shows them after the import.
            instancia = self._instancia
            row_result.diff = [
                self.export_field(campo, instancia) for campo in self.get_user_visible_fields()
            ]

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errores = dict(import_validation_errors or {})
        persona = self._persona
        if self._persona_cambia and persona.pk and self._cedula in self._ajenas:
            errores[NON_FIELD_ERRORS] = [
                "Esta persona está inscrita también en un centro que no es suyo: escriba sus "
                "datos como están registrados, o pida a la Administración que los corrija."
            ]
        elif self._persona_cambia:
            try:
                if persona.pk is None:
                    beneficiario_nuevo_comprobar(datos=self._datos)
                # Without queries: the cédula was looked up with the file's, it is known not to
                # be taken; the table's constraints (the percentage's) were checked reading the
                # row, and Django checks a constraint with a query, for every row. Nor again
                # the fields the reading made valid values of (a tenth of a big file's time).
                persona.full_clean(
                    exclude=_LEIDOS_VALIDOS, validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                errores = error.update_error_dict(errores)
        if not errores and instance.pk is None:
            try:
                inscripcion_comprobar(
                    fecha_nacimiento=persona.fecha_nacimiento,
                    centro=instance.centro,
                    desde=instance.desde,
                    inscripciones=self._inscripciones.get((self._cedula, instance.centro.pk), []),
                )
            except ValidationError as error:
                errores = error.update_error_dict(errores)
        if errores:
            columnas = self.columnas_de_campos
            raise ValidationError(
                {columnas.get(campo, campo): lista for campo, lista in errores.items()}
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        # Kept, not written: `after_import` writes the file once every row is valid. A dry run
        # (the preview) checks exactly what the import would, against the same lookups.
        persona = self._persona
        if persona.pk is None:
            if self._personas.get(self._cedula) is not persona:
                self._personas_nuevas.append(persona)
                self._personas[self._cedula] = persona
        elif self._persona_cambia:
            self._personas_cambiadas[persona.pk] = persona
        if is_create:
            instance.beneficiario = persona
            self._inscripciones_nuevas.append(instance)
            # The next rows' enrolments are checked against this one too.
            self._inscripciones[(self._cedula, instance.centro.pk)].append(instance)
        elif self._hasta_cambia:
            self._inscripciones_cambiadas[instance.pk] = instance

    def after_import(self, dataset, result, **kwargs):
        if self._prueba or result.has_errors() or result.has_validation_errors():
            return  # a preview or a refused file writes nothing
        fecha = timezone.now()
        creados = {"usuario": self._importador, "motivo": self._motivo, "fecha": fecha}
        historia = {
            "batch_size": LOTE,
            "default_user": self._importador,
            "default_change_reason": self._motivo,
            "default_date": fecha,
        }
        try:
            if self._personas_nuevas:
                creados_con_historia(self._personas_nuevas, Beneficiario, **creados)
            if self._personas_cambiadas:
                bulk_update_with_history(
                    list(self._personas_cambiadas.values()),
                    Beneficiario,
                    list(_CAMPOS_PERSONA),
                    **historia,
                )
            if self._inscripciones_nuevas:
                # Their people have their ids now: `bulk_create` takes them from the objects.
                creados_con_historia(self._inscripciones_nuevas, Inscripcion, **creados)
            if self._inscripciones_cambiadas:
                bulk_update_with_history(
                    list(self._inscripciones_cambiadas.values()), Inscripcion, ["hasta"], **historia
                )
        except IntegrityError:
            # A cédula registered meanwhile by someone else. The database's message names it:
            # it is not passed on (nor logged).
            raise ValidationError(_ESCRITO_A_LA_VEZ) from None


def beneficiarios_plantilla(usuario=None) -> list[tuple]:
    """The registry's template: an example row with a valid test cédula and a centre that
    exists."""
    centro = Centro.objects.order_by("numero").values_list("numero", flat=True).first() or 1
    return [
        (
            "1100000007",  # valid check digit, not a real person's
            "Apellido Ejemplo (reemplace esta fila)",
            "Nombre Ejemplo",
            datetime.date(2021, 5, 20),
            Beneficiario.Sexo.FEMENINO.label,
            "No",
            centro,
            datetime.date(2024, 2, 1),
            None,
            Beneficiario.GrupoPrioritario.NINEZ.label,
            None,
        )
    ]
