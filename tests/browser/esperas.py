"""How long the browser tests wait."""

# Each step takes well under a second; fail fast when a selector matches nothing.
ESPERA_MS = 5_000
# Building the 2023 PDF (a download, a publication) takes seconds; a loaded machine gets room.
ESPERA_DOCUMENTO_MS = 60_000
