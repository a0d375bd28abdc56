"""Personal data (LOPDP): what the browser may load and keep."""

from csp.constants import NONCE, NONE, SELF

APPS_PRIVACIDAD: list[str] = ["csp"]  # its system checks catch settings in the 3.x format
MIDDLEWARE_PRIVACIDAD: list[str] = [
    "csp.middleware.CSPMiddleware",
    # After the authentication middleware (base.py appends these last), so it knows the user.
    "casmul.privacidad.SinCacheParaUsuarios",
]

# No inline script, handler or style attribute anywhere but the report's stylesheet, which
# carries the request's nonce (the portal's scripts are files under casmul/static/casmul/,
# Django's admin has none): an injected <script> or on*= attribute in a person's name would
# not run. `data:` images are the admin's and the PDF's SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # The report page carries its stylesheet in a <style> with the request's nonce: the
        # same file the PDF embeds (it has template tags, so it is not a static file).
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
