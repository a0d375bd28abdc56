"""The 2023 report as a PDF: every figure of Tablas 1–12 computed from the records, a table
of contents whose numbers are the real pages, and nothing fetched from outside."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from rendicion.documento import documento_pdf
from rendicion.models import InformeAnual
from rendicion.selectors import informe_rendicion

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
