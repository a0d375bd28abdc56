"""The 2023 report as a PDF: every figure of Tablas 1–12 computed from the records, a table
of contents whose numbers are the real pages, no page left mostly blank by an avoidable
break, and nothing fetched from outside."""

import io
import re
import subprocess
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from PIL import Image
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from centros.models import Centro
from rendicion.documento import documento_html, documento_paginado, documento_pdf
from rendicion.models import InformeAnual
from rendicion.selectors import informe_rendicion
from tests.factories import FotoCentroFactory

pytestmark = pytest.mark.usefixtures("datos_2023")

CIFRAS_2023 = [
    # Tabla 1
    "523", "60", "56", "47", "54",
    # Tabla 2: the rows' total, not the printed 66.338
    "59.889", "2.092", "6.449", "68.430", "187 pacientes por día",
    # Tablas 3–5
    "GINECO OBSTETRICIA", "ENFERMERÍA", "Auxiliares de enfermería", "07H00 – 18H00",
    # Tabla 6
    "2.254", "Adultos mayores atendidos: 442", "Personas con discapacidad: 402", "270", "600",
    # 3.1.4 and 3.1.5
    "$5.568,37", "30.603", "$102.591,18",
    # Tablas 7–8
    "Bomba trifásica (5hp)", "Curso de natación",
    # Tabla 9
    "24 convenios", "AM-07-11D01-19511-D", "PE-07-11D01-18038-D",
    # Tabla 10
    "1.785 familias", "858 individuos", "300 mujeres",
    # Tabla 11: the rows' total, not the printed 1.488.590,20
    "$337.482,72", "$744.138,27", "$1.600.469,59", "$196.758,60",
    # 3.4.2
    "$5.699.944,41", "ejecución del 39 %",
    # Tabla 12: 190 processes, not the printed 191
    "190 procesos", "$125.440,44", "$746.212,05",
    # Year-over-year
    "30 centros de atención", "7 centros más", "respecto a 2022",
]  # fmt: skip


def _normalizar(texto: str) -> str:
    """One space between words; a word the layout hyphenated ("res‐ pecto") joined again."""
    texto = re.sub(r"(?<=\w)\u2010\s+(?=\w)", "", texto)
    return " ".join(texto.split())


def _texto(pdf: bytes) -> tuple[PdfReader, list[str]]:
    lector = PdfReader(io.BytesIO(pdf))
    return lector, [_normalizar(pagina.extract_text()) for pagina in lector.pages]


@pytest.fixture
def pdf_2023():
    return documento_pdf(informe_rendicion(anio=2023))


def test_pdf_shows_every_figure_of_the_2023_report_computed_from_the_records(pdf_2023):
    _, paginas = _texto(pdf_2023)
    texto = " ".join(paginas)

    faltan = [cifra for cifra in CIFRAS_2023 if cifra not in texto]

    assert not faltan, f"No aparecen en el PDF: {faltan}"
    assert "66.338" not in texto
    assert "1.488.590" not in texto
    assert "191" not in texto


def _estructura(nodo, etiquetas: Counter, figuras: list) -> None:
    nodo = nodo.get_object()
    if not isinstance(nodo, dict):
        return
    if etiqueta := nodo.get("/S"):
        etiquetas[etiqueta] += 1
        if etiqueta == "/Figure":
            figuras.append(nodo.get("/Alt"))
    hijos = nodo.get("/K")
    for hijo in hijos if isinstance(hijos, list) else [hijos] if hijos is not None else []:
        _estructura(hijo, etiquetas, figuras)


def test_pdf_is_tagged_for_a_screen_reader(pdf_2023, tmp_path):
    lector = PdfReader(io.BytesIO(pdf_2023))
    raiz = lector.trailer["/Root"]
    etiquetas, figuras = Counter(), []
    _estructura(raiz["/StructTreeRoot"], etiquetas, figuras)
    archivo = tmp_path / "informe.pdf"
    archivo.write_bytes(pdf_2023)
    pdfinfo = subprocess.run(
        ["pdfinfo", str(archivo)], capture_output=True, text=True, check=True
    ).stdout

    assert re.search(r"^Tagged:\s+yes$", pdfinfo, re.MULTILINE)
    assert raiz["/Lang"] == "es-EC" and raiz["/MarkInfo"]["/Marked"]
    assert lector.metadata.title.startswith("Informe de rendición de cuentas 2023")
    assert lector.metadata.author == "Centro de Apoyo Social Municipal de Loja"
    # Headings as headings, tables with header cells, charts with a text alternative.
    assert etiquetas["/H1"] == 1 and etiquetas["/H2"] >= 5
    assert etiquetas["/Table"] >= 12 and etiquetas["/TH"] >= etiquetas["/Table"]
    assert figuras and all(figuras), figuras


def test_the_pdf_s_text_follows_the_document_s_order(pdf_2023, tmp_path):
    archivo = tmp_path / "informe.pdf"
    archivo.write_bytes(pdf_2023)
    texto = _normalizar(
        subprocess.run(
            ["pdftotext", str(archivo), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    secciones = [
        "1. Antecedentes",
        "2. Introducción",
        "3. Informe narrativo",
        "4. Fortalecimiento institucional",
    ]

    # After the table of contents, which lists them too: each section once, in order.
    cuerpo = texto[texto.index("Glosario de términos", texto.index(secciones[-1])) :]
    posiciones = [cuerpo.index(seccion) for seccion in secciones]
    assert posiciones == sorted(posiciones)


def test_pdf_is_a4_with_page_numbers_of_the_total(pdf_2023):
    lector, paginas = _texto(pdf_2023)
    total = len(lector.pages)

    ancho, alto = (float(v) for v in lector.pages[0].mediabox.upper_right)
    assert (round(ancho), round(alto)) == (595, 842)  # A4 in points
    assert f"Página 2 de {total}" in paginas[1]
    assert f"Página {total} de {total}" in paginas[-1]
    assert "Página" not in paginas[0]  # the cover has no running header or number


def test_table_of_contents_numbers_are_the_pages_where_the_headings_are_printed(pdf_2023):
    lector, paginas = _texto(pdf_2023)
    pagina_indice = next(i for i, texto in enumerate(paginas) if "Índice de contenidos" in texto)
    indice = lector.pages[pagina_indice].extract_text()
    entradas = {}
    for linea in indice.splitlines():
        encontrado = re.match(r"^(.*?)[\s.]*?(\d+)$", linea.strip())
        if encontrado and "." in linea:
            titulo = " ".join(encontrado.group(1).replace(".", " ").split())
            entradas[titulo] = int(encontrado.group(2))

    def marcadores(nodos):
        for nodo in nodos:
            if isinstance(nodo, list):
                yield from marcadores(nodo)
            else:
                yield nodo.title, lector.get_destination_page_number(nodo) + 1

    comprobadas = 0
    for titulo, pagina in marcadores(lector.outline):
        clave = " ".join(titulo.replace(".", " ").split())
        if clave in entradas:
            assert entradas[clave] == pagina, (
                f"«{titulo}»: índice {entradas[clave]}, está en {pagina}"
            )
            assert titulo.split()[-1] in paginas[pagina - 1]
            comprobadas += 1

    assert comprobadas >= 20, f"solo {comprobadas} entradas del índice comprobadas: {entradas}"


def test_user_text_is_escaped_and_nothing_outside_the_project_is_fetched(monkeypatch):
    from rendicion import documento

    pedidas = []
    original = documento.FetcherDelPortal.fetch

    def espia(self, url, headers=None):
        pedidas.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(documento.FetcherDelPortal, "fetch", espia)
    InformeAnual.objects.filter(anio=2023).update(
        antecedentes='<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/passwd">',
        mision='<script>alert(1)</script> <img src="http://127.0.0.1:9/espia.png">',
        vision='<a href="http://example.com/">enlace</a>',
    )

    lector, paginas = _texto(documento_pdf(informe_rendicion(anio=2023)))
    texto = " ".join(paginas)

    assert not any(url.startswith(("file:", "http://127", "http://example")) for url in pedidas)
    assert "<script>alert(1)</script>" in texto
    assert '<img src="file:///etc/passwd">' in texto
    assert "root:" not in texto
    assert not lector.attachments


def test_command_line_writes_pdf_and_html(tmp_path):
    pdf, html = tmp_path / "informe-2023.pdf", tmp_path / "informe-2023.html"

    call_command("rendicion", "2023", "--pdf", str(pdf), "--html", str(html))

    assert pdf.read_bytes().startswith(b"%PDF")
    contenido = html.read_text(encoding="utf-8")
    assert "<style>" in contenido
    assert "$1.600.469,59" in contenido


def test_command_line_refuses_a_year_without_report(tmp_path):
    with pytest.raises(CommandError, match="No existe el informe de 2031"):
        call_command("rendicion", "2031", "--pdf", str(tmp_path / "x.pdf"))


# A page that is not followed by a forced break must be at least this full.
LLENADO_MINIMO = 0.4
# The blocks that start a new page by design, in the order they appear: after the cover and
# the table of contents, sections 3 and 4 and the annex.
CORTES_FORZADOS_2023 = [
    "portada",
    "indice",
    "seccion-nueva",
    "seccion-nueva",
    "seccion-nueva anexos",
]


def _cajas(caja):
    """The page's boxes, without its margin boxes (running header and page number)."""
    if isinstance(caja, boxes.MarginBox):
        return
    yield caja
    for hija in getattr(caja, "children", ()):
        yield from _cajas(hija)


def _cajas_de_pagina(pagina):
    # WeasyPrint exposes a page's box tree only as `_page_box`; the layout is what is tested.
    return list(_cajas(pagina._page_box))


def _llenado(pagina) -> float:
    """How far down the content area (0 to 1) the lowest text, image or table cell reaches."""
    caja_pagina = pagina._page_box
    arriba = caja_pagina.content_box_y()
    abajo = max(
        (
            caja.position_y + caja.margin_height()
            for caja in _cajas_de_pagina(pagina)
            if isinstance(caja, boxes.TextBox | boxes.ReplacedBox | boxes.TableCellBox)
        ),
        default=arriba,
    )
    return (abajo - arriba) / caja_pagina.height


def _cortes_forzados(paginas) -> dict[int, str]:
    """{index of the page that ends at a forced break: class of the block that forces it}: a
    block that begins on the next page with `break-before: page`, or that ends on this one
    with `break-after: page`."""
    elementos = [
        {caja.element: caja for caja in _cajas_de_pagina(p) if caja.element is not None}
        for p in paginas
    ]
    cortes = {}
    for i in range(len(paginas) - 1):
        antes = [
            caja
            for elemento, caja in elementos[i + 1].items()
            if caja.style["break_before"] == "page" and elemento not in elementos[i]
        ]
        despues = [
            caja
            for elemento, caja in elementos[i].items()
            if caja.style["break_after"] == "page" and elemento not in elementos[i + 1]
        ]
        for caja in antes + despues:
            cortes[i] = caja.element.get("class", caja.element_tag)
    return cortes


@pytest.fixture
def paginas_2023_con_anexo(tmp_path, settings):
    """The 2023 report laid out, with nine photos in its annex: more than fit on the annex's
    first page."""
    carpeta = settings.MEDIA_ROOT / "centros" / "fotos"
    carpeta.mkdir(parents=True)
    centros = list(Centro.objects.en_operacion(2023).order_by("numero")[:9])
    for n, centro in enumerate(centros):
        Image.new("RGB", (800, 600), (30 * n, 110, 150)).save(carpeta / f"foto-{n}.jpg")
        FotoCentroFactory(centro=centro, imagen=f"centros/fotos/foto-{n}.jpg", anio=2023)
    html = documento_html(informe_rendicion(anio=2023), para_pdf=True)
    return documento_paginado(html).pages


def test_no_page_is_left_mostly_blank_except_before_a_forced_break(paginas_2023_con_anexo):
    # Given: the 2023 report laid out, its annex longer than a page.
    paginas = paginas_2023_con_anexo
    cortes = _cortes_forzados(paginas)

    # When: each page but the last is measured, unless a block that must start a new page
    # follows it (the cover, the table of contents, the end of sections 2, 3 and 4).
    llenado = {i + 1: _llenado(pagina) for i, pagina in enumerate(paginas[:-1])}
    casi_vacias = {
        pagina: f"{lleno:.0%}"
        for pagina, lleno in llenado.items()
        if lleno < LLENADO_MINIMO and pagina - 1 not in cortes
    }

    # Then: none is less than 40 % full, and only the designed blocks force a break.
    assert not casi_vacias, f"Páginas casi vacías (página: llenado): {casi_vacias}"
    assert list(cortes.values()) == CORTES_FORZADOS_2023


def test_signatures_share_the_last_page_with_the_text_they_attest():
    # The 2023 report as it is, without an annex: section 4 fills its page to the bottom.
    html = documento_html(informe_rendicion(anio=2023), para_pdf=True)
    ultima = documento_paginado(html).pages[-1]
    clases = {
        caja.element.get("class", "")
        for caja in _cajas_de_pagina(ultima)
        if caja.element is not None
    }

    assert "firmas" in clases
    # Section 4's last lines go with them.
    assert any(clase.startswith("seccion-nueva") for clase in clases)


def test_a_caption_is_printed_on_the_page_of_its_first_rows(paginas_2023_con_anexo):
    comprobadas = 0
    for numero, pagina in enumerate(paginas_2023_con_anexo, start=1):
        for caja in _cajas_de_pagina(pagina):
            if not getattr(caja, "is_table_wrapper", False):
                continue
            if not any(isinstance(hija, boxes.TableCaptionBox) for hija in caja.children):
                continue
            # On this page: the rows of the table's body (not its repeated header).
            filas = [
                fila
                for tabla in caja.children
                if isinstance(tabla, boxes.TableBox)
                for grupo in tabla.children
                if isinstance(grupo, boxes.TableRowGroupBox) and not grupo.is_header
                for fila in grupo.children
            ]
            assert filas, f"página {numero}: un título de tabla sin ninguna de sus filas"
            comprobadas += 1

    assert comprobadas >= 12
