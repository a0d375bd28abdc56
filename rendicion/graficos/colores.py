"""The charts' palette and the text colour readable on each fill."""

# Sober institutional colours, distinguishable for the common colour-vision deficiencies
# (the first five: deuteranopia, protanopia and tritanopia keep ΔE > 16 between any two).
PALETA = (
    "#1F4E79",  # navy
    "#2F7A4C",  # green
    "#B7812A",  # ochre
    "#5B8FC7",  # mid blue
    "#5F6B7A",  # slate
    "#8FAE5E",  # light green
    "#7A4E6E",  # plum
    "#D8B26A",  # sand
)
COLOR_CODIFICADO = "#5F6B7A"
COLOR_EJECUTADO = "#2F7A4C"
TEXTO_OSCURO = "#1A1A1A"
TEXTO_CLARO = "#FFFFFF"


def color_texto(fondo: str) -> str:
    """White or near-black, whichever contrasts more with `fondo` (WCAG luminance)."""

    def canal(valor):
        c = valor / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (canal(int(fondo[i : i + 2], 16)) for i in (1, 3, 5))
    luminancia = 0.2126 * r + 0.7152 * g + 0.0722 * b
    contra_blanco = 1.05 / (luminancia + 0.05)
    contra_oscuro = (luminancia + 0.05) / (0.0103 + 0.05)  # #1A1A1A
    return TEXTO_CLARO if contra_blanco >= contra_oscuro else TEXTO_OSCURO


def color(indice: int) -> str:
    """The palette's colour for the category in position `indice` (0-based)."""
    return PALETA[indice % len(PALETA)]
