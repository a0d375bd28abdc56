"""The kinds of records imported from spreadsheets, each registered by its app in `ready()`
(`importable_registrar`): its columns, resource, template, who imports it from the portal and
what reference the import page shows. No domain app is imported here: the apps give all of it."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import tablib

from casmul.exportar import libro
from casmul.roles import Rol, tiene_rol

from .resources import FormatoHoja


def _siempre(usuario) -> bool:
    return True


@dataclass(frozen=True)
class OpcionDeImportacion:
    """A keyword argument of a kind's resource offered on confirming an import: a checkbox,
    or a text (`texto`) passed when written."""

    nombre: str  # the resource's keyword argument: "enviar"
    etiqueta: str  # the field's label
    # Who is offered it; the resource checks again when it acts on it.
    permitida: Callable[[object], bool] = _siempre
    texto: bool = False
    ayuda: str = ""


@dataclass(frozen=True)
class Referencia:
    """What a clerk needs at hand to fill a kind's file (the codes to write), as a table."""

    titulo: str
    encabezados: tuple[str, ...]
    filas: list[tuple]


@dataclass(frozen=True)
class TipoImportable:
    """A kind of record imported from spreadsheets, registered by its app in `ready()`."""

    slug: str  # in the template's address and the command: "centros"
    nombre: str  # "Centros"
    recurso: type  # the import-export resource
    formato: type[FormatoHoja]  # its columns, required and optional
    # The template's rows under the headers for the user who downloads it: an example, or what
    # there is to fill (their own centres' figures).
    plantilla: Callable[[object], Iterable[Sequence]]
    # Who may download the template and import from the portal's page (`/importar/`); in the
    # admin, its permissions decide.
    roles: tuple[Rol, ...] = (Rol.ADMINISTRACION,)
    # The reference the import page shows for the user (rows under `referencia_encabezados`),
    # limited to what the user may import; None when the kind needs none.
    referencia: Callable[[object], list[tuple]] | None = None
    referencia_encabezados: tuple[str, ...] = ()
    referencia_titulo: str = ""
    # The resource's options offered on confirming (`OpcionDeImportacion`).
    opciones: tuple[OpcionDeImportacion, ...] = ()

    @property
    def columnas(self) -> tuple[str, ...]:
        return self.formato.columnas

    @property
    def opcionales(self) -> tuple[str, ...]:
        return self.formato.opcionales

    @property
    def encabezados(self) -> tuple[str, ...]:
        return (*self.columnas, *self.opcionales)

    def importa(self, usuario) -> bool:
        """Whether the user may import it (and download its template) from the portal."""
        return tiene_rol(usuario, *self.roles)

    def referencia_de(self, usuario) -> Referencia | None:
        if self.referencia is None:
            return None
        return Referencia(
            titulo=self.referencia_titulo or "Referencia",
            encabezados=self.referencia_encabezados,
            filas=list(self.referencia(usuario)),
        )

    def opciones_de(self, usuario) -> tuple[OpcionDeImportacion, ...]:
        return tuple(opcion for opcion in self.opciones if opcion.permitida(usuario))


_IMPORTABLES: dict[str, TipoImportable] = {}


def importable_registrar(tipo: TipoImportable) -> None:
    """Registers a kind (again on a second `ready()`: the last registration wins)."""
    _IMPORTABLES[tipo.slug] = tipo


def importable(slug: str) -> TipoImportable:
    """The registered kind; LookupError, naming the kinds there are, for another."""
    try:
        return _IMPORTABLES[slug]
    except KeyError:
        tipos = ", ".join(sorted(_IMPORTABLES)) or "ninguno"
        raise LookupError(f"No se importa «{slug}»: los tipos son {tipos}.") from None


def importables() -> list[TipoImportable]:
    return sorted(_IMPORTABLES.values(), key=lambda tipo: tipo.slug)


def importables_de(usuario) -> list[TipoImportable]:
    """The kinds the user may import from the portal, by name."""
    return sorted(
        (tipo for tipo in _IMPORTABLES.values() if tipo.importa(usuario)),
        key=lambda tipo: tipo.nombre,
    )


def plantilla_xlsx(tipo: TipoImportable, usuario) -> bytes:
    """The kind's template: its headers as the import reads them and the rows its app gives
    the user."""
    datos = tablib.Dataset(*tipo.plantilla(usuario), headers=list(tipo.encabezados))
    return libro(f"Plantilla de importación: {tipo.nombre}", [(datos, tipo.nombre)])
