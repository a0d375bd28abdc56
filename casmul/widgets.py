"""Form widgets shared by the apps."""

from django import forms


class FechaInput(forms.DateInput):
    """A date typed and shown dd/mm/aaaa whatever the browser's language: the browser's date
    picker follows its own (mm/dd/yyyy in an English Chromium). `DATE_INPUT_FORMATS`
    (casmul/formats) reads it, and ISO dates too."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": "dd/mm/aaaa", "autocomplete": "off", **(attrs or {})},
            format="%d/%m/%Y",
        )
