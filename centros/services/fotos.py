"""Centre photos: each kept with a print-ready copy, made once when it is saved."""

from io import BytesIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from casmul.versiones import datos_cambiaron

from ..models import Centro, FotoCentro

# Long side of the print copy: sharp at 300 dpi on half an A4 page.
LADO_MAYOR_IMPRESION = 1600
CALIDAD_JPEG = 82


def imagen_para_impresion(contenido: bytes) -> bytes:
    """A resized, EXIF-rotated RGB JPEG of an uploaded image."""
    try:
        with Image.open(BytesIO(contenido)) as original:
            imagen = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError("El archivo no es una imagen válida.", code="imagen") from error
    imagen.thumbnail((LADO_MAYOR_IMPRESION, LADO_MAYOR_IMPRESION))
    salida = BytesIO()
    imagen.save(salida, format="JPEG", quality=CALIDAD_JPEG, optimize=True)
    return salida.getvalue()


@transaction.atomic
def foto_centro_guardar(*, foto: FotoCentro) -> FotoCentro:
    """Saves a centre photo and its print-ready copy, made once here and not at every PDF."""
    foto.full_clean()
    foto.imagen.open("rb")
    contenido = foto.imagen.read()
    nombre = Path(foto.imagen.name).stem + ".jpg"
    foto.imagen_impresion.save(nombre, ContentFile(imagen_para_impresion(contenido)), save=False)
    foto.save()
    datos_cambiaron(foto.anio)
    return foto


def foto_centro_crear(
    *, centro: Centro, imagen, anio: int, leyenda: str = "", orden: int = 0
) -> FotoCentro:
    """A new photo of the centre, saved with its print copy by `foto_centro_guardar`."""
    return foto_centro_guardar(
        foto=FotoCentro(centro=centro, imagen=imagen, anio=anio, leyenda=leyenda, orden=orden)
    )
