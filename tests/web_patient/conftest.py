from tests.web_helpers import web
from tests.web_patient.helpers import clinic

__all__ = ["clinic", "web"]
