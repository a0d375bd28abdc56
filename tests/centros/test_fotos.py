"""Centre photos are prepared for print once, at upload, and the report's annex uses them."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from centros.models import Centro
from centros.services import LADO_MAYOR_IMPRESION, foto_centro_crear
from rendicion.documento import documento_html, documento_pdf
from rendicion.selectors import informe_rendicion


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(ancho=3000, alto=2000, rojo=20) -> ContentFile:
    salida = io.BytesIO()
    Image.new("RGBA", (ancho, alto), (rojo, 90, 140, 255)).save(salida, format="PNG")
    return ContentFile(salida.getvalue(), name="foto.png")


def test_upload_keeps_the_original_and_makes_a_resized_jpeg_for_print(db):
    from tests.factories import CentroFactory

    foto = foto_centro_crear(centro=CentroFactory(), imagen=_png(), anio=2023)

    with Image.open(foto.imagen_impresion.path) as impresion:
        assert impresion.format == "JPEG"
        assert max(impresion.size) == LADO_MAYOR_IMPRESION
        assert impresion.mode == "RGB"
    with Image.open(foto.imagen.path) as original:
        assert original.size == (3000, 2000)
    assert foto.url_impresion.endswith(".jpg")


def test_a_file_that_is_not_an_image_is_refused_in_spanish(db):
    from tests.factories import CentroFactory

    with pytest.raises(ValidationError, match="imagen"):
        foto_centro_crear(
            centro=CentroFactory(),
            imagen=ContentFile(b"no soy una imagen", name="x.png"),
            anio=2023,
        )


def test_annex_of_the_pdf_embeds_the_print_copies(datos_2023):
    for numero in (1, 30):
        foto_centro_crear(
            centro=Centro.objects.get(numero=numero),
            imagen=_png(800, 600),
            anio=2023,
            leyenda=f"Foto {numero}",
        )
    informe = informe_rendicion(anio=2023)

    html = documento_html(informe, para_pdf=True)
    lector = PdfReader(io.BytesIO(documento_pdf(informe)))

    assert html.count("/media/centros/fotos/impresion/") == 2
    imagenes = {
        referencia.idnum
        for pagina in lector.pages
        for referencia in pagina["/Resources"].get("/XObject", {}).values()
        if referencia.get_object().get("/Subtype") == "/Image"
    }
    assert len(imagenes) == 2
    assert "Foto 30" in lector.pages[-1].extract_text() or "Foto 30" in "".join(
        pagina.extract_text() for pagina in lector.pages[-3:]
    )
