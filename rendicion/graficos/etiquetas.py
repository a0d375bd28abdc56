"""Where the pie's percentages go: on the slice when they fit, else outside, apart."""

import itertools
import math
from dataclasses import replace

from .comun import INTERLINEA, LETRA, Linea, Texto, r
from .geometria import punto
from .texto import ancho_texto


def cabe(
    etiqueta: Texto,
    cx: float,
    cy: float,
    radio: float,
    interior: float,
    inicio: float,
    fin: float,
) -> bool:
    """Whether a centred bold label lies inside its slice (corners and edge midpoints)."""
    mitad = ancho_texto(etiqueta.texto, negrita=True) / 2 + 1
    arriba, abajo = etiqueta.y - LETRA * 0.8, etiqueta.y + LETRA * 0.25
    izquierda, derecha = etiqueta.x - mitad, etiqueta.x + mitad
    centro_y = (arriba + abajo) / 2
    puntos = [
        (x, y)
        for x in (izquierda, etiqueta.x, derecha)
        for y in (arriba, centro_y, abajo)
        if (x, y) != (etiqueta.x, centro_y)
    ]
    for x, y in puntos:
        distancia = math.hypot(x - cx, y - cy)
        if not interior + 1 <= distancia <= radio - 1:
            return False
        if fin - inicio < 359.999:
            angulo = math.degrees(math.atan2(x - cx, cy - y)) % 360
            if not inicio <= angulo <= fin:
                return False
    return True


def _separar(ys: list[float], minimo: float, maximo: float, hueco: float) -> list[float]:
    """Moves sorted baselines apart by at least `hueco`, within [minimo, maximo]."""
    salida = list(ys)
    for i in range(len(salida)):
        piso = minimo if i == 0 else salida[i - 1] + hueco
        salida[i] = max(salida[i], piso)
    for i in range(len(salida) - 1, -1, -1):
        techo = maximo if i == len(salida) - 1 else salida[i + 1] - hueco
        salida[i] = min(salida[i], techo)
    return salida


def etiquetas_fuera(porciones, fuera, cx, cy, radio, arriba, abajo):
    """Places the percentages of thin slices outside the ring, one above the other per side."""
    porciones = list(porciones)
    for derecha in (True, False):
        lado = [f for f in fuera if f[2] == derecha]
        iniciales = [cy - (radio + 16) * math.cos(math.radians(medio)) for _, medio, _ in lado]
        # Labels above the centre move up, those below move down: away from the ring.
        ys = list(iniciales)
        arriba_k = sorted((k for k in range(len(lado)) if ys[k] < cy), key=lambda k: -ys[k])
        abajo_k = sorted((k for k in range(len(lado)) if ys[k] >= cy), key=lambda k: ys[k])
        for previo, k in itertools.pairwise(arriba_k):
            ys[k] = min(ys[k], ys[previo] - INTERLINEA)
        piso = ys[arriba_k[0]] + INTERLINEA if arriba_k else -math.inf
        for k in abajo_k:
            ys[k] = max(ys[k], piso)
            piso = ys[k] + INTERLINEA
        orden = sorted(range(len(lado)), key=lambda k: ys[k])
        ys = _separar([ys[k] for k in orden], arriba + LETRA, abajo - 2, INTERLINEA)
        for k, y in zip(orden, ys, strict=True):
            indice, medio, _ = lado[k]
            base = y + LETRA * 0.35
            # Radial x, but never inside the ring at the (possibly moved) height.
            dx = abs((radio + 14) * math.sin(math.radians(medio)))
            dy = abs(y - cy)
            if dy < radio + 10:
                dx = max(dx, math.sqrt((radio + 10) ** 2 - dy**2) + 4)
            dx = max(dx, 12)  # off the vertical through the centre, so leaders slant apart
            x = cx + dx if derecha else cx - dx
            desde = punto(cx, cy, radio + 2, medio)
            porciones[indice] = replace(
                porciones[indice],
                etiqueta=Texto(
                    porciones[indice].porcentaje, r(x), r(base), "start" if derecha else "end"
                ),
                guia=Linea(r(desde[0]), r(desde[1]), r(x - 2 if derecha else x + 2), r(y)),
            )
    return porciones
