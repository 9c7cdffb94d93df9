"""The strict imperative reader (for sections not declared in the schema)
lives in the schema toolkit, :mod:`actuarial.schema.reader`; this name is
that same module."""

import sys

from actuarial.schema import reader as _reader

sys.modules[__name__] = _reader
