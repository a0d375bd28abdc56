"""Spreadsheet import of agreements (django-import-export).

An agreement is found by its number and start date («Desde»), or by its title and start date
when it has no number (S/N). A row that names a stored agreement updates it, another creates
one; a row equal to its agreement, counterparts and centres included, is left unchanged.
Counterparts are institutions already registered, named by name, acronym or both as the
portal shows them («Nombre (SIGLAS)»); centres are their numbers. Both lists are separated by
« | » in the cell (a comma or a `;` may be part of a name; a `;` also separates a CSV's cells;
commas between centres' numbers are read too). The list's export (`hoja_de_convenios`)
writes these same columns, so that a file downloaded and uploaded unchanged changes nothing.
Money is read the Ecuadorian way (`casmul.numeros`). Every row goes through
`Convenio.full_clean`, so an agreement of a published year is refused (`casmul.cierres`), and
the import is all or nothing (`casmul.hojas.RecursoDeHoja`).
"""

import datetime
import re
from decimal import Decimal

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from import_export import fields, resources, widgets

from casmul.hojas import (
    FormatoHoja,
    RecursoDeHoja,
    celda_entero,
    celda_fecha,
    celda_opcion,
    celda_si_no,
    celda_texto,
    columna_normalizar,
)
from casmul.numeros import Clase, numero_leer
from centros.models import Centro

from .models import Convenio, Institucion

SEPARADOR_CONTRAPARTES = "|"
# How many registered institutions an unknown one's error names, so that it stays readable.
_INSTITUCIONES_NOMBRADAS = 10


class HojaDeConvenios(FormatoHoja):
    """CSV or XLSX of agreements, one per row."""

    columnas = (
        "Número",
        "Título",
        "Tipo",
        "Contrapartes",
        "Fecha de suscripción",
        "Desde",
        "Indefinido",
        "Objeto",
        "Centros",
    )
    # A file without them leaves those of a stored agreement as they are.
    opcionales = ("Programa MIES", "Hasta", "Duración en meses", "Monto")


def _clave(numero: str, titulo: str, desde: datetime.date | None) -> tuple:
    # Compared as the clerk would: case, accents and spacing do not make another agreement.
    if numero:
        return ("numero", columna_normalizar(numero), desde)
    return ("titulo", columna_normalizar(titulo), desde)


class ConvenioResource(RecursoDeHoja, resources.ModelResource):
    """Creates the agreements a file has and updates those it names (`RecursoDeHoja`); the
    counterparts and centres are set after the agreement is saved."""

    columnas_de_campos = {
        "programa_mies": "programa_mies",
        "fecha_suscripcion": "fecha_de_suscripcion",
        "fecha_inicio": "desde",
        "fecha_fin": "hasta",
        "duracion_declarada_meses": "duracion_en_meses",
    }

    # Named as the file's columns, so that the preview shows a refused row's cells under them.
    fecha_suscripcion = fields.Field(
        attribute="fecha_suscripcion", column_name="fecha_de_suscripcion"
    )
    fecha_inicio = fields.Field(attribute="fecha_inicio", column_name="desde")
    fecha_fin = fields.Field(attribute="fecha_fin", column_name="hasta")
    duracion = fields.Field(attribute="duracion_declarada_meses", column_name="duracion_en_meses")
    contrapartes = fields.Field(
        attribute="instituciones",
        column_name="contrapartes",
        widget=widgets.ManyToManyWidget(
            Institucion, separator=f" {SEPARADOR_CONTRAPARTES} ", field="nombre"
        ),
        readonly=True,
    )
    centros = fields.Field(
        attribute="centros",
        column_name="centros",
        widget=widgets.ManyToManyWidget(Centro, separator=", ", field="numero"),
        readonly=True,
    )

    class Meta:
        model = Convenio
        fields = [
            "numero",
            "titulo",
            "tipo",
            "programa_mies",
            "contrapartes",
            "fecha_suscripcion",
            "fecha_inicio",
            "fecha_fin",
            "indefinido",
            "duracion",
            "objeto",
            "centros",
            "monto",
        ]
        # No `id` column: an agreement is found by its number (or title) and start date.
        import_id_fields = []
        use_transactions = True

    def hoja_preparar(self) -> None:
        self._instituciones: dict[str, list[Institucion]] = {}
        self._nombres_instituciones: list[str] = []
        for institucion in Institucion.objects.all():
            self._nombres_instituciones.append(institucion.siglas or institucion.nombre)
            for nombre in {institucion.nombre, institucion.siglas, str(institucion)} - {""}:
                self._instituciones.setdefault(columna_normalizar(nombre), []).append(institucion)
        self._centros = {centro.numero: centro for centro in Centro.objects.all()}
        self._relaciones: dict[str, list] = {}

    def existentes(self):
        return {
            _clave(convenio.numero, convenio.titulo, convenio.fecha_inicio): convenio
            for convenio in Convenio.objects.prefetch_related("instituciones", "centros")
        }

    def fila_clave(self, valores):
        return _clave(valores["numero"], valores["titulo"], valores["fecha_inicio"])

    def fila_leer(self, row) -> dict[str, object]:
        errores: dict[str, str] = {}
        numero = celda_texto(row.get("numero"))
        valores: dict[str, object] = {
            # «S/N» is how the agreements list shows an empty number.
            "numero": "" if columna_normalizar(numero) == "s/n" else numero,
            "titulo": celda_texto(row.get("titulo")),
            "objeto": celda_texto(row.get("objeto")),
        }
        for campo, que in (("titulo", "el título"), ("objeto", "el objeto")):
            if not valores[campo]:
                errores[campo] = f"Escriba {que} del convenio."
        for columna, campo, opciones in (
            ("tipo", "tipo", Convenio.Tipo.choices),
            ("programa_mies", "programa_mies", Convenio.ProgramaMies.choices),
        ):
            if columna not in row:
                continue
            try:
                valores[campo] = celda_opcion(row[columna], opciones) or ""
            except ValidationError as error:
                errores[columna] = error.messages[0]
        if "tipo" not in errores and not valores.get("tipo"):
            nombres = ", ".join(f"«{etiqueta}»" for _, etiqueta in Convenio.Tipo.choices)
            errores["tipo"] = f"Escriba el tipo de convenio: {nombres}."
        for columna, campo in (
            ("fecha_de_suscripcion", "fecha_suscripcion"),
            ("desde", "fecha_inicio"),
            ("hasta", "fecha_fin"),
        ):
            if columna not in row:
                continue
            try:
                valores[campo] = celda_fecha(row[columna])
            except ValidationError as error:
                errores[columna] = error.messages[0]
        if (
            "desde" not in errores
            and valores["fecha_inicio"] is None
            # One stored without it is found as it is (its row of the list's export).
            and _clave(valores["numero"], valores["titulo"], None) not in self._existentes
        ):
            # Part of what finds the agreement: without it a second import could not.
            errores["desde"] = "Escriba la fecha de inicio, por ejemplo 15/03/2024."
        try:
            valores["indefinido"] = bool(celda_si_no(row.get("indefinido")))
        except ValidationError as error:
            errores["indefinido"] = error.messages[0]
        if "duracion_en_meses" in row:
            texto = celda_texto(row["duracion_en_meses"])
            valores["duracion_declarada_meses"] = celda_entero(texto) if texto else None
            if texto and not 1 <= (valores["duracion_declarada_meses"] or 0) <= 1200:
                errores["duracion_en_meses"] = (
                    "Escriba la duración como un número entero de meses («2 años» = 24), o "
                    "déjela vacía."
                )
        if "monto" in row:
            try:
                valores["monto"] = numero_leer(row["monto"], clase=Clase.DINERO)
            except ValidationError as error:
                errores["monto"] = error.messages[0]
        valores["instituciones"] = self._contrapartes_leer(row.get("contrapartes"), errores)
        valores["centros"] = self._centros_leer(row.get("centros"), errores)
        if errores:
            raise ValidationError(errores)
        return valores

    def _contrapartes_leer(self, valor, errores: dict[str, str]) -> list[Institucion]:
        encontradas: list[Institucion] = []
        for nombre in filter(
            None, (n.strip() for n in celda_texto(valor).split(SEPARADOR_CONTRAPARTES))
        ):
            candidatas = self._instituciones.get(columna_normalizar(nombre), [])
            if len(candidatas) == 1:
                encontradas.append(candidatas[0])
                continue
            if candidatas:
                errores["contrapartes"] = (
                    f"«{nombre}» nombra a varias instituciones: escriba su nombre completo."
                )
            else:
                registradas = self._nombres_instituciones
                lista = ", ".join(registradas[:_INSTITUCIONES_NOMBRADAS])
                if len(registradas) > _INSTITUCIONES_NOMBRADAS:
                    lista += f" y {len(registradas) - _INSTITUCIONES_NOMBRADAS} más"
                errores["contrapartes"] = (
                    f"No existe la institución «{nombre}»: regístrela en Instituciones o escriba "
                    f"el nombre o las siglas de una registrada ({lista or 'no hay ninguna'}), "
                    f"separadas por «{SEPARADOR_CONTRAPARTES}»."
                )
            break
        return encontradas

    def _centros_leer(self, valor, errores: dict[str, str]) -> list[Centro]:
        encontrados: list[Centro] = []
        # «|» as in every list of the file; a comma too, as files written before used it.
        for texto in filter(None, (t.strip() for t in re.split(r"[|,]", celda_texto(valor)))):
            numero = celda_entero(texto)
            if numero is None:
                errores["centros"] = (
                    f"«{texto}» no es un número de centro: escriba los números separados por "
                    f"«{SEPARADOR_CONTRAPARTES}», por ejemplo 3 {SEPARADOR_CONTRAPARTES} 12."
                )
                break
            if numero not in self._centros:
                errores["centros"] = f"No existe el centro número {numero}."
                break
            encontrados.append(self._centros[numero])
        return encontrados

    def before_import_row(self, row, **kwargs):
        self._relaciones = {}
        super().before_import_row(row, **kwargs)
        # Set after the agreement is saved (`save_m2m`), not as its fields.
        self._relaciones = {
            campo: self._valores.pop(campo) for campo in ("instituciones", "centros")
        }

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not self._cambia:
            # Prefetched with the stored agreements: no query per row.
            self._cambia = any(
                {objeto.pk for objeto in getattr(instance, campo).all()}
                != {objeto.pk for objeto in nuevos}
                for campo, nuevos in self._relaciones.items()
            )

    def save_m2m(self, instance, row, **kwargs):
        # A dry run writes too, inside the transaction rolled back at the end.
        for campo, nuevos in self._relaciones.items():
            getattr(instance, campo).set(nuevos)


# Shown in the list's export for reading; the import ignores it (a date decides it).
ESTADO = "Estado"


def hoja_de_convenios(convenios, *, hoy: datetime.date) -> tablib.Dataset:
    """The agreements with the import's columns, written as it reads them (and their state,
    which it ignores): the list's export, which uploaded unchanged changes nothing."""
    datos = tablib.Dataset(
        headers=[*HojaDeConvenios.columnas, *HojaDeConvenios.opcionales, ESTADO],
        title="Convenios",
    )
    for convenio in convenios:
        datos.append(
            [
                convenio.numero_mostrado,
                convenio.titulo,
                convenio.get_tipo_display(),
                f" {SEPARADOR_CONTRAPARTES} ".join(str(i) for i in convenio.instituciones.all()),
                convenio.fecha_suscripcion,
                convenio.fecha_inicio,
                "Sí" if convenio.indefinido else "No",
                convenio.objeto,
                # Their numbers, never how many: the import reads which centres.
                f" {SEPARADOR_CONTRAPARTES} ".join(
                    str(c.numero) for c in sorted(convenio.centros.all(), key=_numero)
                ),
                convenio.get_programa_mies_display() if convenio.programa_mies else "",
                convenio.fecha_fin,
                convenio.duracion_declarada_meses,
                convenio.monto,
                convenio.estado(hoy).label,
            ]
        )
    return datos


def _numero(centro: Centro) -> int:
    return centro.numero


def convenios_plantilla(usuario=None) -> list[tuple]:
    """The agreements' template: an example row with counterparts and a centre that exist."""
    anio = timezone.localdate().year
    contrapartes = f" {SEPARADOR_CONTRAPARTES} ".join(
        siglas or nombre
        for nombre, siglas in Institucion.objects.values_list("nombre", "siglas")[:2]
    )
    centro = Centro.objects.order_by("numero").values_list("numero", flat=True).first()
    return [
        (
            f"CONV-CASMUL-001-{anio}",
            "Convenio de cooperación de ejemplo (reemplace esta fila)",
            Convenio.Tipo.INTERINSTITUCIONAL.label,
            contrapartes or f"MIES {SEPARADOR_CONTRAPARTES} Universidad Nacional de Loja",
            datetime.date(anio, 1, 10),
            datetime.date(anio, 2, 1),
            "No",
            "Cooperación para la atención a grupos prioritarios.",
            f"{centro}" if centro is not None else "3, 12",
            None,
            datetime.date(anio, 12, 31),
            11,
            Decimal("25000.00"),
        )
    ]
