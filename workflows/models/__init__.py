"""The workflow's models: the procedure page editors build, and the
dossiers that go through its stages."""

from .dossiers import Dossier, DossierEvent, DossierExport, DossierProcess, DossierQuerySet
from .procedures import ProcedurePage

__all__ = ["Dossier", "DossierEvent", "DossierExport", "DossierProcess", "DossierQuerySet", "ProcedurePage"]
