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
