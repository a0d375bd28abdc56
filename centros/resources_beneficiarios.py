"""Spreadsheet import of the nominal registry: people with their enrolments (django-import-export).

One row per enrolment. The person is found by cédula (one person, one record, whatever centre
registered them): a new cédula registers the person, a known one updates their data. The
enrolment is found by person, centre and «Desde»: a new one is enrolled through
`beneficiario_inscribir` (the registry's rules: not before the birth date, not while an
enrolment in that centre is open), a known one gets its exit date through
`inscripcion_finalizar`. An empty «Hasta» leaves a recorded exit as it is: an import records
exits, it does not undo them.

Centre staff import only for their centres (`centros_de_usuario`): a row of another centre
refuses the file. Personal data (LOPDP): a cédula appears only in its own row's error, masked as
everywhere else, never in the preview's columns nor in a log line. All or nothing, and the same
file twice changes nothing (`casmul.hojas.RecursoDeHoja`).
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources

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
from .services import beneficiario_inscribir, inscripcion_finalizar
from .validators import validar_cedula

# The person's fields a row gives, in the order they are compared and written.
_CAMPOS_PERSONA = (
    "apellidos",
    "nombres",
    "fecha_nacimiento",
    "sexo",
    "tiene_discapacidad",
    "porcentaje_discapacidad",
    "grupo_prioritario",
)


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
        super().before_import(dataset, **kwargs)

    def hoja_preparar(self) -> None:
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}
        # Only the file's people: the registry is not read whole.
        self._personas = {
            persona.cedula: persona
            for persona in Beneficiario.objects.filter(cedula__in=self._cedulas)
        }
        self._filas_persona: dict[str, tuple[int, dict]] = {}
        # People also enrolled in a centre the user does not keep: their data is not theirs to
        # correct (the web form does not let them either).
        self._ajenas = (
            set()
            if self._permitidos is None
            else set(
                Inscripcion.objects.filter(beneficiario__cedula__in=self._cedulas)
                .exclude(centro__in=self._permitidos)
                .values_list("beneficiario__cedula", flat=True)
            )
        )

    def existentes(self):
        return {
            (inscripcion.beneficiario.cedula, inscripcion.centro_id, inscripcion.desde): inscripcion
            for inscripcion in Inscripcion.objects.filter(
                beneficiario__cedula__in=self._cedulas
            ).select_related("beneficiario", "centro")
        }

    def fila_clave(self, valores):
        return (valores["cedula"], valores["centro"].pk, valores["desde"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
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
                fecha = celda_fecha(row[columna])
            except ValidationError as error:
                errores[columna] = error.messages[0]
                continue
            if fecha is not None:
                valores[columna] = fecha
            elif obligatoria:
                errores[columna] = "Escriba la fecha de inscripción, por ejemplo 15/03/2024."
        desde, hasta = valores.get("desde"), valores.get("hasta")
        if desde and hasta and hasta < desde:
            errores["hasta"] = "La fecha de salida no puede ser anterior a la de inscripción."
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
            datos["fecha_nacimiento"] = celda_fecha(row.get("fecha_de_nacimiento"))
        except ValidationError as error:
            errores["fecha_de_nacimiento"] = error.messages[0]
        else:
            if datos["fecha_nacimiento"] is None:
                errores["fecha_de_nacimiento"] = "Escriba la fecha de nacimiento (dd/mm/aaaa)."
        for columna, campo, opciones, que in (
            ("sexo", "sexo", Beneficiario.Sexo.choices, "el sexo"),
            (
                "grupo_prioritario",
                "grupo_prioritario",
                Beneficiario.GrupoPrioritario.choices,
                "el grupo de atención prioritaria",
            ),
        ):
            try:
                valor = celda_opcion(row.get(columna), opciones)
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
            datos["tiene_discapacidad"] = bool(celda_si_no(row.get("discapacidad")))
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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errores = dict(import_validation_errors or {})
        if self._persona_cambia and self._persona.pk and self._cedula in self._ajenas:
            errores[NON_FIELD_ERRORS] = [
                "Esta persona está inscrita también en un centro que no es suyo: escriba sus "
                "datos como están registrados, o pida a la Administración que los corrija."
            ]
        elif self._persona_cambia:
            try:
                # The cédula was looked up with the file's: it is known not to be taken.
                self._persona.full_clean(validate_unique=False)
            except ValidationError as error:
                errores = error.update_error_dict(errores)
        if errores:
            columnas = self.columnas_de_campos
            raise ValidationError(
                {columnas.get(campo, campo): lista for campo, lista in errores.items()}
            )

    def save_instance(self, instance, is_create, row, **kwargs):
        # A dry run writes too, inside the transaction rolled back at the end, so that the
        # preview meets the registry's rules exactly as the import would.
        persona = self._persona
        if persona.pk is not None and self._persona_cambia:
            persona.save(update_fields=[campo for campo in _CAMPOS_PERSONA if campo in self._datos])
        if is_create:
            registrada = beneficiario_inscribir(
                cedula=self._cedula,
                datos={campo: getattr(persona, campo) for campo in _CAMPOS_PERSONA},
                centro=instance.centro,
                desde=instance.desde,
            ).inscripcion
            instance.pk, instance.beneficiario = registrada.pk, registrada.beneficiario
            self._personas[self._cedula] = registrada.beneficiario
            self._hasta_cambia = instance.hasta is not None
        if self._hasta_cambia:
            inscripcion_finalizar(inscripcion=instance, hasta=instance.hasta)


def beneficiarios_plantilla() -> list[tuple]:
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
