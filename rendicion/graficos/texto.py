"""Text width estimated from DejaVu Sans' advances, and labels broken into balanced lines."""

from .comun import LETRA


def ancho_texto(texto: str, tamano: float = LETRA, negrita: bool = False) -> float:
    """Estimated advance of `texto` in DejaVu Sans (slightly generous, never narrower)."""
    em = 0.0
    for caracter in texto:
        if caracter in " .,:;'!|()[]-/ijlfrtíìï·":
            em += 0.36
        elif caracter in "mwMW%—":
            em += 0.98
        elif caracter.isdigit() or caracter in "$#+=<>?_":
            em += 0.64
        elif caracter.isupper():
            em += 0.74
        else:
            em += 0.62
    return em * tamano * (1.12 if negrita else 1.0)


def partir(texto: str, ancho: float, tamano: float = LETRA) -> tuple[str, ...]:
    """Words of `texto` in the fewest lines no wider than `ancho`, balanced.

    A single word wider than `ancho` keeps a line of its own.
    """
    palabras = texto.split()
    if not palabras:
        return ("",)
    if ancho_texto(texto, tamano) <= ancho:
        return (" ".join(palabras),)
    n = len(palabras)

    def linea(i, j):
        return " ".join(palabras[i:j])

    # best[k][j]: narrowest widest line setting palabras[:j] in k lines, and its last break.
    infinito = float("inf")
    best = [[(infinito, 0)] * (n + 1) for _ in range(n + 1)]
    best[0][0] = (0.0, 0)
    for k in range(1, n + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                previo = best[k - 1][i][0]
                if previo == infinito:
                    continue
                peor = max(previo, ancho_texto(linea(i, j), tamano))
                if peor < best[k][j][0]:
                    best[k][j] = (peor, i)
        if best[k][n][0] <= ancho or k == n:
            break
    lineas, j = [], n
    while k > 0:
        i = best[k][j][1]
        lineas.append(linea(i, j))
        j, k = i, k - 1
    return tuple(reversed(lineas))
