"""The report's charts: geometry (rendicion.graficos), SVG templates, and WeasyPrint's drawing."""

import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from casmul.formato import dinero
from rendicion import graficos
from rendicion.graficos import PALETA, barras, eje_redondo, ejecucion, torta

SVG = "{http://www.w3.org/2000/svg}"
AREAS = [
    "Desarrollo infantil",
    "Atención en salud",
    "Centros de apoyo y servicio social",
    "Impulso económico",
    "Otros servicios a la comunidad",
]
CENTROS = [12, 1, 15, 1, 1]
MONTOS = [Decimal(m) for m in ("337482.72", "499992.87", "744138.27", "7349.97", "11505.76")]
NUMERICOS = {"x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "width", "height"}


def svg_de(grafico) -> str:
    plantilla = "torta" if isinstance(grafico, graficos.GraficoTorta) else "barras"
    with translation.override("es"):
        return render_to_string(f"rendicion/graficos/{plantilla}.svg.html", {"grafico": grafico})


def arbol(svg: str) -> ET.Element:
    """Parses the markup as XML: it must be well-formed on its own."""
    return ET.fromstring(svg.strip())


# --- axis ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("maximo", "entero", "esperado"),
    [
        (15, True, [0, 5, 10, 15]),
        (12, True, [0, 5, 10, 15]),
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (Decimal("744138.27"), False, [0, 200000, 400000, 600000, 800000]),
        (Decimal("1600469.59"), False, [0, 500000, 1000000, 1500000, 2000000]),
        (Decimal("0.9"), False, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        (0, False, [0]),
    ],
)
def test_eje_redondo_en_pasos_1_2_5(maximo, entero, esperado):
    marcas = eje_redondo(maximo, entero=entero)
    assert marcas == tuple(Decimal(v) for v in esperado)
    assert marcas[-1] >= Decimal(maximo)
    if len(marcas) > 1:
        paso = marcas[1]
        mantisa = paso.scaleb(-paso.adjusted())
        assert mantisa in (1, 2, 5)
        assert len(marcas) - 1 <= 5


# --- bars ----------------------------------------------------------------------------------


def test_barras_proporcionales_y_eje_por_encima_del_maximo():
    g = barras(list(zip(AREAS, CENTROS, strict=True)), titulo="Centros", id="g1")
    assert g.eje_maximo == 15
    assert g.eje_maximo >= max(CENTROS)
    ancho_area = g.marcas[-1].x - g.marcas[0].x
    for barra, valor in zip(g.barras, CENTROS, strict=True):
        assert barra.x == g.eje.x1
        assert barra.ancho == pytest.approx(ancho_area * valor / 15, abs=0.01)
        assert barra.alto > 0
    assert g.barras[2].ancho == pytest.approx(15 * g.barras[1].ancho, abs=0.1)
    assert [b.valor_texto.texto for b in g.barras] == ["12", "1", "15", "1", "1"]
    assert [m.etiqueta.texto for m in g.marcas] == ["0", "5", "10", "15"]


def test_barras_de_dinero_con_marcas_en_formato_espanol():
    g = barras(list(zip(AREAS, MONTOS, strict=True)), titulo="Presupuesto", formato=dinero)
    assert g.eje_maximo == 800000
    assert [m.etiqueta.texto for m in g.marcas] == [
        "$0",
        "$200.000",
        "$400.000",
        "$600.000",
        "$800.000",
    ]
    assert g.barras[2].valor_texto.texto == "$744.138,27"
    assert g.barras[0].ancho / g.barras[2].ancho == pytest.approx(
        float(MONTOS[0] / MONTOS[2]), rel=1e-3
    )
    assert "Centros de apoyo y servicio social: $744.138,27" in g.descripcion
    assert "Total: $1.600.469,59." in g.descripcion


def test_miles_con_punto():
    g = barras([("Atenciones", 66338)], titulo="Atenciones")
    assert g.barras[0].valor_texto.texto == "66.338"
    assert g.marcas[-1].etiqueta.texto == "80.000"


def test_nombres_largos_en_varias_lineas_sin_solaparse():
    g = barras(list(zip(AREAS, CENTROS, strict=True)), titulo="Centros")
    apoyo = g.barras[2]
    assert len(apoyo.lineas) == 2
    assert " ".join(t.texto for t in apoyo.lineas) == "Centros de apoyo y servicio social"
    for anterior, siguiente in zip(g.barras, g.barras[1:], strict=False):
        # Baselines 12 px apart at least (the font size), and the bars do not touch.
        assert siguiente.lineas[0].y - anterior.lineas[-1].y >= graficos.LETRA
        assert siguiente.y >= anterior.y + anterior.alto + 4
    for barra in g.barras:
        for linea in barra.lineas:
            assert linea.anclaje == "end"
            assert linea.x < barra.x
            assert linea.x - graficos.ancho_texto(linea.texto) >= 0
        # The value follows the bar and fits in the drawing.
        assert barra.valor_texto.x > barra.x + barra.ancho
        assert barra.valor_texto.x + graficos.ancho_texto(barra.valor_texto.texto) <= g.ancho


def test_colores_por_posicion_y_propios():
    g = barras(list(zip(AREAS, CENTROS, strict=True)), titulo="Centros")
    assert [b.color for b in g.barras] == list(PALETA[:5])
    otro = barras([("a", 1), ("b", 2), ("c", 3)], titulo="x", colores=["#111111", "#222222"])
    assert [b.color for b in otro.barras] == ["#111111", "#222222", "#111111"]


def test_barras_vacias_y_en_cero():
    vacio = barras([], titulo="Nada")
    assert vacio.vacio and vacio.barras == ()
    assert "Sin datos" in svg_de(vacio)
    ceros = barras([("a", 0), ("b", 0)], titulo="Ceros")
    assert not ceros.vacio
    assert [b.ancho for b in ceros.barras] == [0, 0]
    assert [m.etiqueta.texto for m in ceros.marcas] == ["0"]


def test_barras_rechazan_negativos():
    with pytest.raises(ValueError):
        barras([("a", -1)], titulo="x")


def test_ejecucion_con_porcentaje():
    g = ejecucion(Decimal("1600469.59"), Decimal("1550321.10"), id="g4")
    assert [b.nombre for b in g.barras] == ["Codificado", "Ejecutado"]
    assert g.barras[0].valor_texto.texto == "$1.600.469,59"
    assert g.barras[1].valor_texto.texto == "$1.550.321,10 (96,9 %)"
    assert g.nota.texto == "Porcentaje de ejecución: 96,9 %"
    assert g.barras[1].ancho / g.barras[0].ancho == pytest.approx(1550321.10 / 1600469.59, rel=1e-4)
    assert "Porcentaje de ejecución: 96,9 %" in g.descripcion
    sin_presupuesto = ejecucion(0, 0)
    assert sin_presupuesto.nota.texto == "Porcentaje de ejecución: —"


# --- pie -----------------------------------------------------------------------------------


def test_porciones_proporcionales_que_suman_360():
    g = torta(list(zip(AREAS, MONTOS, strict=True)), titulo="Distribución")
    total = sum(MONTOS)
    assert g.total == total
    assert len(g.porciones) == 5
    assert g.porciones[0].angulo_inicio == 0
    assert g.porciones[-1].angulo_fin == pytest.approx(360)
    assert sum(p.angulo for p in g.porciones) == pytest.approx(360)
    for anterior, siguiente in zip(g.porciones, g.porciones[1:], strict=False):
        assert siguiente.angulo_inicio == pytest.approx(anterior.angulo_fin)
    for porcion, monto in zip(g.porciones, MONTOS, strict=True):
        assert porcion.angulo == pytest.approx(float(monto / total) * 360, abs=1e-3)
        assert porcion.d.startswith("M ") and " A " in porcion.d and porcion.d.endswith("Z")
    assert [p.porcentaje for p in g.porciones] == ["21,1 %", "31,2 %", "46,5 %", "0,5 %", "0,7 %"]
    assert "$744.138,27 (46,5 %)" in g.descripcion
    assert "Total: $1.600.469,59." in g.descripcion
    assert g.centro[1].texto == "$1.600.469,59"
    assert [e.detalle.texto for e in g.leyenda][2] == "$744.138,27 · 46,5 %"


def test_porcion_mayor_que_media_vuelta_usa_arco_grande():
    g = torta([("a", 3), ("b", 1)], titulo="x", dona=False)
    grande, pequena = g.porciones
    assert re.search(r"A 110 110 0 1 1 ", grande.d)
    assert re.search(r"A 110 110 0 0 1 ", pequena.d)
    assert grande.d.endswith(f"L {g.cx:.2f} {g.cy:.2f} Z")


def test_mismos_colores_que_las_barras():
    datos = list(zip(AREAS, MONTOS, strict=True))
    colores_barras = [b.color for b in barras(datos, titulo="b", formato=dinero).barras]
    pastel = torta(datos, titulo="t")
    assert [p.color for p in pastel.porciones] == colores_barras
    assert [e.color for e in pastel.leyenda] == colores_barras


def test_porcion_cero_se_omite_y_conserva_colores():
    g = torta([("a", 5), ("b", 0), ("c", 5)], titulo="x")
    assert [p.nombre for p in g.porciones] == ["a", "c"]
    assert [p.color for p in g.porciones] == [PALETA[0], PALETA[2]]
    assert [p.angulo for p in g.porciones] == [pytest.approx(180), pytest.approx(180)]
    assert [e.nombre for e in g.leyenda] == ["a", "b", "c"]  # the legend still names it


def test_una_sola_porcion_es_un_circulo_completo():
    g = torta([("a", 0), ("Todo", 10)], titulo="x")
    (porcion,) = g.porciones
    assert porcion.angulo == pytest.approx(360)
    assert porcion.porcentaje == "100,0 %"
    # Two half arcs for the outside and two, wound the other way, for the hole.
    assert porcion.d.count(" A ") == 4
    assert porcion.d.count("0 1 1 ") == 2 and porcion.d.count("0 1 0 ") == 2
    assert porcion.dentro
    pastel = torta([("Todo", 10)], titulo="x", dona=False)
    assert pastel.porciones[0].d.count(" A ") == 2


def test_todo_en_cero_sin_porciones():
    g = torta([("a", 0), ("b", 0)], titulo="Vacío", id="vacio")
    assert g.porciones == () and g.vacio
    assert g.descripcion == "Gráfico circular. Sin datos."
    svg = svg_de(g)
    assert "Sin datos" in svg and "<path" not in svg
    assert torta([], titulo="x").vacio


def test_etiquetas_de_porciones_pequenas_fuera_y_sin_solaparse():
    g = torta(list(zip(AREAS, MONTOS, strict=True)), titulo="Distribución")
    grandes = [p for p in g.porciones if p.angulo > 40]
    pequenas = [p for p in g.porciones if p.angulo < 5]
    assert all(p.dentro and p.guia is None for p in grandes)
    assert all(not p.dentro and p.guia is not None for p in pequenas)
    etiquetas = sorted(p.etiqueta.y for p in pequenas)
    assert etiquetas[1] - etiquetas[0] >= graficos.LETRA
    for p in pequenas:
        # Outside the ring, inside the drawing.
        assert math.hypot(p.guia.x2 - g.cx, p.guia.y2 - g.cy) > g.radio
        assert p.etiqueta.y - graficos.LETRA > 0 and p.etiqueta.y < g.alto


# --- templates -----------------------------------------------------------------------------


def todos():
    datos = list(zip(AREAS, MONTOS, strict=True))
    return [
        barras(list(zip(AREAS, CENTROS, strict=True)), titulo="Centros", id="grafico-1"),
        barras(datos, titulo="Presupuesto por área", id="grafico-2", formato=dinero),
        torta(datos, titulo="Distribución presupuestal", id="grafico-3"),
        ejecucion(Decimal("1600469.59"), Decimal("1550321.10"), id="grafico-4"),
    ]


@pytest.mark.parametrize("indice", range(4))
def test_svg_accesible_y_bien_formado(indice):
    grafico = todos()[indice]
    svg = svg_de(grafico)
    raiz = arbol(svg)
    assert raiz.tag == f"{SVG}svg"
    assert raiz.get("role") == "img"
    assert raiz.get("viewBox") == f"0 0 {grafico.ancho:g} {grafico.alto:g}"
    assert raiz.get("width") == "100%"
    assert raiz.get("font-family") == "DejaVu Sans, sans-serif"
    titulo = raiz.find(f"{SVG}title")
    desc = raiz.find(f"{SVG}desc")
    assert titulo.text == grafico.titulo and titulo.get("id") == f"{grafico.id}-titulo"
    assert desc.text == grafico.descripcion and desc.get("id") == f"{grafico.id}-desc"
    assert raiz.get("aria-labelledby") == f"{grafico.id}-titulo"
    assert raiz.get("aria-describedby") == f"{grafico.id}-desc"
    for elemento in raiz.iter():
        for nombre in NUMERICOS & set(elemento.attrib) - {"width"} if elemento is raiz else ():
            float(elemento.get(nombre))
        for nombre in NUMERICOS & set(elemento.attrib) if elemento is not raiz else ():
            assert re.fullmatch(r"-?\d+(\.\d+)?", elemento.get(nombre))
    assert all(re.fullmatch(r"[MALZ0-9. -]+", p.get("d")) for p in raiz.iter(f"{SVG}path"))


def test_coordenadas_sin_formato_local():
    """'1.234' or '12,5' (Spanish formats, thousands separator on) would break the drawing."""
    g = barras([("a", Decimal("1000.5")), ("b", 7)], titulo="Ancho", ancho=2000)
    raiz = arbol(svg_de(g))
    assert raiz.get("viewBox") == f"0 0 2000 {g.alto}"
    rect = raiz.find(f".//{SVG}rect")
    assert g.barras[0].ancho > 1000 and g.barras[0].ancho != int(g.barras[0].ancho)
    assert rect.get("width") == str(g.barras[0].ancho)


def test_textos_en_formato_espanol_en_el_svg():
    textos = ["".join(t.itertext()) for g in todos() for t in arbol(svg_de(g)).iter(f"{SVG}text")]
    for esperado in ["15", "$744.138,27", "$800.000", "46,5 %", "Porcentaje de ejecución: 96,9 %"]:
        assert esperado in textos
    assert "$1.550.321,10 (96,9 %)" in textos


def test_identificadores_unicos():
    ids = [arbol(svg_de(g)).find(f"{SVG}title").get("id") for g in todos()]
    assert len(set(ids)) == 4
    assert barras([("a", 1)], titulo="Título con ñ y <b>").id == "titulo-con-n-y-b"
    assert barras([("a", 1)], titulo="x", id="3 gráfico").id == "grafico-3-grafico"


@pytest.mark.parametrize("hacer", [barras, torta])
def test_nombres_escapados(hacer):
    nombre = "<script>alert(1)</script> & Cía"
    grafico = hacer([(nombre, 3), ("Otra", 1)], titulo="Título <i>", id="x")
    svg = svg_de(grafico)
    assert "<script>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; Cía" in svg
    textos = ["".join(t.itertext()) for t in arbol(svg).iter(f"{SVG}text")]
    assert any("<script>" in t for t in textos)  # shown as typed, once unescaped
    assert arbol(svg).find(f"{SVG}title").text == "Título <i>"


# --- WeasyPrint ----------------------------------------------------------------------------


def pixeles_de(imagen, color: str, tolerancia: int = 8) -> int:
    objetivo = tuple(int(color[i : i + 2], 16) for i in (1, 3, 5))
    return sum(
        cuenta
        for cuenta, rgb in imagen.getcolors(imagen.width * imagen.height)
        if all(abs(a - b) <= tolerancia for a, b in zip(rgb, objetivo, strict=True))
    )


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) no instalado")
def test_weasyprint_dibuja_las_porciones_en_proporcion(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    from PIL import Image

    pastel = torta([("Tres cuartos", 75), ("Un cuarto", 25)], titulo="Torta", id="torta")
    columnas = barras(
        [("Centros de apoyo y servicio social", 15), ("Impulso económico", 1)],
        titulo="Barras",
        id="barras",
        colores=[PALETA[2], PALETA[3]],  # not the pie's colours: only the slices are counted
    )
    html = (
        '<!doctype html><html lang="es"><head><meta charset="utf-8">'
        "<style>@page { size: A4; margin: 2cm }</style></head><body>"
        f"<figure>{svg_de(pastel)}</figure><figure>{svg_de(columnas)}</figure></body></html>"
    )
    pdf = tmp_path / "graficos.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", pdf, tmp_path / "pagina"],
        check=True,
    )
    (png,) = tmp_path.glob("pagina*.png")
    imagen = Image.open(png).convert("RGB")
    grande = pixeles_de(imagen, PALETA[0])
    pequena = pixeles_de(imagen, PALETA[1])
    assert pequena > 500, "the slices were not drawn"
    assert 2.5 <= grande / pequena <= 3.5
    # The bar chart was drawn too, on the same page.
    assert pixeles_de(imagen, PALETA[2]) > 100
