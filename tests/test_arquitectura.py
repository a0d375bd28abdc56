"""The apps depend in one direction: `rendicion` reads the domain apps only through their
`selectors.py`; no domain app imports `rendicion`; `centros` imports none of the others."""

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
DOMINIO = ["centros", "salud", "convenios", "presupuesto", "participacion"]


def _importados(app: str) -> list[tuple[str, str]]:
    resultado = []
    for archivo in (RAIZ / app).rglob("*.py"):
        if "migrations" in archivo.parts:
            continue
        for nodo in ast.walk(ast.parse(archivo.read_text(encoding="utf-8"))):
            if isinstance(nodo, ast.ImportFrom) and nodo.module and nodo.level == 0:
                resultado += [(str(archivo.relative_to(RAIZ)), nodo.module)]
                resultado += [
                    (str(archivo.relative_to(RAIZ)), f"{nodo.module}.{alias.name}")
                    for alias in nodo.names
                ]
            elif isinstance(nodo, ast.Import):
                resultado += [(str(archivo.relative_to(RAIZ)), a.name) for a in nodo.names]
    return resultado


def test_rendicion_reads_the_domain_apps_only_through_their_selectors():
    prohibidos = [
        (archivo, modulo)
        for archivo, modulo in _importados("rendicion")
        if modulo.split(".")[0] in DOMINIO and modulo.split(".")[1:2] not in ([], ["selectors"])
    ]

    assert prohibidos == []


@pytest.mark.parametrize("app", DOMINIO)
def test_no_domain_app_imports_rendicion(app):
    assert [m for _, m in _importados(app) if m.split(".")[0] == "rendicion"] == []


def test_centros_is_the_base_and_imports_no_other_domain_app():
    otros = {"salud", "convenios", "presupuesto", "rendicion"}

    assert [m for _, m in _importados("centros") if m.split(".")[0] in otros] == []


def test_the_project_package_imports_no_domain_app():
    apps = {*DOMINIO, "rendicion"}

    assert [(a, m) for a, m in _importados("casmul") if m.split(".")[0] in apps] == []


@pytest.mark.parametrize("app", [*DOMINIO, "rendicion"])
def test_no_app_imports_another_apps_admin(app):
    ajenos = [
        (archivo, modulo)
        for archivo, modulo in _importados(app)
        if modulo.split(".")[0] in {*DOMINIO, "rendicion"} - {app}
        and modulo.split(".")[1:2] == ["admin"]
    ]

    assert ajenos == []


@pytest.mark.parametrize("app", [*DOMINIO, "rendicion"])
def test_no_app_imports_another_apps_views(app):
    # What pages of two apps share lives in a module meant for it (`centros.paginas`).
    ajenos = [
        (archivo, modulo)
        for archivo, modulo in _importados(app)
        if modulo.split(".")[0] in {*DOMINIO, "rendicion"} - {app}
        and modulo.split(".")[1:2] == ["views"]
    ]

    assert ajenos == []


def test_selectors_return_values_not_http_errors_or_formatted_labels():
    # Pages decide on 404s and format numbers; selectors only read.
    prohibidos = {"django.http", "django.shortcuts", "casmul.formato"}
    encontrados = [
        (archivo, modulo)
        for app in DOMINIO
        for archivo, modulo in _importados(app)
        if "selectors" in Path(archivo).parts or archivo.endswith("selectors.py")
        if any(modulo == p or modulo.startswith(p + ".") for p in prohibidos)
    ]

    assert encontrados == []


def test_rendicion_reads_centros_only_through_the_report_and_panel_selectors():
    leidos = {
        modulo
        for _, modulo in _importados("rendicion")
        if modulo.startswith("centros.selectors.") and modulo.count(".") == 2
    }

    assert leidos <= {
        "centros.selectors.informe",
        "centros.selectors.consistencia",
        "centros.selectors.comparacion",
        "centros.selectors.ficha",
    }
    assert leidos


def _modulo(archivo: Path) -> str:
    partes = archivo.relative_to(RAIZ).with_suffix("").parts
    return ".".join(partes[:-1] if partes[-1] == "__init__" else partes)


def _grafo_de(app: str) -> dict[str, set[str]]:
    """Which modules of the app each of its modules imports, at any depth of the file (an
    import inside a function is still an edge: it only hides a cycle). Left out: the app
    config's `ready()`, where Django asks apps to wire themselves, and a module's import of
    its own package (`from . import hermano` reaches a sibling through it)."""
    grafo: dict[str, set[str]] = {}
    for archivo in (RAIZ / app).rglob("*.py"):
        if "migrations" in archivo.parts or archivo.name == "apps.py":
            continue
        modulo = _modulo(archivo)
        paquete = modulo if archivo.name == "__init__.py" else modulo.rpartition(".")[0]
        destinos = grafo.setdefault(modulo, set())
        for nodo in ast.walk(ast.parse(archivo.read_text(encoding="utf-8"))):
            if isinstance(nodo, ast.ImportFrom):
                base = paquete.split(".")[: len(paquete.split(".")) - nodo.level + 1]
                nombre = ".".join(base if nodo.level else []) + (
                    ("." if nodo.level else "") + nodo.module if nodo.module else ""
                )
                nombre = nombre.lstrip(".")
                destinos |= {nombre} | {f"{nombre}.{alias.name}" for alias in nodo.names}
            elif isinstance(nodo, ast.Import):
                destinos |= {alias.name for alias in nodo.names}
    return {
        modulo: {
            destino
            for destino in destinos
            if destino in grafo and destino != modulo and not modulo.startswith(destino + ".")
        }
        for modulo, destinos in grafo.items()
    }


def _ciclos(grafo: dict[str, set[str]]) -> list[str]:
    """Each cycle found by a depth-first walk, as «a → b → a»."""
    ciclos, terminados, camino = [], set(), []

    def visitar(modulo: str) -> None:
        camino.append(modulo)
        for destino in sorted(grafo[modulo]):
            if destino in camino:
                ciclos.append(" → ".join([*camino[camino.index(destino) :], destino]))
            elif destino not in terminados:
                visitar(destino)
        camino.pop()
        terminados.add(modulo)

    for modulo in sorted(grafo):
        if modulo not in terminados:
            visitar(modulo)
    return ciclos


@pytest.mark.parametrize("app", ["casmul", *DOMINIO, "rendicion"])
def test_no_app_has_an_import_cycle_between_its_modules(app):
    # A cycle (rendicion's selectors ↔ snapshot, once) is dodged with an import inside a
    # function, and ties every module on it to every other.
    assert _ciclos(_grafo_de(app)) == []
