"""Whether a restored copy holds each published report (`manage.py comprobar_respaldo`): the
published files with their SHA-256, and the figures recomputed from the database against the
snapshot of the version in force (docs/respaldos.md)."""

import json
from dataclasses import dataclass

from django.utils import timezone

from .instantanea import erratas, instantanea, instantanea_json
from .models import Publicacion, sha256
from .selectors import informe_rendicion


@dataclass(frozen=True)
class ArchivoAlterado:
    publicacion: Publicacion
    archivo: str  # which of its files: "PDF", "HTML", …
    ruta: str  # its name in the storage
    motivo: str  # "falta" (not in the storage) or "huella" (its SHA-256 differs)


@dataclass(frozen=True)
class ComprobacionDeRespaldo:
    """A year's published report against the database and the files it sits on."""

    publicacion: Publicacion  # the version in force, whose snapshot is recomputed
    archivos_comprobados: int
    archivos_alterados: list[ArchivoAlterado]
    # Each named figure that differs from the published snapshot: {"cifra", "antes", "despues"}.
    cifras_distintas: list[dict]
    # The parts of the snapshot that differ where no figure is named (a table's rows, …).
    partes_distintas: list[str]

    @property
    def coincide(self) -> bool:
        return not (self.archivos_alterados or self.cifras_distintas or self.partes_distintas)


def respaldo_comprobar(*, anio: int) -> ComprobacionDeRespaldo | None:
    """Whether a restored copy holds the year's report as published, or None when the year was
    never published: every published file (every version) is in the storage with its SHA-256,
    and the figures recomputed from the database equal the snapshot of the version in force."""
    versiones = list(Publicacion.objects.filter(anio=anio).order_by("version"))
    if not versiones:
        return None
    alterados = []
    contenidos = {}
    for publicacion in versiones:
        for campo, nombre, huella in publicacion.archivos:
            archivo = getattr(publicacion, campo)
            try:
                with archivo.open("rb") as abierto:
                    contenido = abierto.read()
            except FileNotFoundError:
                alterados.append(ArchivoAlterado(publicacion, nombre, archivo.name, "falta"))
                continue
            if sha256(contenido) != huella:
                alterados.append(ArchivoAlterado(publicacion, nombre, archivo.name, "huella"))
                continue
            contenidos[publicacion.pk, campo] = contenido
    vigente = versiones[-1]
    cifras, partes = [], []
    publicada = contenidos.get((vigente.pk, "cifras"))
    # The day it was published: the months due are counted as they were then.
    informe = informe_rendicion(anio=anio, hoy=timezone.localdate(vigente.publicado_en))
    if publicada is None:
        pass  # its snapshot is missing or altered: said among the files
    elif informe is None:
        partes = ["textos del informe (no existen en la base de datos)"]
    else:
        publicada = json.loads(publicada)
        publicada.pop("version", None)
        # Through JSON, as it was stored: tuples become lists, dates text.
        recalculada = json.loads(instantanea_json(instantanea(informe)))
        cifras = erratas(publicada, recalculada)
        if not cifras:
            partes = _partes_distintas(publicada, recalculada)
    return ComprobacionDeRespaldo(
        publicacion=vigente,
        archivos_comprobados=4 * len(versiones),
        archivos_alterados=alterados,
        cifras_distintas=cifras,
        partes_distintas=partes,
    )


def _partes_distintas(publicada: dict, recalculada: dict) -> list[str]:
    """The parts of two snapshots that differ, each table by its title."""
    partes = []
    for clave in sorted(publicada.keys() | recalculada.keys()):
        antes, despues = publicada.get(clave), recalculada.get(clave)
        if clave == "tablas" and isinstance(antes, dict) and isinstance(despues, dict):
            partes += [
                f"tabla «{(despues.get(slug) or antes[slug])['titulo']}»"
                for slug in sorted(antes.keys() | despues.keys())
                if antes.get(slug) != despues.get(slug)
            ]
        elif antes != despues:
            partes.append(clave)
    return partes
