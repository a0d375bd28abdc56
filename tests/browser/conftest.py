"""Fixtures of the browser tests: Debian's Chromium driven by Playwright's sync API against
pytest-django's `live_server`.

Why DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API runs an asyncio event loop in the test's
own thread (in a greenlet), and Django refuses ORM calls from a thread with a running loop
(SynchronousOnlyOperation). These tests create data, then act in the browser, then read the
database and act again; creating everything before Playwright starts and reading only after
it stops would split each step of the scenario into pieces. So the variable is set while the
browser runs and restored afterwards. It is safe here: the test thread waits while Playwright
runs, nothing touches a database connection concurrently from that loop, and the live server
answers in a thread of its own (without a loop). The browser lives for the `tests/browser`
package only, so the rest of the suite runs without the variable and without a running loop.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error, Page, expect, sync_playwright

from tests.browser.esperas import ESPERA_MS

# Debian's Chromium (`apt-get install chromium`), never a browser downloaded by Playwright.
CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTOS_CHROMIUM = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The screenshots go to pytest's temporary folder, so that `make test` leaves the working
# tree alone; CASMUL_CAPTURAS=docs/screenshots writes the documentation's copies instead.
CAPTURAS = "CASMUL_CAPTURAS"


def _activar_orm_en_el_hilo_de_playwright() -> Callable[[], None]:
    anterior = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    def restaurar() -> None:
        if anterior is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = anterior

    return restaurar


@pytest.fixture(scope="package")
def navegador() -> Iterator[Browser]:
    """One Chromium for the package's tests (each test gets its own context). A machine
    without Chromium fails the tests instead of skipping them: CI must run them."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"No se encontró Chromium en {CHROMIUM}: las pruebas de navegador lo necesitan. "
            "Instálelo con `sudo apt-get install chromium` (no use `playwright install`).",
            pytrace=False,
        )
    restaurar = _activar_orm_en_el_hilo_de_playwright()
    playwright = sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=ARGUMENTOS_CHROMIUM, headless=True
            )
        except Error as error:
            pytest.fail(f"Chromium ({CHROMIUM}) no pudo arrancar: {error}", pytrace=False)
        expect.set_options(timeout=ESPERA_MS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        restaurar()


def _pagina(navegador: Browser, locale: str) -> Iterator[Page]:
    contexto = navegador.new_context(
        viewport={"width": 1280, "height": 900},
        locale=locale,
        timezone_id="America/Guayaquil",
    )
    contexto.set_default_timeout(ESPERA_MS)
    page = contexto.new_page()
    try:
        yield page
    finally:
        contexto.close()


@pytest.fixture
def pagina(navegador: Browser) -> Iterator[Page]:
    """A fresh tab with its own cookies, at a desktop size, in Ecuadorian Spanish."""
    yield from _pagina(navegador, "es-EC")


@pytest.fixture
def pagina_en_ingles(navegador: Browser) -> Iterator[Page]:
    """The same in a browser set to English (United States), as some offices' are."""
    yield from _pagina(navegador, "en-US")


@pytest.fixture
def url(live_server) -> Callable[[str], str]:
    """The live server's absolute URL of a path (`url(reverse(...))`)."""
    return lambda ruta: f"{live_server.url}{ruta}"


@pytest.fixture
def capturar(tmp_path: Path) -> Callable[[Page, str], Path]:
    """Saves a full-page screenshot of the page as it rests (see CAPTURAS). The tab is made
    as tall as the page first: in a full-page capture of a shorter tab, the sticky action bar
    would be drawn over the content, where the tab's bottom edge was."""
    destino = os.environ.get(CAPTURAS)
    carpeta = Path(destino) if destino else tmp_path
    if not carpeta.is_absolute():
        carpeta = Path(__file__).resolve().parents[2] / carpeta
    carpeta.mkdir(parents=True, exist_ok=True)

    def capturar(pagina: Page, nombre: str) -> Path:
        tamano = pagina.viewport_size
        alto = pagina.evaluate("document.documentElement.scrollHeight")
        pagina.mouse.move(0, 0)  # no hover effect on the last button clicked
        pagina.set_viewport_size({"width": tamano["width"], "height": max(alto, tamano["height"])})
        try:
            ruta = carpeta / nombre
            pagina.screenshot(path=ruta, full_page=True, animations="disabled", caret="hide")
        finally:
            pagina.set_viewport_size(tamano)
        return ruta

    return capturar
