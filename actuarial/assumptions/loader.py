"""Reading assumption files (YAML, ``extends:``, limits) lives in the schema
toolkit, :mod:`actuarial.schema.loader`; this name is that same module."""

import sys

from actuarial.schema import loader as _loader

sys.modules[__name__] = _loader
