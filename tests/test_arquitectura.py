"""The apps depend in one direction: `rendicion` reads the domain apps only through their
`selectors.py`; no domain app imports `rendicion`; `centros` imports none of the others."""

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
DOMINIO = ["centros", "salud", "convenios", "presupuesto"]


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
