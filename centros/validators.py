import re

from django.core.exceptions import ValidationError

# 01–24 are the provinces; 30 is given to Ecuadorians registered abroad.
CODIGOS_PROVINCIA = {f"{codigo:02d}" for codigo in range(1, 25)} | {"30"}


def validar_cedula(cedula: str) -> None:
    """Ecuadorian cédula: 10 digits, a province code, a natural-person third digit (0–5)
    and the modulo-10 check digit (coefficients 2,1,2,1,… on the first nine digits)."""
    # str.isdigit() would accept non-ASCII digits such as "١".
    if not re.fullmatch(r"[0-9]{10}", cedula):
        raise ValidationError("La cédula debe tener exactamente 10 dígitos.", code="formato")
    if cedula[:2] not in CODIGOS_PROVINCIA:
        raise ValidationError(
            "Los dos primeros dígitos (%(codigo)s) no corresponden a una provincia.",
            code="provincia",
            params={"codigo": cedula[:2]},
        )
    if int(cedula[2]) > 5:
        raise ValidationError(
            "El tercer dígito de una cédula de persona natural va de 0 a 5.", code="tipo"
        )
    suma = 0
    for posicion, digito in enumerate(cedula[:9]):
        producto = int(digito) * (2 if posicion % 2 == 0 else 1)
        suma += producto - 9 if producto > 9 else producto
    verificador = (10 - suma % 10) % 10
    if verificador != int(cedula[9]):
        raise ValidationError(
            "El dígito verificador de la cédula no es válido.", code="verificador"
        )
