"""The report's charts as geometry for inline SVG (no ORM, no drawing library).

`barras`, `ejecucion` and `torta` are pure functions returning frozen dataclasses with every
coordinate and every text already computed; the templates
`rendicion/graficos/barras.svg.html` and `rendicion/graficos/torta.svg.html` only place them.
The same markup is shown in the page and printed by WeasyPrint, which is why nothing depends on
CSS or on the browser measuring text: widths are estimated from DejaVu Sans' advances.

Colours are taken from `PALETA` by the category's position, so passing the areas in the same
order gives each area the same colour in every chart.

One module per job, each importing only the ones listed before it: `comun` (sizes, `Texto`,
`Linea`), `colores`, `texto` (widths and line breaking), `ejes` (round ticks), `geometria`
(points on the ring, slice paths), `etiquetas` (where the pie's percentages go), then the
charts, `grafico_barras` and `grafico_torta`.
"""

from .colores import PALETA
from .comun import LETRA
from .ejes import eje_redondo
from .grafico_barras import barras, ejecucion
from .grafico_torta import GraficoTorta, torta
from .texto import ancho_texto

__all__ = [
    "LETRA",
    "PALETA",
    "GraficoTorta",
    "ancho_texto",
    "barras",
    "eje_redondo",
    "ejecucion",
    "torta",
]
