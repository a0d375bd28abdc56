"""Uploads: how much a request may carry."""

# The largest file a form takes is 10 MB (a spreadsheet to import, a signed agreement's PDF);
# 12 MB leaves room for the rest of the form. A request announcing more is refused with 413
# before its body is read (`casmul.cargas.LimiteDeSolicitud`): a 50 MB upload kept a worker
# busy until its timeout.
SOLICITUD_TAMANO_MAXIMO = 12 * 1024 * 1024
# Views that take a larger file, by URL name: anyone may check a published report (up to
# 50 MB, `rendicion.forms.TAMANIO_MAXIMO_VERIFICAR`) against its fingerprint.
SOLICITUD_TAMANO_MAXIMO_POR_VISTA = {"publicaciones:verificar": 51 * 1024 * 1024}

# A form's fields without its files: a year's texts with every formset are a few kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2,5 MB
# A file larger than this is written to a temporary file while it arrives, not kept in
# memory: a few concurrent uploads must not exhaust a worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2,5 MB
# The largest form (the year's texts with their formsets) has a few hundred fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
# No form takes more than one file at a time.
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# First in base.py's MIDDLEWARE: a refused request then costs no session or database query.
# Only the security headers' middleware wraps it, so that the 413 carries them too; it reads
# nothing of the request.
MIDDLEWARE_CARGAS = ["casmul.middleware.CabecerasDeSeguridad", "casmul.cargas.LimiteDeSolicitud"]
